import Foundation
import Glibc
import LiaisonJSON
import LiaisonWire
import Testing

@Suite(.serialized, .timeLimit(.minutes(6))) struct RetentionTests {
    @Test func a365DayPurgeLeavesNoMemberEmailInAnyDatabaseAndTheChainStillVerifies() throws {
        guard SQLiteShell.available || SQLiteShell.required else {
            print("RetentionTests: no sqlite3 shell here (.ci/run installs it); skipped")
            return
        }
        let mesh = try MeshHarness()
        let c = try WireClient(path: mesh.socket("delegations"))
        // A visit of March 2025: confirmed (its schedule mailed), held, completed — more than 365 days ago.
        let members: [JSONValue] = [
            ["name": "Amina Benali", "email": "amina.benali@example.org", "phone": "+212 600 000 001", "needs": ["dietary": "halal"]],
            ["name": "Kim Min-jun", "email": "kim.minjun@example.org"],
        ]
        let d = try c.call(
            "delegations.create",
            ["direction": "inbound", "title": "Retention visit", "partners": [["name": "Moroccan high school 1", "kind": "school", "country": "MA"]],
             "starts_at": "2025-03-12T09:00", "ends_at": "2025-03-12T17:00", "members": .array(members),
             "hosts": [["name": "Li Wei", "email": "li.wei.host@bit.example.cn"]],
             "itinerary": [["starts_at": "2025-03-12T09:00", "ends_at": "2025-03-12T10:00", "title": "Welcome", "attendees": ["amina.benali@example.org"]]]])
        let id = d["id"]!
        for (method, params) in [("confirm", [:]), ("start", [:]), ("complete", ["outcome": "an MoU on exchanges"])] as [(String, JSONObject)] {
            var p = params
            p["id"] = id
            p["expected_version"] = try c.call("delegations.get", ["id": id])["version"]!
            _ = try c.call("delegations.\(method)", .object(p))
        }
        let emails = ["amina.benali@example.org", "kim.minjun@example.org", "li.wei.host@bit.example.cn", "+212 600 000 001", "halal"]
        let dbs = ["delegations", "notifications", "agreements"].map { mesh.home + "/data/\($0)/\($0).db" }
        func dump(_ db: String) throws -> String {
            let tables = try SQLiteShell.run(db, "SELECT name FROM sqlite_master WHERE type = 'table';").split(separator: "\n")
            return try tables.map { try SQLiteShell.run(db, "SELECT * FROM \"\($0)\";") }.joined(separator: "\n")
        }
        // The visit's events have reached notifications (its copy holds the addresses).
        let copied = try eventually(timeoutMs: 10_000) { try dump(dbs[1]).contains("amina.benali@example.org") ? true : nil }
        #expect(copied == true)
        let listed = try mesh.cli("retention", "--due")
        #expect(listed.code == 0 && listed.stdout.contains(d["ref"]!.stringValue!) && listed.stdout.contains("2026-03-12"), "\(listed.stdout)\(listed.stderr)")
        let applied = try mesh.cli("retention", "--apply")
        #expect(applied.code == 0 && applied.stdout.contains("Purged: \(d["ref"]!.stringValue!)"), "\(applied.stdout)\(applied.stderr)")
        let clean = try eventually(timeoutMs: 10_000) { () -> Bool? in
            let all = try dbs.map(dump).joined(separator: "\n")
            return emails.allSatisfy { !all.contains($0) } ? true : nil
        }
        let leftovers = try dbs.map { db in (db, try emails.filter { try dump(db).contains($0) }) }.filter { !$0.1.isEmpty }
        #expect(clean == true, "left: \(leftovers)")
        let after = try c.call("delegations.get", ["id": id])
        #expect(after["members"]?[0]?["name"] == "Amina Benali" && after["members"]?[0]?["email"] == nil, "names stay for the record")
        #expect(try mesh.cli("delegation", "history", d["ref"]!.stringValue!).stdout.contains("purge"))
        // The purged host keeps a name and no address, shown without an empty "<>" (issue 27).
        let shown = try mesh.cli("delegation", "show", d["ref"]!.stringValue!).stdout
        #expect(shown.contains("• Li Wei") && !shown.contains("<>"), "\(shown)")
        #expect(try mesh.cli("audit", "verify").code == 0, "the purge keeps the chain verifiable")
        #expect(try mesh.cli("retention", "--due").stdout.contains("(nothing to purge)"))
    }
}
