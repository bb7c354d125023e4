import Foundation
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The agreements service's handlers, callable without sockets.
package final class AgreementsLogic: Sendable {
    let store: Store
    let source: String
    let subscribers: @Sendable (String) -> [String]
    let now: @Sendable () -> Int64
    /// Days before `ends_on` at which agreement.expiring fires.
    let expiringLeadDays: [Int]

    package static let eventTypes = ["agreement.signed", "agreement.activated", "agreement.expiring", "agreement.expired",
                                     "agreement.terminated", "agreement.renewed", "agreement.suspended", "agreement.resumed", "agreement.amended"]

    package init(store: Store, source: String, subscribers: @escaping @Sendable (String) -> [String], expiringLeadDays: [Int] = [90, 30, 7],
                 now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) {
        self.store = store
        self.source = source
        self.subscribers = subscribers
        self.expiringLeadDays = expiringLeadDays.sorted(by: >)
        self.now = now
    }

    var today: LocalDate { LocalDate.utc(millis: now()) }

    func emit(_ db: Database, _ type: String, _ a: Agreement, extra: JSONObject = [:], nowMillis: Int64) throws {
        var data = JSONEncoding.encode(a)
        if case .object(var o) = data, !extra.members.isEmpty {
            for m in extra.members { o[m.key] = m.value }
            data = .object(o)
        }
        try Outbox.append(db, source: source, type: type, subject: "agreement/\(a.id)", partitionKey: "agreement/\(a.id)", data: data,
                          subscribers: subscribers(type).filter { $0 != source }, nowMillis: nowMillis)
    }

    // MARK: create, read

    package func create(_ draft: AgreementDraft, uid: UInt32) throws -> (Agreement, Bool) {
        try draft.validate()
        return try store.write { [self] db in
            if let key = draft.externalKey, let row = try db.queryOne("SELECT id FROM agreements WHERE external_key = ?", [key]) {
                return (try AgreementTables.load(db, row.string(0)!)!, false)
            }
            let t = now()
            let year = (draft.signedOn ?? draft.startsOn ?? today).year
            let reference = try draft.reference ?? AgreementTables.nextReference(db, year: year)
            let stamp = Logger.timestamp(millis: t)
            var d = draft
            d.reference = reference
            let a = Agreement(id: IDs.make("agr"), reference: reference, version: 1, status: .draft, draft: d, createdAt: stamp, updatedAt: stamp)
            try AgreementTables.save(db, a, insert: true, nowMillis: t)
            try AgreementTables.record(db, a, uid: uid, action: "create", changes: ["created": JSONEncoding.encode(a)], nowMillis: t)
            return (a, true)
        }
    }

    package func get(_ id: String) throws -> Agreement {
        try store.read { db in
            guard let a = try AgreementTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            return a
        }
    }

    func list(status: String?, kind: String?, country: String?, continent: String?, text: String?, limit: Int) throws -> [Agreement] {
        var clause = "1=1"
        var args: [any SQLBindable] = []
        if let s = status { clause += " AND status = ?"; args.append(s) }
        if let k = kind { clause += " AND kind = ?"; args.append(k) }
        if let c = country { clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE country = ?)"; args.append(c.uppercased()) }
        if let c = continent { clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE continent = ?)"; args.append(c) }
        if let t = text?.lowercased(), !t.isEmpty { clause += " AND instr(lower(doc), ?) > 0"; args.append(t) }
        return try store.read { db in try AgreementTables.loadAll(db, where: clause, args, limit: min(max(limit, 1), 1000)) }
    }

    // MARK: changes

    /// Loads, checks version and transition, applies `change`, validates, saves, records history
    /// and emits — one transaction. Returns the agreement after the change.
    func transition(_ id: String, expectedVersion: Int?, action: AgreementAction, uid: UInt32, event: String?,
                    _ change: @escaping (inout Agreement, Database) throws -> Void) throws -> Agreement {
        try store.write { [self] db in
            guard let loaded = try AgreementTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            var a = loaded
            if let expectedVersion, a.version != expectedVersion {
                throw ServiceError(.conflict, "agreement \(a.reference) is at version \(a.version), not \(expectedVersion); get it again and reapply your change",
                                   retryable: false, details: ["current_version": .int(Int64(a.version)), "expected_version": .int(Int64(expectedVersion))])
            }
            if let why = action.refusal(from: a.status) {
                throw ServiceError(.failedPrecondition, "agreement \(a.reference): \(why)", retryable: false,
                                   details: ["current_state": .string(a.status.rawValue), "requested_state": .string(action.target(from: a.status).rawValue)])
            }
            let before = JSONEncoding.encode(a)
            let from = a.status
            try change(&a, db)
            if a.status == from && action != .amend && action != .update { a.status = action.target(from: from) }
            try a.draft.validate()
            let t = now()
            a.version += 1
            a.updatedAt = Logger.timestamp(millis: t)
            try AgreementTables.save(db, a, insert: false, nowMillis: t)
            try AgreementTables.record(db, a, uid: uid, action: action.rawValue, changes: AgreementTables.diff(before, JSONEncoding.encode(a)), nowMillis: t)
            if let event { try emit(db, event, a, nowMillis: t) }
            // Dates drive the state: a signed agreement whose start has come is active at once.
            if a.status == .signed, let s = a.draft.startsOn, s <= today { try activate(&a, db, uid: uid, nowMillis: t) }
            return a
        }
    }

    /// signed → active inside the caller's transaction (sign, renew and the sweep use it).
    func activate(_ a: inout Agreement, _ db: Database, uid: UInt32, nowMillis t: Int64) throws {
        let before = JSONEncoding.encode(a)
        a.status = .active
        if a.draft.startsOn == nil { a.draft.startsOn = today }
        a.version += 1
        a.updatedAt = Logger.timestamp(millis: t)
        try AgreementTables.save(db, a, insert: false, nowMillis: t)
        try AgreementTables.record(db, a, uid: uid, action: "activate", changes: AgreementTables.diff(before, JSONEncoding.encode(a)), nowMillis: t)
        try emit(db, "agreement.activated", a, nowMillis: t)
    }

    /// Fields an `update` (draft, negotiating) may replace.
    static let updatable: Set<String> = ["title", "kind", "partners", "coordinator", "focus_areas", "signatories", "signed_on", "starts_on", "ends_on",
                                         "notice_period_days", "auto_renew", "places_per_year", "documents", "notes"]
    /// Fields an amendment (signed, active, suspended) may change.
    static let amendable: Set<String> = ["title", "partners", "coordinator", "focus_areas", "signatories", "ends_on", "notice_period_days", "auto_renew",
                                         "places_per_year", "documents", "notes"]

    /// Merges `changes` (a subset of `allowed`) into the draft.
    static func merge(_ a: inout Agreement, _ changes: JSONObject, allowed: Set<String>) throws -> [String] {
        let given = changes.keys.filter { allowed.contains($0) }
        let refused = changes.keys.filter { !allowed.contains($0) && AgreementDraftFields.all.contains($0) }
        if let f = refused.first {
            throw ServiceError(.failedPrecondition, "\(f): cannot be changed while the agreement is \(a.status.rawValue)", retryable: false, details: ["field": .string(f)])
        }
        guard !given.isEmpty else { throw ServiceError.invalidParams(field: "", "nothing to change: give one or more of \(allowed.sorted().joined(separator: ", "))") }
        guard case .object(var merged) = JSONEncoding.encode(a.draft) else { return [] }
        for k in given { merged[k] = changes[k] }
        let reference = a.draft.reference
        a.draft = try JSONDecoding.decode(AgreementDraft.self, from: .object(merged))
        a.draft.reference = reference
        return given
    }

    func update(_ id: String, expectedVersion: Int, changes: JSONObject, uid: UInt32) throws -> Agreement {
        try transition(id, expectedVersion: expectedVersion, action: .update, uid: uid, event: nil) { a, _ in
            _ = try Self.merge(&a, changes, allowed: Self.updatable)
        }
    }

    func sign(_ id: String, expectedVersion: Int, signedOn: LocalDate?, signatories: [Signatory]?, uid: UInt32) throws -> Agreement {
        try transition(id, expectedVersion: expectedVersion, action: .sign, uid: uid, event: "agreement.signed") { [self] a, _ in
            a.draft.signedOn = signedOn ?? a.draft.signedOn ?? today
            if let signatories { a.draft.signatories = signatories }
            guard !a.draft.signatories.isEmpty else {
                throw ServiceError.invalidParams(field: "signatories", "an agreement is signed by someone: give the signatories (BIT's and the partners')")
            }
        }
    }

    func activate(_ id: String, expectedVersion: Int, startsOn: LocalDate?, uid: UInt32) throws -> Agreement {
        try transition(id, expectedVersion: expectedVersion, action: .activate, uid: uid, event: "agreement.activated") { [self] a, _ in
            a.draft.startsOn = startsOn ?? a.draft.startsOn ?? today
            if let s = a.draft.startsOn, s > today {
                throw ServiceError(.failedPrecondition, "agreement \(a.reference) starts on \(s); it becomes active on its own then", retryable: false)
            }
        }
    }

    func simple(_ id: String, expectedVersion: Int, action: AgreementAction, reason: String?, uid: UInt32) throws -> Agreement {
        var v = Validator()
        if action == .terminate || action == .suspend {
            if let r = reason { v.text(r, "reason", max: Limits.reason, multiline: true) } else { v.fail("reason", "required: why the agreement is \(action == .terminate ? "terminated" : "suspended")") }
        }
        try v.finish()
        let event: String? = switch action {
        case .terminate: "agreement.terminated"
        case .suspend: "agreement.suspended"
        case .resume: "agreement.resumed"
        case .negotiate: nil
        default: nil
        }
        return try transition(id, expectedVersion: expectedVersion, action: action, uid: uid, event: event) { a, _ in
            if action == .terminate { a.terminationReason = reason }
            if action == .suspend { a.suspensionReason = reason }
            if action == .resume { a.suspensionReason = nil }
        }
    }

    func amend(_ id: String, expectedVersion: Int, summary: String, effectiveOn: LocalDate?, changes: JSONObject, uid: UInt32) throws -> Agreement {
        var v = Validator()
        v.text(summary, "summary", max: Limits.reason, multiline: true)
        try v.finish()
        return try transition(id, expectedVersion: expectedVersion, action: .amend, uid: uid, event: "agreement.amended") { [self] a, _ in
            let before = a.draft
            let fields = try Self.merge(&a, changes, allowed: Self.amendable)
            guard case .object(let old) = JSONEncoding.encode(before), case .object(let new) = JSONEncoding.encode(a.draft) else { return }
            var diff: [String: FieldChange] = [:]
            for f in fields where old[f] != new[f] {
                diff[f] = FieldChange(from: old[f].map { JSONWriter.string($0) } ?? "null", to: new[f].map { JSONWriter.string($0) } ?? "null")
            }
            guard !diff.isEmpty else { throw ServiceError.invalidParams(field: "changes", "the changes leave the agreement as it was") }
            let n = a.amendments.count + 1
            a.amendments.append(Amendment(number: n, reference: "\(a.reference)-A\(n)", summary: summary, effectiveOn: effectiveOn ?? today,
                                          changes: diff, at: Logger.timestamp(millis: now())))
        }
    }

    /// Renewal: a successor record (new term) linked to the original, which becomes superseded.
    func renew(_ id: String, expectedVersion: Int?, endsOn: LocalDate, startsOn: LocalDate?, signedOn: LocalDate?, uid: UInt32) throws -> (Agreement, Agreement) {
        try store.write { [self] db in
            guard let loaded = try AgreementTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            var old = loaded
            if let expectedVersion, old.version != expectedVersion {
                throw ServiceError(.conflict, "agreement \(old.reference) is at version \(old.version), not \(expectedVersion)", retryable: false,
                                   details: ["current_version": .int(Int64(old.version))])
            }
            if let why = AgreementAction.renew.refusal(from: old.status) {
                throw ServiceError(.failedPrecondition, "agreement \(old.reference): \(why)", retryable: false,
                                   details: ["current_state": .string(old.status.rawValue), "requested_state": "superseded"])
            }
            let t = now()
            let successor = try makeSuccessor(db, of: &old, endsOn: endsOn, startsOn: startsOn, signedOn: signedOn, uid: uid, nowMillis: t)
            return (old, successor)
        }
    }

    func makeSuccessor(_ db: Database, of old: inout Agreement, endsOn: LocalDate, startsOn: LocalDate?, signedOn: LocalDate?, uid: UInt32, nowMillis t: Int64) throws -> Agreement {
        let start = startsOn ?? old.draft.endsOn.map { $0.adding(days: 1) } ?? today
        var draft = old.draft
        let renewals = (try db.queryOne("SELECT count(*) FROM agreements WHERE reference LIKE ?", [old.reference.split(separator: "-R").first.map(String.init)! + "-R%"])?.int(0) ?? 0) + 1
        let base = old.reference.split(separator: "-R").first.map(String.init) ?? old.reference
        draft.reference = "\(base)-R\(renewals)"
        draft.startsOn = start
        draft.endsOn = endsOn
        draft.signedOn = signedOn ?? min(today, start)
        draft.externalKey = nil
        try draft.validate()
        let stamp = Logger.timestamp(millis: t)
        var successor = Agreement(id: IDs.make("agr"), reference: draft.reference!, version: 1, status: .signed, draft: draft, createdAt: stamp, updatedAt: stamp)
        successor.predecessorID = old.id
        successor.delegations = old.delegations
        try AgreementTables.save(db, successor, insert: true, nowMillis: t)
        try AgreementTables.record(db, successor, uid: uid, action: "create", changes: ["renewal_of": .string(old.id)], nowMillis: t)
        let before = JSONEncoding.encode(old)
        old.status = .superseded
        old.successorID = successor.id
        old.version += 1
        old.updatedAt = stamp
        try AgreementTables.save(db, old, insert: false, nowMillis: t)
        try AgreementTables.record(db, old, uid: uid, action: "renew", changes: AgreementTables.diff(before, JSONEncoding.encode(old)), nowMillis: t)
        try emit(db, "agreement.renewed", old, extra: ["successor": JSONEncoding.encode(successor)], nowMillis: t)
        if start <= today { try activate(&successor, db, uid: uid, nowMillis: t) }
        return successor
    }

    func addActivity(_ id: String, on: LocalDate, kind: String, summary: String, count: Int?, uid: UInt32) throws -> Agreement {
        var v = Validator()
        v.check(["exchange", "visit", "workshop", "research", "outcome", "other"].contains(kind), "kind", "one of exchange, visit, workshop, research, outcome, other")
        v.text(summary, "summary", max: Limits.reason, multiline: true)
        if let c = count { v.check((0...1_000_000).contains(c), "count", "must be 0 to 1000000") }
        try v.finish()
        return try store.write { [self] db in
            guard let loaded = try AgreementTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            var a = loaded
            let t = now()
            a.activities.append(Activity(id: (a.activities.map(\.id).max() ?? 0) + 1, on: on, kind: kind, summary: summary, count: count))
            a.activities.sort { $0.on < $1.on }
            a.version += 1
            a.updatedAt = Logger.timestamp(millis: t)
            try AgreementTables.save(db, a, insert: false, nowMillis: t)
            try AgreementTables.record(db, a, uid: uid, action: "add_activity", changes: ["activity": ["on": .string(on.description), "summary": .string(summary)]], nowMillis: t)
            return a
        }
    }

    /// Links a delegation this service knows (from delegation events) to the agreement.
    func link(_ id: String, delegationID: String, relation: String, uid: UInt32) throws -> Agreement {
        guard ["led_to", "followed_from"].contains(relation) else { throw ServiceError.invalidParams(field: "relation", "led_to or followed_from") }
        return try store.write { [self] db in
            guard let loaded = try AgreementTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            var a = loaded
            guard let p = try db.queryOne("SELECT id, ref, title, country, starts_at FROM delegation_projection WHERE id = ? OR ref = ?", [delegationID, delegationID]) else {
                throw ServiceError(.notFound, "delegation \(delegationID) is not known here yet (delegations become known when they are confirmed or change)",
                                   retryable: true, details: ["delegation_id": .string(delegationID)])
            }
            let did = p.string(0)!
            a.delegations.removeAll { $0.delegationID == did }
            a.delegations.append(DelegationLink(delegationID: did, relation: relation, ref: p.string(1), title: p.string(2), country: p.string(3), startsAt: p.string(4)))
            let t = now()
            a.version += 1
            a.updatedAt = Logger.timestamp(millis: t)
            try AgreementTables.save(db, a, insert: false, nowMillis: t)
            try AgreementTables.record(db, a, uid: uid, action: "link_delegation", changes: ["delegation": .string(did), "relation": .string(relation)], nowMillis: t)
            return a
        }
    }

    func history(_ id: String) throws -> JSONValue {
        try store.read { db in
            guard let a = try AgreementTables.load(db, id) else { throw ServiceError.notFound("agreement", id) }
            let rows = try db.query("SELECT version, at_ms, uid, action, changes FROM agreement_history WHERE agreement_id = ? ORDER BY seq", [a.id])
            return ["id": .string(a.id), "reference": .string(a.reference), "items": .array(try rows.map { r in
                ["version": .int(r.int(0)!), "at": .string(Logger.timestamp(millis: r.int(1)!)), "uid": .int(r.int(2)!), "action": .string(r.string(3)!),
                 "changes": try JSONParser.parse(r.string(4)!)]
            })]
        }
    }
}

/// The draft's field names on the wire.
enum AgreementDraftFields {
    static let all: Set<String> = ["reference", "title", "kind", "partners", "coordinator", "focus_areas", "signatories", "signed_on", "starts_on", "ends_on",
                                   "notice_period_days", "auto_renew", "places_per_year", "documents", "notes", "external_key"]
}
