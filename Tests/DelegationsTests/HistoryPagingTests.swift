import LiaisonJSON
import LiaisonWire
import Testing

/// A visit of a thousand sessions rescheduled three times: its history failed `result_too_large`
/// (issue 26). It comes in pages of at most 512 KiB, each entry whole, in order.
@Suite struct HistoryPagingTests {
    static func sessions(day: String, n: Int = 1000) -> JSONValue {
        .array(
            (0..<n).map { i in
                let hour = 8 + i % 10
                return [
                    "starts_at": .string("\(day)T\(hour < 10 ? "0" : "")\(hour):00"),
                    "ends_at": .string("\(day)T\(hour < 10 ? "0" : "")\(hour):30"),
                    "title": .string("Session \(i) of the long programme"), "kind": "meeting",
                    "venue": .string("Room \(i / 10)"), "hosts": [], "attendees": [],
                ]
            }
        )
    }

    @Test func theHistoryOfAThousandSessionsRescheduledComesInPages() throws {
        let t = try TestDelegations()
        guard case .object(var draft) = thaiVisit() else { return }
        draft["itinerary"] = Self.sessions(day: "2026-03-12")
        let (id, _) = try t.create(.object(draft))
        var version: Int64 = 1
        for day in ["2026-03-13", "2026-03-14", "2026-03-15"] {
            let d = try t.ok(
                "delegations.reschedule",
                [
                    "id": .string(id), "expected_version": .int(version), "starts_at": .string(day + "T08:00"),
                    "ends_at": .string(day + "T18:00"), "itinerary": Self.sessions(day: day),
                ]
            )
            version = d["version"]?.intValue ?? 0
        }
        var versions: [Int64] = []
        var pages = 0
        var cursor: JSONValue = .null
        repeat {
            let page = try t.ok("delegations.history", ["id": .string(id), "cursor": cursor])
            pages += 1
            #expect(JSONWriter.string(page).utf8.count < 1 << 20, "each page fits in a frame")
            versions += page["items"]?.arrayValue?.compactMap { $0["version"]?.intValue } ?? []
            cursor = page["next_cursor"] ?? .null
        } while cursor != .null && pages < 10
        #expect(versions == [1, 2, 3, 4], "every entry once, in order, over \(pages) pages")
        #expect(pages > 1)
        let (small, _) = try t.create(thaiVisit(title: "Short", venue: "Room S"))
        _ = try t.ok("delegations.confirm", ["id": .string(small)])
        _ = try t.ok("delegations.reschedule", ["id": .string(small), "ends_at": "2026-03-14T12:00"])
        let two = try t.ok("delegations.history", ["id": .string(small), "limit": 2])
        #expect(two["items"]?.arrayValue?.count == 2 && two["next_cursor"] != nil, "\(two)")
        let rest = try t.ok("delegations.history", ["id": .string(small), "cursor": two["next_cursor"]!])
        #expect(rest["items"]?.arrayValue?.compactMap { $0["version"]?.intValue } == [3] && rest["next_cursor"] == nil)
        let bad = t.error("delegations.history", ["id": .string(id), "cursor": "x"])
        #expect(bad?.details?["field"] == "cursor", "\(String(describing: bad))")
    }
}
