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

    package init(
        store: Store, source: String, subscriptions: Subscriptions, settings: DelegationsSettings = DelegationsSettings(),
        now: @escaping @Sendable () -> Int64 = { wallClockMillis() }
    ) {
        self.store = store
        self.settings = settings
        self.now = now
        changes = VersionedChanges(store: store, table: DelegationsTables(), source: source, subscriptions: subscriptions, now: now)
        partners = VersionedChanges(store: store, table: PartnerTables(), source: source, subscriptions: subscriptions, now: now)
    }

    /// Opens (or creates) the database at `path` with the delegation and outbox tables.
    package static func openStore(path: String) throws -> Store {
        try Store(
            path: path, migrations: DelegationsTables.migrations, components: [("inbox", Inbox.migrations), ("outbox", Outbox.migrations)])
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
    func insertRecord(_ db: Database, _ p: DelegationRecordParams, uid: UInt32, nowMillis t: Int64) throws -> (Delegation, CheckFindings, Bool) {
        var v = Validator()
        if p.status == .cancelled { v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why it was cancelled") }
        v.optionalText(p.outcome, "outcome", max: Limits.notes, multiline: true)
        try v.finish()
        try p.draft.validate()
        if let key = p.draft.externalKey, let existing = try DelegationsTables.load(db, externalKey: key) {
            return (existing, try findings(db, existing.draft, excluding: existing.id), false)
        }
        var draft = p.draft
        try resolvePartners(db, &draft, nowMillis: t)
        draft.numberItems(previous: []) { IDs.make("it") }
        let ref = try DelegationsTables.nextRef(db, year: draft.startsAt.year)
        let stamp = Timestamp.rfc3339(millis: t)
        var d = Delegation(
            id: IDs.make("del"), ref: ref, version: 1, status: p.status, scheduleVersion: 1, draft: draft, createdAt: stamp,
            updatedAt: stamp)
        d.outcome = p.outcome
        if p.status == .cancelled { d.cancelReason = p.reason }
        try changes.create(
            db, d, action: p.status == .proposed ? "create" : "record", uid: uid,
            event: p.status == .proposed ? nil : .delegationRecorded, nowMillis: t)
        return (d, try findings(db, draft, excluding: d.id), true)
    }

    /// The stored JSON of the delegation with this id or reference (what `get` answers, on the loop).
    func document(_ idOrRef: String) throws -> [UInt8] {
        try store.readOnLoop { db in
            guard let doc = try DelegationsTables.document(db, idOrRef: idOrRef) else { throw ServiceError.notFound("delegation", idOrRef) }
            return doc
        }
    }

    /// The delegation with this id or reference.
    package func get(_ idOrRef: String) throws -> Delegation {
        try store.read { db in
            guard let d = try DelegationsTables.load(db, idOrRef: idOrRef) else { throw ServiceError.notFound("delegation", idOrRef) }
            return d
        }
    }

    /// A page of delegations matching the filters, ordered by start then id.
    func list(_ p: DelegationFilter) throws -> Page<StoredJSON<DelegationSummary>> {
        var v = Validator()
        let limit = p.limit ?? settings.defaultPage
        if let c = p.country { v.check(Country.named(c) != nil && c.count == 2, "country", "\"\(c)\" is not an ISO 3166-1 alpha-2 code") }
        if let r = p.region {
            v.check(
                Country.regions.contains(r), "region",
                "unknown region \"\(r)\"; e.g. \(Country.regions.sorted().prefix(5).joined(separator: ", "))")
        }
        var f = ListFilter(
            status: p.status, country: p.country, continent: p.continent?.rawValue, region: p.region, kind: p.kind, direction: p.direction)
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
                guard let stored = try DelegationsTables.load(db, idOrRef: id) else { throw ServiceError.notFound("delegation", id) }
                d = stored.draft
                selfID = stored.id
            }
            guard let d else { throw ServiceError.invalidParams(field: "", "give a delegation (its fields) or an id") }
            try d.validate()
            let f = try findings(db, d, excluding: selfID)
            return DelegationCheckResult(ok: f.blocking == 0, found: f)
        }
    }

    // MARK: changes

    /// Applies `change` to the delegation at `expectedVersion` (nil: the one stored) by `action`,
    /// which must be allowed from its state; emits `event` when given. Returns the delegation
    /// after the change with what the checker says of its itinerary. The checker runs once per
    /// change: inside the write when `refusing` names what a clash refuses (for the record as
    /// changed; nil: nothing), else after the commit, as advice.
    func transition(
        _ id: String, expectedVersion: Int?, action: DelegationAction, uid: UInt32, event: EventType?,
        emitWhen: @escaping (DelegationStatus) -> Bool = { _ in true },
        emitting: ((Delegation, Delegation) -> EventType?)? = nil, label: String? = nil,
        refusing: ((Delegation) -> String?)? = nil,
        guarded: ((Delegation, Database) throws -> Void)? = nil,
        _ change: (inout Delegation) throws -> Void
    ) throws -> SavedDelegation {
        var checked: CheckFindings?
        let done = try changes.change(
            id, expectedVersion: expectedVersion, action: label ?? action.rawValue, uid: uid,
            event: { before, after in
                if let emitting { return emitting(before, after) }
                return emitWhen(before.status) ? event : nil
            },
            guarded: { d, db in
                try guarded?(d, db)
                checked = nil
                guard let doing = refusing?(d) else { return }
                let f = try self.findings(db, d.draft, excluding: d.id)
                try Self.refuseClashes(f, d, doing: doing)
                checked = f
            }
        ) { d in
            try action.permit(from: d.status, label: d.label)
            let from = d.status
            try change(&d)
            d.status = action.target(from: from)
        }
        let f = try checked ?? store.read { db in try findings(db, done.record.draft, excluding: done.record.id) }
        guard case .encoded(let text) = done.tree else { return SavedDelegation(delegation: done.record, found: f, created: nil) }
        return SavedDelegation(delegation: done.record, found: f, created: nil, stored: text)
    }

    /// Refuses (with conflict and the findings, as capped) when the checker finds anything; the
    /// message names the first few.
    static func refuseClashes(_ f: CheckFindings, _ d: Delegation, doing: String) throws {
        guard f.blocking > 0 else { return }
        let shown = 5
        let errors = f.findings.filter { $0.severity == "error" }
        var list = errors.prefix(shown).map(\.message).joined(separator: "; ")
        if f.blocking > shown { list += "; and \(f.blocking - shown) more" }
        var details: JSONObject = ["findings": JSONEncoding.encode(f.findings), "findings_total": .int(Int64(f.total))]
        if !f.omitted.isEmpty { details["findings_omitted"] = JSONEncoding.encode(f.omitted) }
        throw ServiceError(
            .conflict, "cannot \(doing) \(d.ref): the itinerary has \(f.blocking) clash\(f.blocking == 1 ? "" : "es"): \(list)",
            retryable: false,
            details: .object(details))
    }

    func confirm(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        try transition(
            p.id, expectedVersion: p.expectedVersion, action: .confirm, uid: uid, event: .delegationConfirmed,
            refusing: { _ in "confirm" }
        ) { d in try Self.requireSchedule(d, doing: "confirm") }
    }

    /// Only a visit with a day and times (not one known as "2018" or "Oct 2024") can be
    /// confirmed, rescheduled and mailed.
    static func requireSchedule(_ d: Delegation, doing: String) throws {
        guard let date = d.draft.date else { return }
        throw ServiceError(
            .failedPrecondition,
            "cannot \(doing) \(d.ref): it is known only as \(date.display); give it starts_at and ends_at first (delegations.update)",
            retryable: false, details: ["field": "date"])
    }

    func reschedule(_ p: DelegationReschedule, uid: UInt32) throws -> SavedDelegation {
        guard p.startsAt != nil || p.endsAt != nil || p.timeZone != nil || p.itinerary != nil || p.shiftMinutes != nil || p.to != nil
        else {
            throw ServiceError.invalidParams(field: "", "give at least one of starts_at, ends_at, time_zone, itinerary, shift_minutes, to")
        }
        if p.shiftMinutes != nil || p.to != nil,
            let f = [
                p.startsAt == nil ? nil : "starts_at", p.endsAt == nil ? nil : "ends_at",
                p.itinerary == nil ? nil : "itinerary", p.shiftMinutes != nil && p.to != nil ? "to" : nil,
            ].compactMap({ $0 }).first
        {
            throw ServiceError.invalidParams(field: f, "shift_minutes or to moves the whole visit: give it alone (with time_zone at most)")
        }
        var v = Validator()
        v.optionalText(p.reason, "reason", max: Limits.reason, multiline: true)
        try v.finish()
        return try transition(
            p.id, expectedVersion: p.expectedVersion, action: .reschedule, uid: uid, event: .delegationRescheduled,
            refusing: { d in d.status == .confirmed || d.status == .inProgress ? "reschedule" : nil }
        ) { d in
            try Self.requireSchedule(d, doing: "reschedule")
            if d.status == .inProgress { try Self.refuseMovingTheStart(p, d) }
            let before = d.draft.itinerary
            defer { d.draft.numberItems(previous: before) { IDs.make("it") } }
            d.rescheduleReason = p.reason
            let shift =
                p.shiftMinutes
                ?? p.to.map { to in
                    let first = LocalDate(year: d.draft.startsAt.year, month: d.draft.startsAt.month, day: d.draft.startsAt.day)
                    return first.days(until: to) * 1440
                }
            if let m = shift {
                // Wall time moves: 09:00 stays 09:00 across a change of daylight saving time.
                d.draft.startsAt = d.draft.startsAt.adding(minutes: m)
                d.draft.endsAt = d.draft.endsAt.adding(minutes: m)
                for i in d.draft.itinerary.indices {
                    d.draft.itinerary[i].startsAt = d.draft.itinerary[i].startsAt.adding(minutes: m)
                    d.draft.itinerary[i].endsAt = d.draft.itinerary[i].endsAt.adding(minutes: m)
                }
            }
            if let s = p.startsAt { d.draft.startsAt = s }
            if let e = p.endsAt { d.draft.endsAt = e }
            if let z = p.timeZone { d.draft.timeZone = z }
            if let i = p.itinerary { d.draft.itinerary = i }
            d.scheduleVersion += 1
        }
    }

    /// A visit under way keeps its start and its zone: what can still change is the itinerary
    /// (a session moved, added or dropped) and when it ends.
    static func refuseMovingTheStart(_ p: DelegationReschedule, _ d: Delegation) throws {
        let moved = [
            p.shiftMinutes.map { _ in "shift_minutes" }, p.to.map { _ in "to" },
            p.startsAt.flatMap { $0 == d.draft.startsAt ? nil : "starts_at" },
            p.timeZone.flatMap { $0 == d.draft.timeZone ? nil : "time_zone" },
        ].compactMap { $0 }
        guard let f = moved.first else { return }
        throw ServiceError(
            .failedPrecondition,
            "\(f): delegation \(d.ref) is in_progress since \(d.draft.startsAt); only its itinerary and ends_at can change",
            retryable: false, details: ["field": .string(f), "current_state": "in_progress"])
    }

    func cancel(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        var v = Validator()
        v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why the visit is cancelled")
        try v.finish()
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .cancel, uid: uid, event: .delegationCancelled) { d in
            d.cancelReason = p.reason
            d.scheduleVersion += 1
        }
    }

    func postpone(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        var v = Validator()
        v.optionalText(p.reason, "reason", max: Limits.reason, multiline: true)
        try v.finish()
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .postpone, uid: uid, event: .delegationPostponed) { d in
            d.postponedReason = p.reason
            d.scheduleVersion += 1
        }
    }

    /// The draft's fields on the wire, in order (what an update may change).
    static let draftFields: [String] = DelegationDraft.schema.fields.map(\.name)

    /// Schedule fields: on a confirmed visit they change only through reschedule.
    static let scheduleFields: Set<String> = ["starts_at", "ends_at", "time_zone", "itinerary"]

    /// Patches the draft with `changes` (RFC 7396: a member replaces, an object merges, null
    /// clears; draft fields only, unknown ones are ignored).
    func update(_ p: DelegationUpdate, uid: UInt32) throws -> SavedDelegation {
        var given = Set(p.changes.keys).intersection(Self.draftFields)
        guard !given.isEmpty else {
            throw ServiceError.invalidParams(
                field: "", "nothing to change: give one or more of \(Self.draftFields.joined(separator: ", "))")
        }
        let running: Set<DelegationStatus> = [.confirmed, .inProgress]
        var changes = p.changes
        if let one = changes["partner"], changes["partners"] == nil {
            // The older form: one partner described in place.
            changes["partners"] = [one]
            given.insert("partners")
        }
        given.remove("partner")
        changes["partner"] = nil
        if let raw = changes["partners"] {
            // Described partners are found in (or added to) the registry before the change.
            var probe = DelegationDraft(
                direction: .inbound, title: "-",
                partners: try JSONDecoding.decode([PartnerRef].self, from: raw, path: [NameKey("partners")]),
                startsAt: LocalDateTime(year: 2000, month: 1, day: 1), endsAt: LocalDateTime(year: 2000, month: 1, day: 2))
            var v = Validator()
            for (i, ref) in probe.partners.enumerated() { v.nested("partners[\(i)]") { ref.problems(&$0) } }
            try v.finish()
            try store.write { [self] db in try resolvePartners(db, &probe, nowMillis: now()) }
            changes["partners"] = JSONEncoding.encode(probe.partners)
        }
        // A dated visit given a schedule (or a scheduled one given a date) drops the other form.
        if changes["starts_at"] != nil || changes["ends_at"] != nil { given.insert("date"); changes["date"] = changes["date"] ?? .null }
        if let d = changes["date"], d != .null { for k in ["starts_at", "ends_at"] { given.insert(k); changes[k] = changes[k] ?? .null } }
        let partnersGiven = changes["partners"] != nil
        return try transition(
            p.id, expectedVersion: p.expectedVersion, action: .update, uid: uid, event: .delegationUpdated,
            emitWhen: { running.contains($0) },
            // Partners renamed or merged since they were resolved: worked out again (a refresh of
            // a visit naming them already makes the change start over; these are new to it).
            guarded: partnersGiven
                ? { d, db in
                    var now = d.draft
                    if try now.showRegistry(db) { throw RecordRefreshed() }
                } : nil
        ) { d in
            if running.contains(d.status), let f = given.intersection(Self.scheduleFields).sorted().first {
                throw ServiceError(
                    .failedPrecondition,
                    "\(f): delegation \(d.ref) is \(d.status.rawValue); change its schedule with delegations.reschedule",
                    retryable: false, details: ["field": .string(f), "current_state": .string(d.status.rawValue)])
            }
            let before = d.draft.itinerary
            d.draft = try Patch(changes).applied(to: d.draft, fields: given)
            if partnersGiven { _ = try store.read { db in try d.draft.showRegistry(db) } }
            d.draft.numberItems(previous: before) { IDs.make("it") }
            d.place()
            if !given.isDisjoint(with: Self.scheduleFields) { d.scheduleVersion += 1 }
        }
    }

    /// The audit trail, oldest first.
    func history(_ idOrRef: String) throws -> RecordHistory {
        try store.read { db in
            guard let d = try DelegationsTables.load(db, idOrRef: idOrRef) else { throw ServiceError.notFound("delegation", idOrRef) }
            return RecordHistory(id: d.id, items: try DelegationsTables.history.entries(db, id: d.id))
        }
    }
}
