import Foundation
import Testing
import LiaisonJSON
import LiaisonProcess
import LiaisonSync
import LiaisonWire
@testable import Delegations

/// `delegations.retention` pages (issue 30): a hundred thousand finished visits were one answer
/// over the frame limit (`result_too_large`); with `limit` each page is bounded, `next_cursor`
/// goes on, and `apply` purges one page a call. Without `limit`, every row (as 0.1.0).
@Suite struct RetentionPagingTests {
    /// Seven finished visits, 2010 to 2016, all due.
    func importSevenPastVisits(_ t: TestDelegations) throws {
        let visits: [JSONValue] = (0..<7).map { i in
            [
                "key": .string("v\(i)"), "direction": "inbound", "title": .string("Past visit \(i)"),
                "date": .string("201\(i)-05"), "status": "completed",
                "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
            ]
        }
        _ = try t.ok("delegations.import", ["visits": .array(visits)])
    }

    @Test func pagesInTheOrderTheyEndedAndApplyPurgesOnePage() throws {
        let t = try TestDelegations()
        try importSevenPastVisits(t)
        var seen: [String] = []
        var cursor: JSONValue? = nil
        repeat {
            var p: JSONObject = ["due_only": true, "limit": 3]
            if let cursor { p["cursor"] = cursor }
            let page = try t.ok("delegations.retention", .object(p))
            #expect(page["total"] == 7 && page["due_total"] == 7)
            let items = page["items"]?.arrayValue ?? []
            #expect(items.count <= 3)
            seen += items.compactMap { $0["title"]?.stringValue }
            cursor = page["next_cursor"]
        } while cursor != nil
        #expect(seen == (0..<7).map { "Past visit \($0)" }, "those that ended first first, each once")
        #expect(try t.ok("delegations.retention", [:])["items"]?.arrayValue?.count == 7, "no limit: every row")
        let applied = try t.ok("delegations.retention", ["apply": true, "limit": 3])
        #expect(applied["purged"]?.arrayValue?.count == 3)
        #expect(try t.ok("delegations.retention", ["due_only": true, "limit": 3])["total"] == 4, "the rest still due")
        #expect(t.error("delegations.retention", ["limit": 3, "cursor": "nonsense"])?.field == "cursor")
    }

    /// The daily sweep purges a page a round and goes on at once while more are due: the first
    /// sweep after twenty years of imports was one pass, every purged reference on one log line.
    @Test func theSweepPurgesAPageARoundUntilNoneIsDue() throws {
        let t = try TestDelegations()
        try importSevenPastVisits(t)
        let lines = Locked<[String]>([])
        let log = Logger(service: "delegations", minimum: .info) { line in lines.withLock { $0.append(line) } }
        let sweep = RetentionSweep(logic: t.service.logic, log: log, page: 3)
        try sweep.start()
        var due = 7
        for _ in 0..<500 where due > 0 {
            due = try t.ok("delegations.retention", ["due_only": true])["total"]?.intValue.map(Int.init) ?? -1
            if due > 0 { usleep(10_000) }
        }
        sweep.stop(deadline: monotonicNanos() + 2_000_000_000)
        #expect(due == 0, "every visit purged")
        let pages = lines.withLock { $0 }.filter { $0.contains("retention.purged") }
        #expect(pages.count == 3, "pages of 3, 3 and 1: \(pages)")
        #expect(pages.last?.contains("still_due=0") == true, "\(pages)")
    }
}
