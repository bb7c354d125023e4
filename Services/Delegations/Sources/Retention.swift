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
        let dueBy = now / 1000 - cutoff
        let after = try p.cursor.map { c -> (Int64, String) in
            guard let (e, id) = KeyedCursor.parse(c), let ended = Int64(e) else {
                throw ServiceError.invalidParams(field: "cursor", "not a cursor this method gave")
            }
            return (ended, id)
        }
        // Without a limit, every row (as 0.1.0 answered); today's callers page.
        let limit = p.limit ?? Int.max
        let (rows, counts) = try store.read { db in
            (
                try DelegationsTables.unpurged(
                    db,
                    endedBy: p.dueOnly == true || p.apply == true ? dueBy : nil,
                    after: after,
                    limit: limit == Int.max ? limit : limit + 1
                ),
                try DelegationsTables.unpurgedCounts(db, endedBy: dueBy)
            )
        }
        let page = Array(rows.prefix(limit))
        let items = page.map { r in
            let due = r.ended + cutoff
            return RetentionList.Item(
                id: r.id,
                ref: r.ref,
                title: r.title,
                status: r.status,
                purgeOn: LocalDate.utc(millis: due * 1000),
                due: due * 1000 <= now
            )
        }
        var purged: [String] = []
        if p.apply == true { for item in items { if try purge(item.id, uid: uid) { purged.append(item.ref) } } }
        var out = RetentionList(
            days: settings.retentionDays,
            keepsNames: settings.retentionKeepsNames,
            items: items,
            purged: purged
        )
        out.total = p.dueOnly == true || p.apply == true ? counts.due : counts.all
        out.dueTotal = counts.due
        if rows.count > limit, let last = page.last { out.nextCursor = KeyedCursor.make(String(last.ended), last.id) }
        return out
    }

    /// Purges one visit's people's personal data everywhere this service keeps it; false when
    /// it was already purged.
    func purge(_ id: String, uid: UInt32) throws -> Bool {
        let keepNames = settings.retentionKeepsNames
        return try store.write { [self] db in
            guard let (d0, before, _) = try changes.table.load(db, id) else {
                throw ServiceError.notFound("delegation", id)
            }
            guard try DelegationsTables.purgedAt(db, id: d0.id) == nil else { return false }
            let t = now()
            var d = Self.scrubbed(d0, keepNames: keepNames)
            let what: JSONValue = [
                "purged": .array(
                    (["members: email, phone, needs", "hosts: email, phone"] + (keepNames ? [] : ["names"])).map {
                        .string($0)
                    }
                ),
                "retention_days": .int(Int64(settings.retentionDays)),
            ]
            // The event says whether names stay, so the copies follow the same setting.
            try changes.purge(
                db,
                &d,
                before: before,
                uid: uid,
                note: what,
                redact: { Self.redact($0, keepNames: keepNames) },
                event: .delegationPurged,
                extra: ["keeps_names": .bool(keepNames)],
                nowMillis: t
            )
            try DelegationsTables.markPurged(db, id: d.id, nowMillis: t)
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
            d.draft.itinerary[i].attendees = d.draft.itinerary[i].attendees.map {
                byEmail[$0.lowercased()] ?? (keepNames ? $0 : "member")
            }
            d.draft.itinerary[i].hosts = d.draft.itinerary[i].hosts.map { byEmail[$0.lowercased()] ?? "host" }
        }
        return d
    }

    /// A history row's changes with personal values replaced by `purged:` and their digest,
    /// which the hash chain reads as it read the values themselves.
    static func redact(_ v: JSONValue, keepNames: Bool, personalNames: Bool = false) -> JSONValue {
        switch v {
        case .string(let s) where personalNames: return .string(History.purgedValue(s))
        case .array(let items):
            return .array(items.map { redact($0, keepNames: keepNames, personalNames: personalNames) })
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
                            ? m.value
                            : redact(.object([m.key: m.value]), keepNames: keepNames, personalNames: isName)[m.key]
                    }
                    return .object(out)
                }
            )
        case .object(let o):
            var out = JSONObject()
            for m in o.members { out[m.key] = redactMembers(m.value, keepNames: keepNames) }
            return .object(out)
        default: return redact(v, keepNames: keepNames)
        }
    }
}

/// Purges what is due, at start and then every day: a page of visits a round, the next round at
/// once while more are due (the first sweep after twenty years were imported has them all), so
/// that the service can stop between pages and each page is logged on its own.
final class RetentionSweep: Component {
    let name = "retention"
    private let loop: BackgroundLoop

    init(logic: DelegationsLogic, log: Logger, page: Int = 500) {
        loop = BackgroundLoop(name: "delegations-retention") { _ in
            // Restored from a backup: nothing changes until what the others hold is taken back.
            if logic.store.recovering { return .atMost(ms: 10_000) }
            do {
                let r = try logic.retention(RetentionParams(dueOnly: true, apply: true, limit: page), uid: 0)
                if !r.purged.isEmpty {
                    let left = max(0, (r.dueTotal ?? 0) - r.purged.count)
                    log.info(
                        "retention.purged",
                        ["visits": r.purged.joined(separator: ","), "days": String(r.days), "still_due": String(left)]
                    )
                    if r.nextCursor != nil { return .none }
                }
            } catch {
                log.error("retention.failed", ["error": "\(error)"])
            }
            return .atMost(ms: 86_400_000)
        }
    }

    func start() throws { try loop.start() }

    func stop(deadline: UInt64) { loop.stop(timeoutMs: Components.millisLeft(until: deadline)) }
}
