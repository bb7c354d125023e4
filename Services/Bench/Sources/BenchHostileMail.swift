import LiaisonCLI
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Bench.Hostile {
    /// For `seconds`, one client moves a session of a confirmed visit of 20 people back and forth
    /// as fast as it is answered; then counts the messages notifications queued for the visit
    /// beyond the first schedules (issue 26, item 7: 41,741 in 30 s before coalescing), and the
    /// largest message.
    mutating func editBurst(seconds: Int) throws -> JSONValue {
        let base = Self.draft("Bench edit burst \(monotonicNanos())", items: 1, venue: "Burst room", day: "2031-05-06")
        var draft = base.objectValue ?? JSONObject()
        draft["members"] = .array(
            (1...20).map { i in ["name": .string("Member \(i)"), "email": .string("burst\(i)@example.org")] }
        )
        let created = try ctx.callRaw(service, "delegations.create", .object(draft))
        guard let id = created["id"]?.stringValue else { return ["skipped": "the visit was not created"] }
        _ = try ctx.callRaw(service, "delegations.confirm", ["id": .string(id), "expected_version": 1])
        let schedules = try settleCount(id, atLeast: 21)
        let start = monotonicNanos()
        var edits = 0
        while monotonicNanos() - start < UInt64(seconds) * 1_000_000_000 {
            let shift: Int64 = edits % 2 == 0 ? 30 : -30
            do {
                _ = try ctx.callRaw(
                    service,
                    "delegations.move_item",
                    ["id": .string(id), "which": "1", "shift_minutes": .int(shift)]
                )
                edits += 1
            } catch { failed += 1 }
        }
        let total = try settleCount(id, atLeast: 0)
        let page = try ctx.callRaw("notifications", "notifications.list", ["delegation_id": .string(id), "limit": 500])
        var largest: Int64 = 0
        for m in (page["items"]?.arrayValue ?? []).prefix(30) {
            guard let mid = m["id"] else { continue }
            // (A message held for coalescing may be replaced meanwhile.)
            guard let shown = try? ctx.callRaw("notifications", "notifications.show", ["id": mid]) else { continue }
            largest = max(largest, shown["size"]?.intValue ?? 0)
        }
        // The room and host are free again for the next run.
        _ = try? ctx.callRaw(
            service,
            "delegations.cancel",
            ["id": .string(id), "reason": "end of bench hostile --edits"]
        )
        return [
            "seconds": .int(Int64(seconds)), "edits": .int(Int64(edits)), "schedules": .int(schedules),
            "messages_after_the_schedules": .int(total - schedules), "largest_message_bytes": .int(largest),
            "counts": page["counts"] ?? .null,
        ]
    }

    /// The messages of visit `id` once their number has stopped changing for a second (and is
    /// at least `atLeast`), waiting at most 30 s.
    func settleCount(_ id: String, atLeast: Int64) throws -> Int64 {
        var last: Int64 = -1, stableSince = monotonicNanos()
        let deadline = monotonicNanos() + 30_000_000_000
        while monotonicNanos() < deadline {
            let counts = try ctx.callRaw(
                "notifications",
                "notifications.list",
                ["delegation_id": .string(id), "limit": 1]
            )["counts"]
            let n = counts?.objectValue?.members.reduce(Int64(0)) { $0 + ($1.value.intValue ?? 0) } ?? 0
            if n != last {
                (last, stableSince) = (n, monotonicNanos())
            } else if n >= atLeast && monotonicNanos() - stableSince > 1_000_000_000 {
                return n
            }
            usleep(100_000)
        }
        return last
    }
}
