import Foundation
import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// Clashes inside one visit, and proposed visits that warn rather than block.
@Suite struct CheckerSeverityTests {
    @Test func aRoomUsedTwiceAtOnceInsideOneVisitIsFoundAndBlocksConfirmation() throws {
        let t = try TestDelegations()
        var v = thaiVisit()
        guard case .object(var o) = v, case .array(var items)? = o["itinerary"] else { return }
        items.append([
            "starts_at": "2026-03-12T10:00", "ends_at": "2026-03-12T11:00", "title": "Press briefing", "venue": " main building  301",
        ])
        o["itinerary"] = .array(items)
        v = .object(o)
        let check = try t.ok("delegations.check", v)
        let f = try #require(check["findings"]?.arrayValue?.first { $0["kind"] == "venue_double_booked" })
        #expect(f["items"] == ["itinerary[0]", "itinerary[1]"] && f["severity"] == "error" && check["ok"] == false)
        let (id, version) = try t.create(v)
        let e = try #require(t.error("delegations.confirm", ["id": .string(id), "expected_version": .int(version)]))
        #expect(e.code == .conflict && e.message.contains("Main Building 301"))
    }

    @Test func proposedVisitsWarnEachOtherAndTheFirstConfirmedTakesTheRoom() throws {
        let t = try TestDelegations()
        let (a, _) = try t.create(thaiVisit(title: "First request", host: "a@bit.edu.cn"))
        let second = try t.ok("delegations.create", thaiVisit(title: "Second request", host: "b@bit.edu.cn"))
        let b = second["id"]!
        let warning = try #require(second["findings"]?.arrayValue?.first)
        #expect(warning["kind"] == "venue_also_proposed" && warning["severity"] == "warning")
        #expect(warning["message"]?.stringValue?.contains("First request") == true && second["findings_blocking"] == 0)
        let fromA = try t.ok("delegations.check", ["id": .string(a)])
        #expect(fromA["ok"] == true && fromA["findings"]?[0]?["message"]?.stringValue?.contains("Second request") == true, "each names the other")
        // The second request confirms first: a proposed visit holds nothing hostage.
        _ = try t.ok("delegations.confirm", ["id": b, "expected_version": 1])
        let now = try t.ok("delegations.check", ["id": .string(a)])
        #expect(now["findings"]?[0]?["kind"] == "venue_double_booked" && now["ok"] == false)
        let e = try #require(t.error("delegations.confirm", ["id": .string(a), "expected_version": 1]))
        #expect(e.code == .conflict && e.message.contains("Second request"))
    }
}
