import Foundation
import Testing
import LiaisonModels
import LiaisonJSON
import LiaisonWire
@testable import Delegations

/// The checker's work and answer stay bounded however much clashes (issue 11, case 3).
@Suite struct BoundedCheckTests {
    /// `count` items at the same hour, in the same room, with the same host, everyone attending.
    static func crowded(_ count: Int, title: String) -> JSONValue {
        let items = (0..<count).map { i in
            item("Session \(i)", "2026-03-12T09:00", "2026-03-12T10:00", venue: "Main Building 301", hosts: ["li.wei@bit.edu.cn"])
        }
        return withItinerary(thaiVisit(title: title), items)
    }

    @Test func aThousandClashingItemsAgainstFiveStoredVisitsAnswerCappedFindingsWithExactCounts() throws {
        let t = try TestDelegations()
        for v in 0..<5 { _ = try t.create(Self.crowded(200, title: "Stored visit \(v)")) }
        let r = try t.ok("delegations.check", Self.crowded(1000, title: "The big one"))
        #expect(r["ok"] == false)
        let findings = try #require(r["findings"]?.arrayValue)
        #expect(findings.count == 100, "25 of each kind until the cap of 100")
        let byKind = Dictionary(grouping: findings) { $0["kind"]?.stringValue ?? "" }
        #expect(
            byKind.mapValues(\.count) == [
                "host_double_booked": 25, "member_double_booked": 25, "venue_double_booked": 25, "venue_also_proposed": 25,
            ])
        // Within: every pair of the 1,000 items, for the room, the host and each of the two members.
        // Across: each item against each of the 1,000 stored bookings, for room and host — warnings,
        // since the stored visits are only proposed.
        let pairs: Int64 = 1000 * 999 / 2
        let across: Int64 = 1000 * 1000
        #expect(r["findings_total"]?.intValue == pairs * 4 + across * 2)
        #expect(r["findings_blocking"]?.intValue == pairs * 4)
        #expect(r["findings_omitted"]?["venue_double_booked"]?.intValue == pairs - 25)
        #expect(r["findings_omitted"]?["host_double_booked"]?.intValue == pairs - 25)
        #expect(r["findings_omitted"]?["member_double_booked"]?.intValue == pairs * 2 - 25)
        #expect(r["findings_omitted"]?["venue_also_proposed"]?.intValue == across - 25)
        #expect(r["findings_omitted"]?["host_also_proposed"]?.intValue == across)
        // The answer stays small: 100 findings, not millions.
        #expect(JSONWriter.string(r).utf8.count < 64 * 1024)
    }

    @Test func writesCarryTheSameCapsAndConfirmNamesTheFirstFewAndTheTotal() throws {
        let t = try TestDelegations()
        let d = try t.ok("delegations.create", Self.crowded(60, title: "Busy day"))
        // Host, member and (within the visit) venue: 25 of each spelled out.
        #expect(d["findings"]?.arrayValue?.count == 75)
        #expect(d["findings_total"]?.intValue == Int64(60 * 59 / 2 * 4))
        let e = try #require(t.error("delegations.confirm", ["id": d["id"]!, "expected_version": 1]))
        #expect(e.code == .conflict)
        #expect(e.message.contains("has 7080 clashes") && e.message.hasSuffix("and 7075 more"), "\(e.message)")
        #expect(e.details?["findings"]?.arrayValue?.count == 75)
        #expect(e.details?["findings_total"] == 7080)
    }

    @Test func aCleanItineraryReportsNothingOmitted() throws {
        let t = try TestDelegations()
        let r = try t.ok("delegations.check", thaiVisit())
        #expect(r["ok"] == true && r["findings"] == [] && r["findings_total"] == 0 && r["findings_omitted"] == nil)
    }
}
