import Testing
import LiaisonJSON
import LiaisonStore
@testable import Delegations

/// Free-text search through the FTS5 index (issue 30): the same answers `instr` gave — a word
/// inside a longer one, scripts without spaces, quotes and operators taken as text — kept in step
/// with every change, and short words still found.
@Suite struct SearchIndexTests {
    func titles(_ t: TestDelegations, _ text: String) throws -> [String] {
        try (t.ok("delegations.list", ["text": .string(text)])["items"]?.arrayValue ?? []).compactMap {
            $0["title"]?.stringValue
        }
    }

    @Test func findsWhatInstrFoundAndFollowsEveryChange() throws {
        let t = try TestDelegations()
        let (a, _) = try t.create(thaiVisit(title: "Visit 4242 of the ministry", venue: "Room 1", host: "a@bit.edu.cn"))
        _ = try t.create(thaiVisit(title: "Visit 42 of a school", venue: "Room 2", host: "b@bit.edu.cn"))
        #expect(try titles(t, "Visit 4242") == ["Visit 4242 of the ministry"])
        #expect(try titles(t, "424").count == 1, "inside a word")
        #expect(try titles(t, "visit 42").count == 2, "every word, each anywhere")
        #expect(try titles(t, "ศึกษา").count == 2, "a Thai word inside the ministry's name")
        #expect(try titles(t, "42").count == 2, "a word too short for the index is still found")
        #expect(try titles(t, "\"visit\" OR school").isEmpty, "query syntax is text, not operators")
        #expect(try titles(t, "NEAR(visit").isEmpty)
        // A change of the title is found at once; the old words no longer are.
        _ = try t.ok("delegations.update", ["id": .string(a), "title": "Exchange review"])
        #expect(try titles(t, "4242").isEmpty && titles(t, "exchange review") == ["Exchange review"])
        let rows = try t.service.store.read { db in
            try db.queryOne("SELECT (SELECT count(*) FROM search_rows) AS r, (SELECT count(*) FROM search_index) AS i")
        }
        #expect(try rows?["r"] as Int64? == 2 && rows?["i"] as Int64? == 2, "one index row a visit")
        // A change that leaves the search text as it was (a note) writes nothing to the index.
        func segments() throws -> [Int64] {
            try t.service.store.read { db in
                try db.query("SELECT id FROM search_index_data ORDER BY id").map { row throws -> Int64 in
                    try row["id"]!
                }
            }
        }
        let before = try segments()
        _ = try t.ok("delegations.update", ["id": .string(a), "notes": "Bring the signed minutes"])
        #expect(try segments() == before)
        #expect(try titles(t, "exchange review") == ["Exchange review"])
    }

    @Test func aLargeImportIsIndexedAtItsEndAndLaterVisitsOneByOne() throws {
        let t = try TestDelegations()
        let rows: [JSONValue] = (0..<150).map { i in
            [
                "key": .string("v\(i)"), "direction": "inbound", "title": .string("Archive visit \(i)"),
                "date": "2019-05", "status": "completed",
                "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
            ]
        }
        // A dry run and a refused import leave the index as it was, its trigger in place.
        _ = try t.ok("delegations.import", ["visits": .array(rows), "dry_run": true])
        #expect(try titles(t, "archive visit").isEmpty)
        _ = try t.ok("delegations.import", ["visits": .array(rows)])
        let found = try titles(t, "archive visit 149")
        #expect(found.contains("Archive visit 149") && found.count <= 2, "\(found) (its reference may hold 149 too)")
        let count = try t.service.store.read { db in
            try db.queryOne("SELECT count(*) AS n FROM search_index")?["n"] as Int64?
        }
        #expect(count == 150)
        _ = try t.create(thaiVisit(title: "Created after the import", venue: "Room 9", host: "c@bit.edu.cn"))
        #expect(try titles(t, "after the import") == ["Created after the import"], "the trigger is back")
    }
}
