import Foundation
import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

extension Delegation: VersionedRecord {
    package static let kind = "delegation"
    package var label: String { "delegation \(ref)" }
    package func validate() throws { try draft.validate() }
}

/// The delegations service's handlers, callable without sockets: each takes typed params and
/// the caller's uid; the statements are `DelegationsTables`'.
package final class DelegationsLogic: Sendable {
    let store: Store
    let settings: DelegationsSettings
    let changes: VersionedChanges<DelegationsTables>
    /// The partner registry's entries.
    let partners: VersionedChanges<PartnerTables>
    /// Milliseconds since the epoch (injectable for tests).
    let now: @Sendable () -> Int64

    package init(_ records: RecordContext, settings: DelegationsSettings = DelegationsSettings()) {
        store = records.store
        self.settings = settings
        now = records.now
        changes = records.changes(DelegationsTables())
        partners = records.changes(PartnerTables())
    }

    /// Opens (or creates) the database at `path` with the delegation and outbox tables.
    package static func openStore(path: String) throws -> Store {
        try Store(
            path: path,
            migrations: DelegationsTables.migrations,
            components: [
                ("inbox", Inbox.migrations), ("outbox", Outbox.migrations), ("audit", History.checkpointMigrations),
            ]
        )
    }

    /// The event types this service emits.
    package static let eventTypes = EventType.all(.delegation) + [.partnerCreated, .partnerUpdated, .partnerMerged]

    // MARK: create, get, list

    /// Stores a new proposed delegation (or returns the one already stored under its external_key).
    package func create(_ draft: DelegationDraft, uid: UInt32) throws -> (Delegation, CheckFindings, Bool) {
        try record(DelegationRecordParams(draft: draft, status: .proposed), uid: uid)
    }

    /// Records a past visit (imported history) in its final state, announced as
    /// `delegation.recorded`, which consumers keep without acting on (no mail); or, with status
    /// proposed, creates one still to come.
    func record(_ p: DelegationRecordParams, uid: UInt32) throws -> (Delegation, CheckFindings, Bool) {
        try p.draft.validate()
        return try store.write { [self] db in try insertRecord(db, p, uid: uid, nowMillis: now()) }
    }

    /// Inserts a delegation in the caller's transaction, its partners resolved against the registry.
    func insertRecord(
        _ db: Database,
        _ p: DelegationRecordParams,
        uid: UInt32,
        nowMillis t: Int64
    ) throws -> (Delegation, CheckFindings, Bool) {
        // Every problem at once: the record's own fields, the visit's, then the registry's.
        var v = Validator()
        if p.status == .cancelled {
            v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why it was cancelled")
        }
        v.optionalText(p.outcome, "outcome", max: Limits.notes, multiline: true)
        v.add(p.draft.problems())
        var draft = p.draft
        if !v.errors.isEmpty {
            do { try resolvePartners(db, &draft, nowMillis: t) } catch let e as ValidationErrors { v.add(e.errors) }
            try v.finish()
        }
        if let key = p.draft.externalKey, let existing = try DelegationsTables.load(db, externalKey: key) {
            return (existing, try findings(db, existing.draft, excluding: existing.id), false)
        }
        try resolvePartners(db, &draft, nowMillis: t)
        draft.numberItems(previous: []) { IDs.make("it") }
        let ref = try DelegationsTables.nextRef(db, year: draft.startsAt.year)
        let stamp = Timestamp.rfc3339(millis: t)
        var d = Delegation(
            id: IDs.make("del"),
            ref: ref,
            version: 1,
            status: p.status,
            scheduleVersion: 1,
            draft: draft,
            createdAt: stamp,
            updatedAt: stamp
        )
        d.outcome = p.outcome
        if p.status == .cancelled { d.cancelReason = p.reason }
        try changes.create(
            db,
            d,
            action: p.status == .proposed ? "create" : "record",
            uid: uid,
            event: p.status == .proposed ? nil : .delegationRecorded,
            nowMillis: t
        )
        return (d, try findings(db, draft, excluding: d.id), true)
    }

    /// The stored JSON of the delegation with this id or reference (what `get` answers, on the loop).
    func document(_ idOrRef: String) throws -> [UInt8] {
        try store.readOnLoop { db in
            guard let doc = try DelegationsTables.document(db, idOrRef: idOrRef) else {
                throw ServiceError.notFound("delegation", idOrRef)
            }
            return doc
        }
    }

    /// The delegation with this id or reference.
    package func get(_ idOrRef: String) throws -> Delegation {
        try store.read { db in
            guard let d = try DelegationsTables.load(db, idOrRef: idOrRef) else {
                throw ServiceError.notFound("delegation", idOrRef)
            }
            return d
        }
    }

    /// A page of delegations matching the filters, ordered by start then id.
    func list(_ p: DelegationFilter) throws -> Page<StoredJSON<DelegationSummary>> {
        var v = Validator()
        let limit = p.limit ?? settings.defaultPage
        if let c = p.country {
            v.check(Country.named(c) != nil && c.count == 2, "country", "\"\(c)\" is not an ISO 3166-1 alpha-2 code")
        }
        if let r = p.region {
            v.check(
                Country.regions.contains(r),
                "region",
                "unknown region \"\(r)\"; e.g. \(Country.regions.sorted().prefix(5).joined(separator: ", "))"
            )
        }
        var f = ListFilter(
            status: p.status,
            country: p.country,
            continent: p.continent?.rawValue,
            region: p.region,
            kind: p.kind,
            direction: p.direction
        )
        f.endsFrom = p.from.flatMap { Self.dayStart($0) }
        f.startsBefore = p.to.flatMap { Self.dayStart($0) }.map { $0 + 86_400 }
        if let t = p.text {
            v.optionalText(t, "text", max: 200)
            f.words = t.trimmingWhitespace().lowercased().split(separator: " ").map(String.init)
        }
        if let c = p.cursor {
            if let (key, id) = KeyedCursor.parse(c), let s = Int64(key) {
                f.after = (s, id)
            } else {
                v.fail("cursor", "not a cursor from a previous page (expected next_cursor as given)")
            }
        }
        try v.finish()
        let rows = try store.read { db in try DelegationsTables.list(db, f, limit: limit) }
        return Page(rows, limit: limit, cursor: \.cursor).map { StoredJSON($0.summary) }
    }

    /// The start of a UTC day given as `YYYY-MM-DD`, in epoch seconds.
    static func dayStart(_ s: String) -> Int64? {
        var why = ""
        guard let d = LocalDateTime.parse(s + "T00:00", why: &why) else { return nil }
        return d.epochSeconds(in: TimeZone(identifier: "UTC")!)
    }

    // MARK: checking

    func findings(_ db: Database, _ draft: DelegationDraft, excluding id: String?) throws -> CheckFindings {
        let zone = draft.zone
        let s = draft.startsAt.epochSeconds(in: zone), e = draft.endsAt.epochSeconds(in: zone)
        // Items may lie outside the window (a finding of its own), so look around all of them.
        let starts = draft.itinerary.map { $0.startsAt.epochSeconds(in: zone) } + [s]
        let ends = draft.itinerary.map { $0.endsAt.epochSeconds(in: zone) } + [e]
        let others = try DelegationsTables.bookings(db, overlapping: starts.min()!, ends.max()!, excluding: id)
        return ItineraryChecker.check(draft, others: others)
    }

    /// Runs the checker on a draft (or a stored delegation) without saving anything.
    func check(draft: DelegationDraft?, id: String?) throws -> DelegationCheckResult {
        try store.read { db in
            var d = draft
            var selfID = id
            if d == nil, let id {
                guard let stored = try DelegationsTables.load(db, idOrRef: id) else {
                    throw ServiceError.notFound("delegation", id)
                }
                d = stored.draft
                selfID = stored.id
            }
            guard let d else { throw ServiceError.invalidParams(field: "", "give a delegation (its fields) or an id") }
            try d.validate()
            let f = try findings(db, d, excluding: selfID)
            return DelegationCheckResult(ok: f.blocking == 0, found: f)
        }
    }

    /// The audit trail, oldest first, a page at a time.
    func history(_ p: HistoryParams) throws -> RecordHistory {
        try store.read { db in
            guard let d = try DelegationsTables.load(db, idOrRef: p.id) else {
                throw ServiceError.notFound("delegation", p.id)
            }
            return RecordHistory(id: d.id, page: try DelegationsTables.history.page(db, id: d.id, p))
        }
    }
}
