import Foundation
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The delegations service's handlers, callable without sockets: each takes typed params and
/// the caller's uid, and runs in one transaction on the store.
package final class DelegationsLogic: Sendable {
    let store: Store
    /// The event `source`: the service's name in the mesh.
    let source: String
    /// Who consumes an event type (from the mesh file).
    let subscribers: @Sendable (String) -> [String]
    /// Milliseconds since the epoch (injectable for tests).
    let now: @Sendable () -> Int64

    package init(store: Store, source: String, subscribers: @escaping @Sendable (String) -> [String], now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) {
        self.store = store
        self.source = source
        self.subscribers = subscribers
        self.now = now
    }

    /// Opens (or creates) the database at `path` with the delegation and outbox tables.
    package static func openStore(path: String) throws -> Store {
        try Store(path: path, migrations: DelegationTables.migrations, components: [("outbox", Outbox.migrations)])
    }

    /// The event types this service emits.
    package static let eventTypes = ["delegation.confirmed", "delegation.rescheduled", "delegation.postponed", "delegation.cancelled",
                                     "delegation.started", "delegation.completed", "delegation.updated"]

    // MARK: create, get, list

    /// Stores a new proposed delegation (or returns the one already stored under its external_key).
    package func create(_ draft: DelegationDraft, uid: UInt32) throws -> (Delegation, [Finding], Bool) {
        try draft.validate()
        return try store.write { [self] db in
            if let key = draft.externalKey, let existing = try DelegationTables.load(db, externalKey: key) {
                return (existing, try findings(db, existing.draft, excluding: existing.id), false)
            }
            let t = now()
            let ref = try DelegationTables.nextRef(db, year: draft.startsAt.year)
            let stamp = Logger.timestamp(millis: t)
            let d = Delegation(id: IDs.make("del"), ref: ref, version: 1, status: .proposed, scheduleVersion: 1, draft: draft, createdAt: stamp, updatedAt: stamp)
            let tree = JSONEncoding.encode(d)
            try DelegationTables.save(db, d, tree: tree, insert: true, nowMillis: t)
            try DelegationTables.record(db, id: d.id, version: 1, uid: uid, action: "create", changes: ["created": tree], nowMillis: t)
            return (d, try findings(db, draft, excluding: d.id), true)
        }
    }

    /// The delegation with this id or reference.
    package func get(_ idOrRef: String) throws -> Delegation {
        try store.read { db in
            guard let d = try DelegationTables.load(db, idOrRef: idOrRef) else { throw ServiceError.notFound("delegation", idOrRef) }
            return d
        }
    }

    /// A page of delegations matching the filters, ordered by start then id.
    func list(_ p: ListParams) throws -> ListResult {
        var v = Validator()
        let limit = p.limit ?? 50
        v.check((1...500).contains(limit), "limit", "must be 1 to 500")
        if let c = p.country { v.check(Country.named(c) != nil && c.count == 2, "country", "\"\(c)\" is not an ISO 3166-1 alpha-2 code") }
        if let c = p.continent { v.check(Continent(rawValue: c) != nil, "continent", "expected one of \(Continent.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let r = p.region { v.check(Country.regions.contains(r), "region", "unknown region \"\(r)\"; e.g. \(Country.regions.sorted().prefix(5).joined(separator: ", "))") }
        let from = p.from.flatMap { Self.dayStart($0) }, to = p.to.flatMap { Self.dayStart($0) }
        if p.from != nil && from == nil { v.fail("from", "expected a date like 2026-03-01") }
        if p.to != nil && to == nil { v.fail("to", "expected a date like 2026-03-31") }
        if let t = p.text { v.optionalText(t, "text", max: 200) }
        var after: (Int64, String)? = nil
        if let c = p.cursor {
            let parts = c.split(separator: "~", maxSplits: 1)
            if parts.count == 2, let s = Int64(parts[0]) { after = (s, String(parts[1])) } else { v.fail("cursor", "not a cursor from a previous page") }
        }
        try v.finish()
        var sql = "SELECT doc, starts_utc, id FROM delegations WHERE 1=1"
        var args: [any SQLBindable] = []
        if let s = p.status { sql += " AND status = ?"; args.append(s.rawValue) }
        if let c = p.country { sql += " AND country = ?"; args.append(c.uppercased()) }
        if let c = p.continent { sql += " AND continent = ?"; args.append(c) }
        if let r = p.region { sql += " AND region = ?"; args.append(r) }
        if let k = p.kind { sql += " AND partner_kind = ?"; args.append(k.rawValue) }
        if let d = p.direction { sql += " AND direction = ?"; args.append(d.rawValue) }
        if let from { sql += " AND ends_utc >= ?"; args.append(from) }
        if let to { sql += " AND starts_utc < ?"; args.append(to + 86_400) }
        if let t = p.text?.trimmingWhitespace().lowercased(), !t.isEmpty {
            for word in t.split(separator: " ") {
                sql += " AND instr(search, ?) > 0"
                args.append(String(word))
            }
        }
        if let (s, id) = after { sql += " AND (starts_utc > ? OR (starts_utc = ? AND id > ?))"; args += [s, s, id] }
        sql += " ORDER BY starts_utc, id LIMIT ?"
        args.append(limit + 1)
        let rows = try store.read { db in try db.query(sql, args) }
        var items: [DelegationSummary] = []
        for r in rows.prefix(limit) { items.append(DelegationSummary(try JSONDecoding.decode(Delegation.self, from: Array(r.string(0)!.utf8)))) }
        let next = rows.count > limit ? rows[limit - 1] : nil
        return ListResult(items: items, nextCursor: next.map { "\($0.int(1)!)~\($0.string(2)!)" })
    }

    static func dayStart(_ s: String) -> Int64? {
        var why = ""
        guard let d = LocalDateTime.parse(s + "T00:00", why: &why) else { return nil }
        return d.epochSeconds(in: TimeZone(identifier: "UTC")!)
    }

    // MARK: checking

    func findings(_ db: Database, _ draft: DelegationDraft, excluding id: String?) throws -> [Finding] {
        let zone = draft.zone
        let s = draft.startsAt.epochSeconds(in: zone), e = draft.endsAt.epochSeconds(in: zone)
        // Items may lie outside the window (a finding of its own), so look around all of them.
        let starts = draft.itinerary.map { $0.startsAt.epochSeconds(in: zone) } + [s]
        let ends = draft.itinerary.map { $0.endsAt.epochSeconds(in: zone) } + [e]
        let others = try DelegationTables.bookings(db, overlapping: starts.min()!, ends.max()!, excluding: id)
        return ItineraryChecker.check(draft, others: others)
    }

    /// Runs the checker on a draft (or a stored delegation) without saving anything.
    func check(draft: DelegationDraft?, id: String?) throws -> CheckResult {
        try store.read { db in
            var d = draft
            var selfID = id
            if d == nil, let id {
                guard let stored = try DelegationTables.load(db, idOrRef: id) else { throw ServiceError.notFound("delegation", id) }
                d = stored.draft
                selfID = stored.id
            }
            guard let d else { throw ServiceError.invalidParams(field: "", "give a delegation (its fields) or an id") }
            try d.validate()
            let f = try findings(db, d, excluding: selfID)
            return CheckResult(ok: f.isEmpty, findings: f)
        }
    }

    // MARK: changes

    /// Loads, checks the version and the transition, applies `change`, saves, records history
    /// and emits `event`. The decoding, the change, validation and every encoding happen before
    /// the write transaction, on a snapshot; the transaction then checks that the version it
    /// started from is still the stored one (otherwise the caller's `expected_version` is stale:
    /// `conflict`), runs `guarded` (checks that must see the committed state, such as clashes
    /// with other visits) and writes. The writer, which every change waits for, does SQL only.
    func transition(id: String, expectedVersion: Int, action: DelegationAction, uid: UInt32, event: String?,
                    emitWhen: @escaping @Sendable (DelegationStatus) -> Bool = { _ in true },
                    guarded: ((Delegation, Database) throws -> Void)? = nil,
                    _ change: (inout Delegation) throws -> Void) throws -> (Delegation, [Finding], JSONValue) {
        guard let (loaded, before) = try store.read({ db in try DelegationTables.loadWithTree(db, idOrRef: id) }) else {
            throw ServiceError.notFound("delegation", id)
        }
        var d = loaded
        if d.version != expectedVersion { throw Self.stale(d, expectedVersion) }
        if let why = action.refusal(from: d.status) {
            throw ServiceError(.failedPrecondition, "delegation \(d.ref): \(why)", retryable: false,
                               details: ["current_state": .string(d.status.rawValue), "requested_state": .string(action.target(from: d.status).rawValue)])
        }
        let from = d.status
        let emitting = event != nil && emitWhen(from)
        try change(&d)
        d.status = action.target(from: from)
        d.version += 1
        let t = now()
        d.updatedAt = Logger.timestamp(millis: t)
        try d.draft.validate()
        let after = JSONEncoding.encode(d)
        let row = DelegationTables.Row(d, tree: after)
        let changes = JSONWriter.string(DelegationTables.diff(before, after))
        let eventData = emitting ? Array(row.doc.utf8) : []
        let changed = d
        try store.write { [self] db in
            guard let stored = try DelegationTables.version(db, id: changed.id) else { throw ServiceError.notFound("delegation", id) }
            if stored != expectedVersion { throw Self.stale(changed, expectedVersion, current: stored) }
            try guarded?(changed, db)
            try DelegationTables.save(db, row, insert: false, nowMillis: t)
            try DelegationTables.record(db, id: changed.id, version: changed.version, uid: uid, action: action.rawValue, changesJSON: changes, nowMillis: t)
            if let event, emitting {
                try Outbox.append(db, source: source, type: event, subject: "delegation/\(changed.id)", partitionKey: "delegation/\(changed.id)",
                                  dataJSON: eventData, subscribers: subscribers(event).filter { $0 != source }, nowMillis: t)
            }
        }
        // What the checker says of the saved itinerary (advice; refusals are `guarded`).
        let f = try store.read { db in try findings(db, changed.draft, excluding: changed.id) }
        return (changed, f, after)
    }

    /// The `conflict` for a stale `expected_version`.
    static func stale(_ d: Delegation, _ expected: Int, current: Int? = nil) -> ServiceError {
        let v = current ?? d.version
        return ServiceError(.conflict, "delegation \(d.ref) is at version \(v), not \(expected); get it again and reapply your change",
                            retryable: false, details: ["current_version": .int(Int64(v)), "expected_version": .int(Int64(expected))])
    }

    /// Refuses (with conflict and the whole list) when the checker finds anything.
    static func refuseClashes(_ f: [Finding], _ d: Delegation, doing: String) throws {
        guard !f.isEmpty else { return }
        let list = f.map(\.message).joined(separator: "; ")
        throw ServiceError(.conflict, "cannot \(doing) \(d.ref): the itinerary has \(f.count) clash\(f.count == 1 ? "" : "es"): \(list)", retryable: false,
                           details: ["findings": JSONEncoding.encode(f)])
    }

    package func confirm(id: String, expectedVersion: Int, uid: UInt32) throws -> JSONValue {
        try transition(id: id, expectedVersion: expectedVersion, action: .confirm, uid: uid, event: "delegation.confirmed", guarded: { d, db in
            try Self.refuseClashes(try self.findings(db, d.draft, excluding: d.id), d, doing: "confirm")
        }) { _ in }.2
    }

    func reschedule(_ p: RescheduleParams, uid: UInt32) throws -> (Delegation, [Finding], JSONValue) {
        guard p.startsAt != nil || p.endsAt != nil || p.timeZone != nil || p.itinerary != nil else {
            throw ServiceError.invalidParams(field: "", "give at least one of starts_at, ends_at, time_zone, itinerary")
        }
        var v = Validator()
        v.optionalText(p.reason, "reason", max: Limits.reason, multiline: true)
        try v.finish()
        return try transition(id: p.id, expectedVersion: p.expectedVersion, action: .reschedule, uid: uid, event: "delegation.rescheduled",
                              guarded: { d, db in
            if d.status == .confirmed {
                try Self.refuseClashes(try self.findings(db, d.draft, excluding: d.id), d, doing: "reschedule")
            }
        }) { d in
            if let s = p.startsAt { d.draft.startsAt = s }
            if let e = p.endsAt { d.draft.endsAt = e }
            if let z = p.timeZone { d.draft.timeZone = z }
            if let i = p.itinerary { d.draft.itinerary = i }
            d.scheduleVersion += 1
        }
    }

    func cancel(_ p: TransitionParams, uid: UInt32) throws -> JSONValue {
        var v = Validator()
        if let r = p.reason { v.text(r, "reason", max: Limits.reason, multiline: true) } else { v.fail("reason", "required: why the visit is cancelled") }
        try v.finish()
        return try transition(id: p.id, expectedVersion: p.expectedVersion, action: .cancel, uid: uid, event: "delegation.cancelled") { d in
            d.cancelReason = p.reason
            d.scheduleVersion += 1
        }.2
    }

    func postpone(_ p: TransitionParams, uid: UInt32) throws -> JSONValue {
        var v = Validator()
        v.optionalText(p.reason, "reason", max: Limits.reason, multiline: true)
        try v.finish()
        return try transition(id: p.id, expectedVersion: p.expectedVersion, action: .postpone, uid: uid, event: "delegation.postponed") { d in
            d.postponedReason = p.reason
            d.scheduleVersion += 1
        }.2
    }

    func start(_ p: TransitionParams, uid: UInt32) throws -> JSONValue {
        try transition(id: p.id, expectedVersion: p.expectedVersion, action: .start, uid: uid, event: "delegation.started") { _ in }.2
    }

    func complete(_ p: TransitionParams, uid: UInt32) throws -> JSONValue {
        var v = Validator()
        if let o = p.outcome { v.text(o, "outcome", max: Limits.notes, multiline: true) } else { v.fail("outcome", "required: what came of the visit") }
        try v.finish()
        return try transition(id: p.id, expectedVersion: p.expectedVersion, action: .complete, uid: uid, event: "delegation.completed") { d in
            d.outcome = p.outcome
        }.2
    }

    /// Schedule fields: on a confirmed visit they change only through reschedule.
    static let scheduleFields: Set<String> = ["starts_at", "ends_at", "time_zone", "itinerary"]

    /// Replaces the fields given in `changes` (draft fields; unknown ones are ignored).
    func update(id: String, expectedVersion: Int, changes: JSONObject, uid: UInt32) throws -> (Delegation, [Finding], JSONValue) {
        let given = Set(changes.keys).intersection(DelegationDraft.fields.map(\.name))
        guard !given.isEmpty else {
            throw ServiceError.invalidParams(field: "", "nothing to change: give one or more of \(DelegationDraft.fields.map(\.name).joined(separator: ", "))")
        }
        return try transition(id: id, expectedVersion: expectedVersion, action: .update, uid: uid, event: "delegation.updated",
                              emitWhen: { [.confirmed, .inProgress].contains($0) }) { d in
            if [.confirmed, .inProgress].contains(d.status), let f = given.intersection(Self.scheduleFields).sorted().first {
                throw ServiceError(.failedPrecondition, "\(f): delegation \(d.ref) is \(d.status.rawValue); change its schedule with delegations.reschedule",
                                   retryable: false, details: ["field": .string(f), "current_state": .string(d.status.rawValue)])
            }
            guard case .object(var merged) = JSONEncoding.encode(d.draft) else { return }
            for key in given { merged[key] = changes[key] }
            d.draft = try JSONDecoding.decode(DelegationDraft.self, from: .object(merged))
            if !given.isDisjoint(with: Self.scheduleFields) { d.scheduleVersion += 1 }
        }
    }

    /// The audit trail, oldest first.
    func history(_ idOrRef: String) throws -> HistoryResult {
        try store.read { db in
            guard let d = try DelegationTables.load(db, idOrRef: idOrRef) else { throw ServiceError.notFound("delegation", idOrRef) }
            let rows = try db.query("SELECT version, at_ms, uid, action, changes FROM history WHERE delegation_id = ? ORDER BY seq", [d.id])
            return HistoryResult(id: d.id, items: try rows.map { r in
                HistoryEntry(version: Int(r.int(0)!), at: Logger.timestamp(millis: r.int(1)!), uid: r.int(2)!, action: r.string(3)!,
                             changes: try JSONParser.parse(r.string(4)!))
            })
        }
    }
}
