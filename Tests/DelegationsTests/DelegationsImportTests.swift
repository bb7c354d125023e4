import Foundation
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// `delegations.import`: every row checked, every problem named, nothing half-written.
@Suite struct DelegationsImportTests {
    let partner: JSONValue = ["key": "hy", "name": "Hanyang University", "kind": "university", "country": "KR"]

    func visit(_ key: String, date: String = "2024-10", title: String = "Hanyang visit") -> JSONValue {
        [
            "key": .string(key), "direction": "inbound", "title": .string(title), "date": .string(date),
            "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]], "status": "completed",
        ]
    }

    @Test func everyProblemIsNamedByRowAndFieldAndNothingIsWritten() throws {
        let t = try TestDelegations()
        let r = try t.ok(
            "delegations.import",
            [
                "partners": [partner, ["key": "bad", "name": "X", "kind": "club", "country": "TH"]],
                "visits": [
                    visit("v1"), visit("v2", date: "October 2024"),
                    ["key": "v3", "title": "No partners", "direction": "inbound", "date": "2020"],
                ],
            ]
        )
        #expect(r["applied"] == false)
        let found = (r["problems"]?.arrayValue ?? []).map {
            "\($0["section"]!.stringValue!)[\($0["index"]!.intValue!)].\($0["field"]!.stringValue!)"
        }
        #expect(found == ["partners[1].kind", "visits[1].date", "visits[2].partners"], "\(found)")
        #expect(
            try t.ok("partners.list", [:])["items"] == [] && t.ok("delegations.list", [:])["items"] == [],
            "nothing written"
        )
        let outbox: Int = try t.service.store.read { db in try db.queryOne("SELECT count(*) AS n FROM outbox")!["n"] }
        #expect(outbox == 0, "nothing announced")
    }

    @Test func aGoodImportIsWrittenOnceAndFoundAgain() throws {
        let t = try TestDelegations()
        let dry = try t.ok("delegations.import", ["partners": [partner], "visits": [visit("v1")], "dry_run": true])
        #expect(dry["applied"] == false && dry["problems"] == [] && dry["rows"]?.arrayValue?.count == 2)
        #expect(try t.ok("partners.list", [:])["items"] == [])
        let done = try t.ok(
            "delegations.import",
            ["partners": [partner], "visits": [visit("v1"), visit("v2", date: "2030-01-10")]]
        )
        #expect(done["applied"] == true && done["rows"]?.arrayValue?.allSatisfy { $0["created"] == true } == true)
        let again = try t.ok("delegations.import", ["partners": [partner], "visits": [visit("v1")]])
        #expect(
            again["rows"]?.arrayValue?.allSatisfy { $0["created"] == false } == true,
            "found by name and country, and by key"
        )
        #expect(try t.ok("partners.list", [:])["items"]?.arrayValue?.count == 1)
        let visits = try t.ok("delegations.list", [:])["items"]!.arrayValue!
        #expect(visits.map { $0["when"]! } == ["Oct 2024", "10 Jan 2030"])
        #expect(try t.ok("delegations.get", ["id": visits[0]["id"]!])["external_key"] == "import:v1")
    }

    /// A row with a problem the door finds (a value not in its list), one the visit's own checks
    /// find (an email), one only the registry finds (an unknown partner id) and a cancelled visit
    /// without its reason: all four named at once (issue 27.4; before, one per attempt).
    @Test func everyProblemOfARowIsNamedAtOnce() throws {
        let t = try TestDelegations()
        let row: JSONValue = [
            "key": "v1", "direction": "sideways", "title": "Four problems", "date": "2024-10", "status": "cancelled",
            "partners": [["id": "par-nothere"]],
            "members": [["name": "Somchai", "email": "somchai(at)example.ac.th"]],
        ]
        let r = try t.ok("delegations.import", ["visits": [row]])
        #expect(r["applied"] == false)
        let fields = Set((r["problems"]?.arrayValue ?? []).map { $0["field"]!.stringValue! })
        #expect(fields == ["direction", "members[0].email", "partners[0].id", "reason"], "\(r["problems"]!)")
    }
}
