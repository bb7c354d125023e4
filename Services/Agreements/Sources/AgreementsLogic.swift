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

    package init(
        store: Store, source: String, subscriptions: Subscriptions, settings: AgreementsSettings = AgreementsSettings(),
        now: @escaping @Sendable () -> Int64 = { wallClockMillis() }
    ) {
        self.store = store
        self.settings = settings
        self.now = now
        changes = VersionedChanges(store: store, table: AgreementsTables(), source: source, subscriptions: subscriptions, now: now)
    }

    /// Today in UTC, by the injectable clock.
    var today: LocalDate { LocalDate.utc(millis: now()) }

    // MARK: create, read

    package func create(_ draft: AgreementDraft, uid: UInt32) throws -> (Agreement, Bool) {
        try draft.validate()
        return try store.write { [self] db in
            if let key = draft.externalKey, let existing = try AgreementsTables.load(db, externalKey: key) { return (existing, false) }
            let t = now()
            let year = (draft.signedOn ?? draft.startsOn)?.year ?? today.year
            let reference = try draft.reference ?? AgreementsTables.nextReference(db, year: year)
            let stamp = Timestamp.rfc3339(millis: t)
            var d = draft
            try resolvePartners(db, &d.partners, nowMillis: t)
            d.reference = reference
            let a = Agreement(
                id: IDs.make("agr"), reference: reference, version: 1, status: .draft, draft: d, createdAt: stamp, updatedAt: stamp)
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

    func list(_ p: AgreementFilter) throws -> Page<Agreement> {
        let limit = p.limit ?? 100
        let rows = try store.read { db in
            try AgreementsTables.list(
                db, status: p.status, kind: p.kind, country: p.country, continent: p.continent?.rawValue, partner: p.partner,
                words: p.text?.lowercased(), after: p.cursor, limit: limit + 1)
        }
        return Page(rows, limit: limit, cursor: \.reference)
    }

    // MARK: changes

    /// Applies `change` by `action` (allowed from the agreement's state) at `expectedVersion`,
    /// saving, recording and emitting `event`; a signed agreement whose start has come becomes
    /// active in the same transaction.
    func transition(
        _ id: String, expectedVersion: Int?, action: AgreementAction, uid: UInt32, event: EventType?,
        guarded: ((Agreement, Database) throws -> Void)? = nil, _ change: (inout Agreement) throws -> Void
    ) throws -> Agreement {
        let today = self.today
        return try changes.change(
            id, expectedVersion: expectedVersion, action: action.rawValue, uid: uid, event: { _, _ in event }, guarded: guarded,
            then: { [self] a, db, t in
                // Dates drive the state: a signed agreement whose start has come is active at once.
                if a.status == .signed, let s = a.draft.startsOn?.exactDay, s <= today { try activate(&a, db, uid: uid, nowMillis: t) }
            }
        ) { a in
            try action.permit(from: a.status, label: a.label)
            let from = a.status
            try change(&a)
            a.status = action.target(from: from)
        }.record
    }

    /// signed → active inside the caller's transaction (sign, renew and the sweep use it).
    func activate(_ a: inout Agreement, _ db: Database, uid: UInt32, nowMillis t: Int64) throws {
        let before = JSONEncoding.encode(a)
        a.status = .active
        if a.draft.startsOn == nil { a.draft.startsOn = PartialDate(today) }
        try changes.commit(db, &a, before: before, action: "activate", uid: uid, event: .agreementActivated, nowMillis: t)
    }

    /// Fields an `update` (draft, negotiating) may replace.
    static let updatable: Set<String> = [
        "title", "kind", "partners", "coordinator", "focus_areas", "signatories", "signed_on", "starts_on", "ends_on",
        "notice_period_days", "auto_renew", "places_per_year", "documents", "notes",
    ]
    /// Fields an amendment (signed, active, suspended) may change.
    static let amendable: Set<String> = [
        "title", "partners", "coordinator", "focus_areas", "signatories", "ends_on", "notice_period_days", "auto_renew",
        "places_per_year", "documents", "notes",
    ]

    /// Patches the draft with `changes` (RFC 7396; only the fields of `allowed`, which the
    /// agreement's state decides); returns the fields given.
    static func merge(_ a: inout Agreement, _ changes: JSONObject, allowed: Set<String>) throws -> [String] {
        let given = changes.keys.filter { allowed.contains($0) }
        let refused = changes.keys.filter { !allowed.contains($0) && AgreementDraft.fieldNames.contains($0) }
        if let f = refused.first {
            throw ServiceError(
                .failedPrecondition, "\(f): cannot be changed while the agreement is \(a.status.rawValue)", retryable: false,
                details: ["field": .string(f)])
        }
        guard !given.isEmpty else {
            throw ServiceError.invalidParams(
                field: "", "nothing to change: give one or more of \(allowed.sorted().joined(separator: ", "))")
        }
        let reference = a.draft.reference
        a.draft = try Patch(changes).applied(to: a.draft, fields: allowed)
        a.draft.reference = reference
        return given
    }

    func update(_ p: AgreementUpdate, uid: UInt32) throws -> Agreement {
        let changes = try resolvingPartners(p.changes)
        let guarded = partnersGuard(changes)
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .update, uid: uid, event: nil, guarded: guarded) { a in
            _ = try Self.merge(&a, changes, allowed: Self.updatable)
            try showCurrentPartners(&a, changes)
        }
    }

    func sign(_ p: AgreementTransition, uid: UInt32) throws -> Agreement {
        let today = self.today
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .sign, uid: uid, event: .agreementSigned) { a in
            a.draft.signedOn = p.signedOn.map(PartialDate.init) ?? a.draft.signedOn ?? PartialDate(today)
            if let s = p.signatories { a.draft.signatories = s }
            guard !a.draft.signatories.isEmpty else {
                throw ServiceError.invalidParams(
                    field: "signatories", "an agreement is signed by someone: give the signatories (BIT's and the partners')")
            }
        }
    }

    func activate(_ p: AgreementTransition, uid: UInt32) throws -> Agreement {
        let today = self.today
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .activate, uid: uid, event: .agreementActivated) { a in
            a.draft.startsOn = p.startsOn.map(PartialDate.init) ?? a.draft.startsOn ?? PartialDate(today)
            if let s = a.draft.startsOn, s.first > today {
                throw ServiceError(
                    .failedPrecondition, "agreement \(a.reference) starts on \(s); it becomes active on its own then", retryable: false)
            }
        }
    }

    /// negotiate, suspend, resume, terminate: a change of state (with a reason where one is owed).
    func simple(_ p: AgreementTransition, action: AgreementAction, uid: UInt32) throws -> Agreement {
        var v = Validator()
        if action == .terminate || action == .suspend {
            let what = action == .terminate ? "terminated" : "suspended"
            v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why the agreement is \(what)")
        }
        try v.finish()
        let event: EventType? =
            switch action {
            case .terminate: .agreementTerminated
            case .suspend: .agreementSuspended
            case .resume: .agreementResumed
            default: nil
            }
        return try transition(p.id, expectedVersion: p.expectedVersion, action: action, uid: uid, event: event) { a in
            if action == .terminate { a.terminationReason = p.reason }
            if action == .suspend { a.suspensionReason = p.reason }
            if action == .resume { a.suspensionReason = nil }
        }
    }

    func amend(_ p: AgreementAmendment, uid: UInt32) throws -> Agreement {
        var v = Validator()
        v.text(p.summary, "summary", max: Limits.reason, multiline: true)
        try v.finish()
        let today = self.today, stamp = Timestamp.rfc3339(millis: now())
        let changes = try resolvingPartners(p.changes)
        return try transition(
            p.id, expectedVersion: p.expectedVersion, action: .amend, uid: uid, event: .agreementAmended, guarded: partnersGuard(changes)
        ) { a in
            let before = a.draft
            let fields = try Self.merge(&a, changes, allowed: Self.amendable)
            try showCurrentPartners(&a, changes)
            guard case .object(let old) = JSONEncoding.encode(before), case .object(let new) = JSONEncoding.encode(a.draft) else { return }
            var diff: [String: FieldChange] = [:]
            for f in fields where old[f] != new[f] {
                diff[f] = FieldChange(
                    from: old[f].map { JSONWriter.string($0) } ?? "null", to: new[f].map { JSONWriter.string($0) } ?? "null")
            }
            guard !diff.isEmpty else { throw ServiceError.invalidParams(field: "changes", "the changes leave the agreement as it was") }
            let n = a.amendments.count + 1
            a.amendments.append(
                Amendment(
                    number: n, reference: "\(a.reference)-A\(n)", summary: p.summary, effectiveOn: p.effectiveOn ?? today,
                    changes: diff, at: stamp))
        }
    }

    /// Renewal: a successor record (new term) linked to the original, which becomes superseded.
    func renew(_ p: AgreementRenewal, uid: UInt32) throws -> Renewal {
        try store.write { [self] db in
            guard let (loaded, _) = try AgreementsTables.loadWithTree(db, p.id) else { throw ServiceError.notFound("agreement", p.id) }
            var old = loaded
            if let expected = p.expectedVersion, old.version != expected { throw VersionedChanges<AgreementsTables>.stale(old, expected) }
            try AgreementAction.renew.permit(from: old.status, label: old.label)
            let successor = try makeSuccessor(
                db, of: &old, endsOn: p.endsOn, startsOn: p.startsOn, signedOn: p.signedOn, uid: uid, nowMillis: now())
            return Renewal(original: old, successor: successor)
        }
    }

    /// Creates the successor of `old` for a new term and supersedes `old`, in the caller's transaction.
    func makeSuccessor(
        _ db: Database, of old: inout Agreement, endsOn: LocalDate, startsOn: LocalDate?, signedOn: LocalDate?, uid: UInt32,
        nowMillis t: Int64
    ) throws -> Agreement {
        let start = startsOn ?? old.draft.endsOn.map { $0.last.adding(days: 1) } ?? today
        let base = old.reference.split(separator: "-R").first.map(String.init) ?? old.reference
        var draft = old.draft
        draft.reference = "\(base)-R\(try AgreementsTables.count(db, referencePrefix: base + "-R") + 1)"
        draft.startsOn = PartialDate(start)
        draft.endsOn = PartialDate(endsOn)
        draft.signedOn = PartialDate(signedOn ?? min(today, start))
        draft.externalKey = nil
        try draft.validate()
        let stamp = Timestamp.rfc3339(millis: t)
        var successor = Agreement(
            id: IDs.make("agr"), reference: draft.reference!, version: 1, status: .signed, draft: draft, createdAt: stamp, updatedAt: stamp)
        successor.predecessorID = old.id
        successor.delegations = old.delegations
        try changes.create(db, successor, action: "create", uid: uid, event: nil, note: ["renewal_of": .string(old.id)], nowMillis: t)
        let before = JSONEncoding.encode(old)
        old.status = .superseded
        old.successorID = successor.id
        try changes.commit(
            db, &old, before: before, action: "renew", uid: uid, event: .agreementRenewed,
            extra: ["successor": JSONEncoding.encode(successor)], nowMillis: t)
        if start <= today { try activate(&successor, db, uid: uid, nowMillis: t) }
        return successor
    }

    func addActivity(_ p: ActivityParams, uid: UInt32) throws -> Agreement {
        var v = Validator()
        v.text(p.summary, "summary", max: Limits.reason, multiline: true)
        try v.finish()
        return try changes.change(p.id, expectedVersion: nil, action: "add_activity", uid: uid, event: { _, _ in nil }) { a in
            a.activities.append(
                Activity(id: (a.activities.map(\.id).max() ?? 0) + 1, on: p.on, kind: p.kind.rawValue, summary: p.summary, count: p.count))
            a.activities.sort { $0.on < $1.on }
        }.record
    }

    /// Links a delegation this service knows (from delegation events) to the agreement.
    func link(_ p: LinkParams, uid: UInt32) throws -> Agreement {
        let projected = try store.read({ db in try AgreementsTables.projected(db, id: p.delegationID, limit: 1).first })
        if projected == nil, let seen = p.seen, seen.delegationID == p.delegationID, p.delegationID.hasPrefix("del-") {
            // Completed from the visit's first event when it comes (AgreementsPartners.completeLinks).
            return try changes.change(p.id, expectedVersion: nil, action: "link_delegation", uid: uid, event: { _, _ in nil }) { a in
                a.delegations.removeAll { $0.delegationID == seen.delegationID }
                var l = seen
                l.relation = (p.relation ?? .ledTo).rawValue
                a.delegations.append(l)
            }.record
        }
        guard let visit = projected else {
            throw ServiceError(
                .notFound,
                "delegation \(p.delegationID) is not known here yet (delegations become known when they are confirmed or change)",
                retryable: true, details: ["delegation_id": .string(p.delegationID)])
        }
        let relation = p.relation ?? .ledTo
        return try changes.change(p.id, expectedVersion: nil, action: "link_delegation", uid: uid, event: { _, _ in nil }) { a in
            a.delegations.removeAll { $0.delegationID == visit.id }
            a.delegations.append(
                DelegationLink(
                    delegationID: visit.id, relation: relation.rawValue, ref: visit.ref, title: visit.title,
                    country: visit.partner.country, startsAt: visit.date ?? visit.startsAt))
        }.record
    }

    func history(_ id: String) throws -> AgreementHistory {
        try store.read { db in
            guard let a = try AgreementsTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            return AgreementHistory(id: a.id, reference: a.reference, items: try AgreementsTables.history.entries(db, id: a.id))
        }
    }
}

extension AgreementDraft {
    /// The draft's field names on the wire.
    static let fieldNames = Set(schema.fields.map(\.name))
}
