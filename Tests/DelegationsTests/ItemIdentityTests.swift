import Foundation
import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// Each session keeps its id (calendar UID) and counts its changes (SEQUENCE).
@Suite struct ItemIdentityTests {
    @Test func sessionsKeepTheirIdsAndCountTheirChanges() throws {
        let t = try TestDelegations()
        let v = withItinerary(thaiVisit(), [
            item("Welcome", "2026-03-12T09:00", "2026-03-12T10:00", venue: "Room 1"),
            item("Labs", "2026-03-12T10:30", "2026-03-12T12:00", venue: "Lab 2"),
        ])
        let d = try t.ok("delegations.create", v)
        let ids = d["itinerary"]!.arrayValue!.map { $0["id"]!.stringValue! }
        #expect(ids.count == 2 && ids.allSatisfy { $0.hasPrefix("it-") } && Set(ids).count == 2)
        #expect(d["itinerary"]!.arrayValue!.allSatisfy { $0["rev"] == 1 })
        let id = d["id"]!
        // A new itinerary without ids (as a file often is): sessions are matched by title and venue.
        let r = try t.ok("delegations.reschedule", ["id": id, "expected_version": 1, "reason": "labs later", "itinerary": [
            item("Labs", "2026-03-12T14:00", "2026-03-12T15:30", venue: "Lab 2"),
            item("Welcome", "2026-03-12T09:00", "2026-03-12T10:00", venue: "Room 1"),
            item("Lunch", "2026-03-12T12:00", "2026-03-12T13:00", venue: "Canteen"),
        ]])
        let items = r["itinerary"]!.arrayValue!
        #expect(items[0]["id"] == .string(ids[1]) && items[0]["rev"] == 2, "the moved session: same id, next revision")
        #expect(items[1]["id"] == .string(ids[0]) && items[1]["rev"] == 1, "unchanged")
        #expect(items[2]["rev"] == 1 && !ids.contains(items[2]["id"]!.stringValue!), "a new session")
        #expect(r["reschedule_reason"] == "labs later")
        let shifted = try t.ok("delegations.reschedule", ["id": id, "expected_version": 2, "shift_minutes": 60])
        #expect(shifted["itinerary"]!.arrayValue!.map { $0["rev"]! } == [3, 2, 2], "every session moved")
    }
}
