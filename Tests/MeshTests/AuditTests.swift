import Foundation
import Glibc
import LiaisonJSON
import LiaisonWire
import Testing

/// Tests that change a database behind the services' back use the sqlite3 shell, as an intruder
/// (or a careless admin) would; .ci/run installs it and sets LIAISON_REQUIRE_SQLITE3=1.
enum SQLiteShell {
    static let path = "/usr/bin/sqlite3"
    static var required: Bool { ProcessInfo.processInfo.environment["LIAISON_REQUIRE_SQLITE3"] == "1" }
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs `sql` on the database file; the output rows.
    static func run(_ db: String, _ sql: String) throws -> String {
        // Waits out the services' own writes (a busy database), as they wait for each other.
        let r = try runProgram(path, ["-batch", "-cmd", ".timeout 10000", db, sql], timeoutMs: 30_000)
        guard r.code == 0 else { throw CLIFailure(message: "sqlite3: \(r.stderr)") }
        return r.stdout
    }

    struct CLIFailure: Error { var message: String }
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct AuditTests {
    @Test func verifyPassesThenNamesTheRowChangedWithSqlite3() throws {
        guard SQLiteShell.available || SQLiteShell.required else {
            print("AuditTests: no sqlite3 shell here (.ci/run installs it); skipped")
            return
        }
        let mesh = try MeshHarness()
        #expect(try mesh.cli("demo").code == 0)
        let d = try mesh.visit("Audit visit", confirm: true)
        let ok = try mesh.cli("audit", "verify")
        #expect(ok.code == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(
            ok.stdout.contains("delegations history:") && ok.stdout.contains("chain intact")
                && ok.stdout.contains("agreements agreement_history")
        )
        #expect(ok.stdout.contains("notifications: keeps no history"))
        // Someone backdates the confirmation by an hour.
        let db = mesh.home + "/data/delegations/delegations.db"
        let seq = try SQLiteShell.run(db, "SELECT seq FROM history WHERE action = 'confirm';").trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        _ = try SQLiteShell.run(db, "UPDATE history SET at_ms = at_ms - 3600000 WHERE seq = \(seq);")
        let bad = try mesh.cli("audit", "verify", "delegations")
        #expect(bad.code == 1, "\(bad.stdout)")
        #expect(
            bad.stdout.contains(
                "delegations history: BROKEN at row \(seq) (\(d["id"]!.stringValue!), version 2, confirm)"
            ),
            "\(bad.stdout)"
        )
        #expect(
            bad.stdout.contains("partner_history:") && bad.stdout.contains("chain intact"),
            "other chains are unaffected"
        )
        // A deleted row breaks the chain at the row after it.
        _ = try SQLiteShell.run(db, "UPDATE history SET at_ms = at_ms + 3600000 WHERE seq = \(seq);")
        #expect(try mesh.cli("audit", "verify", "delegations").code == 0, "restored, it verifies again")
        // The newest row deleted: the chain itself still verifies (nothing follows it), but the
        // visit is at a version its history no longer reaches (issue 27).
        _ = try SQLiteShell.run(db, "DELETE FROM history WHERE seq = (SELECT max(seq) FROM history);")
        let cut = try mesh.cli("audit", "verify", "delegations")
        #expect(cut.code == 1, "\(cut.stdout)")
        #expect(
            cut.stdout.contains(d["id"]!.stringValue!) && cut.stdout.contains("history rows were deleted"),
            "\(cut.stdout)"
        )
        // The record edited to the version its history now ends with: not the record that row left.
        let id = d["id"]!.stringValue!
        _ = try SQLiteShell.run(
            db,
            "UPDATE delegations SET version = 1, status = 'proposed', doc = json_set(doc, '$.version', 1, '$.status', "
                + "'proposed') WHERE id = '\(id)';"
        )
        let counted = try mesh.cli("audit", "verify", "delegations")
        #expect(counted.code == 1, "\(counted.stdout)")
        #expect(counted.stdout.contains("the end of the history was deleted"), "the table's counter: \(counted.stdout)")
        // The counter wound back too.
        _ = try SQLiteShell.run(
            db,
            "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM history) WHERE name = 'history';"
        )
        let edited = try mesh.cli("audit", "verify", "delegations")
        #expect(edited.code == 1, "\(edited.stdout)")
        #expect(edited.stdout.contains("BROKEN") && edited.stdout.contains("changed in place"), "\(edited.stdout)")
        // Put back exactly as its first history row left it: its own database agrees with itself,
        // but the other services hold the confirmation (version 2) it lost.
        _ = try SQLiteShell.run(
            db,
            "UPDATE delegations SET doc = (SELECT json_extract(changes, '$.created') FROM history "
                + "WHERE delegation_id = '\(id)' AND action = 'create') WHERE id = '\(id)';"
        )
        let reverted = try mesh.cli("audit", "verify")
        #expect(reverted.code == 1, "\(reverted.stdout)")
        #expect(
            reverted.stdout.contains("\(id): notifications holds version 2, this service has version 1"),
            "\(reverted.stdout)"
        )
        #expect(
            reverted.stdout.contains("delegations history:") && !reverted.stdout.contains("BROKEN"),
            "\(reverted.stdout)"
        )
        _ = try SQLiteShell.run(db, "DELETE FROM history WHERE seq = (SELECT min(seq) FROM history);")
        #expect(try mesh.cli("audit", "verify", "delegations").stdout.contains("BROKEN"))
    }

    /// A visit's stored record edited in place, its history untouched (issue 27.3): `show` prints
    /// the edited text, and `audit verify` names the record; a partner's rename refreshes the
    /// visits naming it with a history row, so they still verify.
    @Test func aRecordEditedInPlaceIsFound() throws {
        guard SQLiteShell.available || SQLiteShell.required else {
            print("AuditTests: no sqlite3 shell here (.ci/run installs it); skipped")
            return
        }
        let mesh = try MeshHarness()
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call(
            "delegations.create",
            [
                "direction": "inbound", "title": "Edited visit",
                "partners": [["name": "Kasetsart University", "kind": "university", "country": "TH"]],
                "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T17:00",
            ]
        )
        let id = d["id"]!.stringValue!
        let partner = try c.call("partners.list", ["text": "Kasetsart"])["items"]![0]!["id"]!.stringValue!
        _ = try c.call(
            "partners.update",
            ["id": .string(partner), "expected_version": 1, "name": "Kasetsart University (Bangkhen)"]
        )
        let history = try mesh.cli("delegation", "history", id)
        #expect(history.stdout.contains("refreshed"), "\(history.stdout)")
        #expect(try mesh.cli("audit", "verify", "delegations").code == 0)
        let db = mesh.home + "/data/delegations/delegations.db"
        _ = try SQLiteShell.run(
            db,
            "UPDATE delegations SET doc = json_set(doc, '$.title', 'Visit to the tax office') WHERE id = '\(id)';"
        )
        #expect(try mesh.cli("delegation", "show", id).stdout.contains("Visit to the tax office"))
        let bad = try mesh.cli("audit", "verify", "delegations")
        #expect(bad.code == 1, "\(bad.stdout)")
        #expect(
            bad.stdout.contains("delegations history: BROKEN") && bad.stdout.contains("(\(id), version 1, record)")
                && bad.stdout.contains("changed in place"),
            "\(bad.stdout)"
        )
    }

    /// `audit verify --since-last` walks what was written since the last clean verify, from the
    /// row it ended at (issue 30): a rewritten checkpoint row, a cut end, and a record put back
    /// behind the copy another service took since are all found without the whole walk.
    @Test func sinceLastWalksOnlyWhatChangedAndStillFindsTampering() throws {
        guard SQLiteShell.available || SQLiteShell.required else {
            print("AuditTests: no sqlite3 shell here (.ci/run installs it); skipped")
            return
        }
        let mesh = try MeshHarness()
        let c = try WireClient(path: mesh.socket("delegations"))
        func visit(_ title: String) throws -> String { try mesh.visit(title)["id"]!.stringValue! }
        let first = try visit("Before the checkpoint")
        #expect(try mesh.cli("audit", "verify").code == 0)
        let db = mesh.home + "/data/delegations/delegations.db"
        let seq = try SQLiteShell.run(db, "SELECT seq FROM history_checkpoints WHERE history = 'history';")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!seq.isEmpty, "a clean verify leaves its checkpoint")
        let quiet = try mesh.cli("audit", "verify", "--since-last")
        #expect(quiet.code == 0, "\(quiet.stdout)")
        #expect(quiet.stdout.contains("delegations history: 0 rows after row \(seq), chain intact"), "\(quiet.stdout)")

        let second = try visit("After the checkpoint")
        _ = try c.call("delegations.confirm", ["id": .string(second)])
        let walked = try mesh.cli("audit", "verify", "--since-last", "delegations")
        #expect(walked.code == 0, "\(walked.stdout)")
        #expect(walked.stdout.contains("delegations history: 2 rows after row \(seq)"), "\(walked.stdout)")

        // The checkpoint's row rewritten (the chain re-sealed up to it would hide it from a walk
        // that trusted the rows alone).
        let now = try SQLiteShell.run(db, "SELECT seq FROM history_checkpoints WHERE history = 'history';")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try SQLiteShell.run(db, "UPDATE history SET hash = 'x' || hash WHERE seq = \(now);")
        let rewritten = try mesh.cli("audit", "verify", "--since-last", "delegations")
        #expect(rewritten.code == 1 && rewritten.stdout.contains("the row the last verify ended at was changed"))
        _ = try SQLiteShell.run(db, "UPDATE history SET hash = substr(hash, 2) WHERE seq = \(now);")
        #expect(try mesh.cli("audit", "verify", "--since-last", "delegations").code == 0)

        // After this checkpoint the first visit is confirmed, and notifications takes the event;
        // then its rows go, the table's counter is wound back, and the record is put back.
        _ = try c.call("delegations.confirm", ["id": .string(first)])
        let n = try WireClient(path: mesh.socket("notifications"))
        let held = try eventually(timeoutMs: 20_000) { () throws -> Bool? in
            let page = try n.call("events.heads", ["source": "delegations", "limit": 100])
            return page["items"]!.arrayValue!.contains { $0["id"]?.stringValue == first && $0["version"] == 2 }
                ? true : nil
        }
        #expect(held == true, "notifications holds the confirmation")
        _ = try SQLiteShell.run(
            db,
            """
            DELETE FROM history WHERE delegation_id = '\(first)' AND version = 2;
            UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM history) WHERE name = 'history';
            UPDATE delegations SET version = 1, status = 'proposed', doc = (SELECT json_extract(changes, '$.created')
                FROM history WHERE delegation_id = '\(first)' AND action = 'create') WHERE id = '\(first)';
            """
        )
        let behind = try mesh.cli("audit", "verify", "--since-last")
        #expect(behind.code == 1, "\(behind.stdout)")
        #expect(
            behind.stdout.contains("\(first): notifications holds version 2, this service has version 1"),
            "\(behind.stdout)"
        )
        #expect(!behind.stdout.contains("BROKEN"), "its own chain cannot tell: \(behind.stdout)")
        // Found once, it is named again by the next daily check, until it is mended.
        let again = try mesh.cli("audit", "verify", "--since-last")
        #expect(again.code == 1, "\(again.stdout)")
        #expect(again.stdout.contains("\(first): notifications holds version 2"), "\(again.stdout)")
    }
}
