import LiaisonAPI
import LiaisonJSON
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// Retention: `settings.retention_days` (default 365) after a visit ends — or is cancelled — its
/// members' and hosts' emails, phones and needs (and, with `retention_keeps_names: false`, their
/// names) are purged here, in the history rows (the chain still verifies), in the outbox, and —
/// through `delegation.purged` — in every service holding a copy.
extension DelegationsLogic {
    /// Visits whose people's data is (or, with `dueOnly` false, will be) purged, with the day.
    func retention(_ p: RetentionParams, uid: UInt32) throws -> RetentionList {
        let now = self.now()
        let cutoff = Int64(settings.retentionDays) * 86_400
        let rows = try store.read { db in
            try db.query(
                """
                SELECT id, ref, json_extract(doc, '$.title') AS title, status,
                    CASE status WHEN 'cancelled' THEN updated_ms / 1000 ELSE ends_utc END AS ended
                FROM delegations WHERE status IN ('completed', 'cancelled') AND purged_ms IS NULL ORDER BY ended, id
                """)
        }
        var items: [RetentionList.Item] = []
        for r in rows {
            let ended: Int64 = try r["ended"]
            let due = ended + cutoff
            items.append(
                RetentionList.Item(
                    id: try r["id"], ref: try r["ref"], title: try r["title"] ?? "", status: try r["status"],
                    purgeOn: LocalDate.utc(millis: due * 1000), due: due * 1000 <= now))
        }
        if p.dueOnly == true || p.apply == true { items = items.filter(\.due) }
        var purged: [String] = []
        if p.apply == true { for item in items { if try purge(item.id, uid: uid) { purged.append(item.ref) } } }
        return RetentionList(days: settings.retentionDays, keepsNames: settings.retentionKeepsNames, items: items, purged: purged)
    }

    /// Purges one visit's people's personal data everywhere this service keeps it; false when
    /// it was already purged.
    func purge(_ id: String, uid: UInt32) throws -> Bool {
        let keepNames = settings.retentionKeepsNames
        return try store.write { [self] db in
            guard let (d0, before) = try DelegationsTables.loadWithTree(db, idOrRef: id) else {
                throw ServiceError.notFound("delegation", id)
            }
            let already: Int64? = try db.queryOne("SELECT purged_ms FROM delegations WHERE id = ?", [d0.id])?["purged_ms"]
            guard already == nil else { return false }
            let t = now()
            var d = Self.scrubbed(d0, keepNames: keepNames)
            d.version += 1
            d.updatedAt = Timestamp.rfc3339(millis: t)
            let tree = JSONEncoding.encode(d)
            try DelegationsTables.save(db, d, tree: tree, insert: false, nowMillis: t)
            try db.run("UPDATE delegations SET purged_ms = ? WHERE id = ?", [t, d.id])
            // Earlier history rows keep only the digests of what they said about people.
            for row in try db.query("SELECT seq, changes FROM history WHERE delegation_id = ?", [d.id]) {
                let changes = try JSONParser.parse(try row["changes"] as [UInt8])
                let redacted = Self.redact(changes, keepNames: keepNames)
                try db.run("UPDATE history SET changes = ? WHERE seq = ?", [JSONWriter.string(redacted), try row["seq"] as Int64])
            }
            let what: JSONValue = [
                "purged": .array(
                    (["members: email, phone, needs", "hosts: email, phone"] + (keepNames ? [] : ["names"])).map { .string($0) }),
                "retention_days": .int(Int64(settings.retentionDays)),
            ]
            _ = before
            try DelegationsTables.history.record(
                db, id: d.id, version: d.version, uid: uid, action: "purge", changesJSON: JSONWriter.string(what), nowMillis: t)
            // The events already sent carry the same data: they keep the purged visit instead.
            let scrubbedData = JSONWriter.string(tree)
            for row in try db.query("SELECT seq, event FROM outbox WHERE partition_key = ?", ["delegation/\(d.id)"]) {
                guard case .object(var e) = try JSONParser.parse(try row["event"] as [UInt8]) else { continue }
                e["data"] = try JSONParser.parse(Array(scrubbedData.utf8))
                try db.run("UPDATE outbox SET event = ? WHERE seq = ?", [JSONWriter.string(.object(e)), try row["seq"] as Int64])
            }
            // The event says whether names stay, so the copies follow the same setting.
            var data = tree
            if case .object(var o) = tree {
                o["keeps_names"] = .bool(keepNames)
                data = .object(o)
            }
            try Outbox.append(
                db, source: changes.source, type: .delegationPurged, subject: "delegation/\(d.id)", dataJSON: JSONWriter.encode(data),
                subscribers: changes.subscriptions.of(.delegationPurged), nowMillis: t)
            return true
        }
    }

    /// The visit without its people's personal data: emails, phones and needs (and names unless
    /// kept); the itinerary names people by name instead of email.
    static func scrubbed(_ d0: Delegation, keepNames: Bool) -> Delegation {
        var d = d0
        var byEmail: [String: String] = [:]
        for (i, m) in d.draft.members.enumerated() {
            let name = keepNames ? m.name : "Member \(i + 1)"
            if let e = m.email { byEmail[e.lowercased()] = name }
            d.draft.members[i].email = nil
            d.draft.members[i].phone = nil
            d.draft.members[i].needs = nil
            d.draft.members[i].name = name
            if !keepNames { d.draft.members[i].nameLocal = nil }
        }
        for (i, h) in d.draft.hosts.enumerated() {
            let name = keepNames ? h.name : "Host \(i + 1)"
            byEmail[h.email.lowercased()] = name
            d.draft.hosts[i].email = ""
            d.draft.hosts[i].phone = nil
            d.draft.hosts[i].name = name
            if !keepNames { d.draft.hosts[i].nameLocal = nil }
        }
        for i in d.draft.itinerary.indices {
            d.draft.itinerary[i].attendees = d.draft.itinerary[i].attendees.map { byEmail[$0.lowercased()] ?? (keepNames ? $0 : "member") }
            d.draft.itinerary[i].hosts = d.draft.itinerary[i].hosts.map { byEmail[$0.lowercased()] ?? "host" }
        }
        return d
    }

    /// A history row's changes with personal values replaced by `purged:` and their digest,
    /// which the hash chain reads as it read the values themselves.
    static func redact(_ v: JSONValue, keepNames: Bool, personalNames: Bool = false) -> JSONValue {
        switch v {
        case .string(let s) where personalNames: return .string(History.purgedValue(s))
        case .array(let items): return .array(items.map { redact($0, keepNames: keepNames, personalNames: personalNames) })
        case .object(let o):
            var out = JSONObject()
            for m in o.members {
                let personal =
                    ["email", "phone", "dietary", "accessibility", "needs", "attendees"].contains(m.key)
                    || (m.key == "hosts" && History.isStrings(m.value))
                if m.key == "members" {
                    out[m.key] = redactMembers(m.value, keepNames: keepNames)
                } else {
                    out[m.key] = redact(m.value, keepNames: keepNames, personalNames: personalNames || personal)
                }
            }
            return .object(out)
        default: return v
        }
    }

    static func redactMembers(_ v: JSONValue, keepNames: Bool) -> JSONValue {
        switch v {
        case .array(let items):
            return .array(
                items.map { item in
                    guard case .object(let o) = item else { return redact(item, keepNames: keepNames) }
                    var out = JSONObject()
                    for m in o.members {
                        let isName = m.key == "name" || m.key == "name_local"
                        out[m.key] =
                            isName && keepNames
                            ? m.value : redact(.object([m.key: m.value]), keepNames: keepNames, personalNames: isName)[m.key]
                    }
                    return .object(out)
                })
        case .object(let o):
            var out = JSONObject()
            for m in o.members { out[m.key] = redactMembers(m.value, keepNames: keepNames) }
            return .object(out)
        default: return redact(v, keepNames: keepNames)
        }
    }
}

/// Purges what is due, at start and then every day.
final class RetentionSweep: Component {
    let name = "retention"
    private let loop: BackgroundLoop

    init(logic: DelegationsLogic, log: Logger) {
        loop = BackgroundLoop(name: "delegations-retention") { _ in
            do {
                let r = try logic.retention(RetentionParams(dueOnly: true, apply: true), uid: 0)
                if !r.purged.isEmpty { log.info("retention.purged", ["visits": r.purged.joined(separator: ","), "days": String(r.days)]) }
            } catch {
                log.error("retention.failed", ["error": "\(error)"])
            }
            return .atMost(ms: 86_400_000)
        }
    }

    func start() throws { try loop.start() }

    func stop(deadline: UInt64) { loop.stop(timeoutMs: Components.millisLeft(until: deadline)) }
}
