import LiaisonStore
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// A change that leaves the indexed columns (status, country, start) as they were writes the
/// row without them; one that changes any of them writes them all. The list's filters, which
/// read those indexes, see every change, and SQLite finds the indexes whole.
@Suite struct IndexedColumnsTests {
    func count(_ t: TestDelegations, _ filter: JSONValue) throws -> Int {
        try t.ok("delegations.list", filter)["items"]?.arrayValue?.count ?? -1
    }

    @Test func theListsFiltersSeeEveryChangeOfAnIndexedColumn() throws {
        let t = try TestDelegations()
        let kr = try t.ok("partners.create", ["name": "Korea University", "kind": "university", "country": "KR"])["id"]!
        let jp = try t.ok("partners.create", ["name": "Kyoto University", "kind": "university", "country": "JP"])["id"]!
        let d = try t.ok(
            "delegations.create",
            [
                "direction": "inbound", "title": "Exchange talks", "partners": [["id": kr]], "starts_at": "2027-05-10T09:00",
                "ends_at": "2027-05-10T17:00",
            ])
        let id = d["id"]!
        #expect(try count(t, ["status": "proposed", "country": "KR", "from": "2027-05-10", "to": "2027-05-10"]) == 1)

        _ = try t.ok("delegations.update", ["id": id, "expected_version": 1, "notes": "Lunch at the faculty club"])
        #expect(try count(t, ["status": "proposed", "country": "KR", "from": "2027-05-10", "to": "2027-05-10"]) == 1, "unchanged")

        _ = try t.ok("delegations.confirm", ["id": id, "expected_version": 2])
        #expect(try count(t, ["status": "proposed"]) == 0 && count(t, ["status": "confirmed"]) == 1, "status")

        _ = try t.ok("delegations.update", ["id": id, "expected_version": 3, "partners": [["id": jp]]])
        #expect(try count(t, ["country": "KR"]) == 0 && count(t, ["country": "JP"]) == 1, "country")

        _ = try t.ok("delegations.reschedule", ["id": id, "expected_version": 4, "shift_minutes": 2880])
        #expect(try count(t, ["to": "2027-05-11"]) == 0 && count(t, ["from": "2027-05-12", "to": "2027-05-12"]) == 1, "start")

        let check: [String] = try t.service.logic.store.read { db in
            try db.query("PRAGMA integrity_check").map { try $0["integrity_check"] }
        }
        #expect(check == ["ok"])
    }
}
