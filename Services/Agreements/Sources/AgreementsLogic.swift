import LiaisonAPI
import Foundation
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

extension Agreement: VersionedRecord {
    package static let kind = "agreement"
    package var label: String { "agreement \(reference)" }
    package func validate() throws { try draft.validate() }
}

/// The agreements service's handlers, callable without sockets; the statements are
/// `AgreementsTables`'.
package final class AgreementsLogic: Sendable {
    let store: Store
    let settings: AgreementsSettings
    let changes: VersionedChanges<AgreementsTables>
    let now: @Sendable () -> Int64

    package static let eventTypes = EventType.all(.agreement) + [.partnerClaimed]

    package init(_ records: RecordContext, settings: AgreementsSettings = AgreementsSettings()) {
        store = records.store
        self.settings = settings
        now = records.now
        changes = records.changes(AgreementsTables())
    }

    /// Today in UTC, by the injectable clock.
    var today: LocalDate { LocalDate.utc(millis: now()) }

    // MARK: create, read

    package func create(_ draft: AgreementDraft, uid: UInt32) throws -> (Agreement, Bool) {
        try draft.validate()
        return try store.write { [self] db in
            if let key = draft.externalKey, let existing = try AgreementsTables.load(db, externalKey: key) {
                return (existing, false)
            }
            let t = now()
            let year = (draft.signedOn ?? draft.startsOn)?.year ?? today.year
            let reference = try draft.reference ?? AgreementsTables.nextReference(db, year: year)
            let stamp = Timestamp.rfc3339(millis: t)
            var d = draft
            try resolvePartners(db, &d.partners, nowMillis: t)
            d.reference = reference
            let a = Agreement(
                id: IDs.make("agr"),
                reference: reference,
                version: 1,
                status: .draft,
                draft: d,
                createdAt: stamp,
                updatedAt: stamp
            )
            try changes.create(db, a, action: "create", uid: uid, event: nil, nowMillis: t)
            return (a, true)
        }
    }

    package func get(_ id: String) throws -> Agreement {
        try store.read { db in
            guard let a = try AgreementsTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            return a
        }
    }

    func list(_ p: AgreementFilter) throws -> Page<StoredJSON<Agreement>> {
        let limit = p.limit ?? 100
        let rows = try store.read { db in
            try AgreementsTables.list(
                db,
                status: p.status,
                kind: p.kind,
                country: p.country,
                continent: p.continent?.rawValue,
                partner: p.partner,
                words: p.text?.lowercased(),
                after: p.cursor,
                limit: limit + 1
            )
        }
        return Page(rows, limit: limit) { $0.reference }.map { StoredJSON($0.doc) }
    }

    func history(_ p: HistoryParams) throws -> AgreementHistory {
        try store.read { db in
            guard let a = try AgreementsTables.load(db, p.id) else { throw ServiceError.notFound("agreement", p.id) }
            return AgreementHistory(
                id: a.id,
                reference: a.reference,
                page: try AgreementsTables.history.page(db, id: a.id, p)
            )
        }
    }
}

extension AgreementDraft {
    /// The draft's field names on the wire.
    static let fieldNames = Set(schema.fields.map(\.name))
}
