import Foundation
import Glibc
import LiaisonJSON
import LiaisonProcess
import LiaisonSync
import LiaisonWire
import Synchronization
import Testing

/// Backups taken while the mesh works, and services restored from one rejoining the mesh
/// without silently losing anything (issue 25's drill).
@Suite(.serialized, .timeLimit(.minutes(6))) struct BackupRestoreTests {
    /// The messages in the mail directory (the file transport), as "To | Subject".
    static func mailbox(_ home: String) -> [String] {
        let dir = home + "/mail"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return files.filter { $0.hasSuffix(".eml") }.compactMap { f in
            guard let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8) else { return nil }
            var to = "", subject = ""
            for line in text.split(separator: "\r\n", omittingEmptySubsequences: false).prefix(40) {
                if line.hasPrefix("To: ") { to = String(line.dropFirst(4)) }
                if line.hasPrefix("Subject: ") { subject = String(line.dropFirst(9)) }
            }
            return "\(to) | \(subject)"
        }.sorted()
    }

    /// What was mailed twice: the same subject to the same address.
    static func twice(_ mails: [String]) -> [String] {
        Dictionary(grouping: mails, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }

    func visit(_ mesh: MeshHarness, _ tag: String, confirm: Bool) throws -> (id: String, ref: String) {
        let d = try mesh.call(
            "delegations", "delegations.create",
            [
                "direction": "inbound", "title": .string("Visit \(tag)"),
                "partners": [["name": "Chulalongkorn University", "kind": "university", "country": "TH"]],
                "starts_at": "2031-10-05T09:00", "ends_at": "2031-10-05T17:00", "time_zone": "Asia/Bangkok",
                "members": [
                    ["name": .string("Head \(tag)"), "role": "head", "email": .string("head-\(tag)@chula.example")],
                    ["name": .string("Member \(tag)"), "role": "member", "email": .string("member-\(tag)@chula.example")],
                ],
            ])
        let id = try #require(d["id"]?.stringValue), ref = try #require(d["ref"]?.stringValue)
        if confirm { _ = try mesh.call("delegations", "delegations.confirm", ["id": .string(id)]) }
        return (id, ref)
    }

    /// Waits until every producer's outbox is delivered and no mail waits.
    func settle(_ mesh: MeshHarness) throws -> Int64 {
        var dead: Int64 = 0
        let done = eventually(timeoutMs: 30_000) { () -> Bool? in
            var pending: Int64 = 0
            dead = 0
            for s in ["delegations", "agreements"] {
                guard let h = try? mesh.call(s, "service.health") else { return nil }
                pending += h["outbox"]?["pending"]?.intValue ?? 0
                dead += h["outbox"]?["dead"]?.intValue ?? 0
            }
            guard let m = try? mesh.call("notifications", "notifications.list", ["status": "pending"]) else { return nil }
            return pending == 0 && (m["items"]?.arrayValue ?? []).isEmpty ? true : nil
        }
        #expect(done == true, "the mesh settled")
        usleep(300_000)
        return dead
    }

    @Test func aBackupUnderLoadAndEachServiceRestoredLosesNothingSilently() throws {
        let mesh = try MeshHarness()
        let a = try visit(mesh, "a", confirm: true)
        // A client creates and confirms visits all through the backup.
        let socket = mesh.socket("delegations")
        let stop = Atomic<Bool>(false), done = Atomic<Bool>(false), made = Atomic<Int>(0)
        let failed = Locked<[String]>([])
        try OwnedThread.start(name: "load") {
            defer { done.store(true, ordering: .releasing) }
            var n = 0
            while !stop.load(ordering: .relaxed) {
                n += 1
                do {
                    let c = try WireClient(path: socket, timeoutMs: 5000)
                    let d = try c.call(
                        "delegations.create",
                        [
                            "direction": "inbound", "title": .string("Load \(n)"),
                            "partners": [["name": "Load University", "kind": "university", "country": "VN"]],
                            "starts_at": "2032-01-10T09:00", "ends_at": "2032-01-10T12:00", "time_zone": "Asia/Ho_Chi_Minh",
                        ], timeoutMs: 20_000)
                    _ = try c.call("delegations.confirm", ["id": d["id"]!], timeoutMs: 20_000)
                    made.add(1, ordering: .relaxed)
                } catch { failed.withLock { $0.append("\(error)") } }
            }
        }
        usleep(300_000)
        let backup = try mesh.cli("backup", "--to", mesh.home + "/bk", "--json")
        stop.store(true, ordering: .relaxed)
        while !done.load(ordering: .acquiring) { usleep(10_000) }
        #expect(backup.code == 0, "\(backup.stdout)\(backup.stderr)")
        #expect(failed.withLock { $0 }.isEmpty, "calls failed during the backup: \(failed.withLock { $0 })")
        #expect(made.load(ordering: .relaxed) > 0)
        let manifest = try #require(backup.json)
        for s in ["delegations", "agreements", "notifications"] {
            #expect(manifest["services"]?[s]?["integrity"] == "ok", "\(s) copy checked")
        }
        // After the backup: a visit confirmed (its people mailed), one only proposed, an
        // agreement signed (its coordinator mailed).
        let b = try visit(mesh, "b", confirm: true)
        _ = try visit(mesh, "c", confirm: false)
        let pid = try #require(try mesh.call("delegations", "partners.list", ["text": "Chulalongkorn"])["items"]?[0]?["id"])
        let agreement = try #require(
            eventually(timeoutMs: 10_000) { () -> JSONValue? in
                try? mesh.call(
                    "agreements", "agreements.create",
                    [
                        "title": "Exchange with Chula", "kind": "exchange", "partners": [["id": pid]],
                        "coordinator": ["name": "Li Wei", "email": "li.wei@bit.example.cn"], "ends_on": "2036-01-31",
                    ])
            })
        _ = try mesh.call(
            "agreements", "agreements.sign",
            ["id": agreement["id"]!, "signed_on": "2031-10-06", "signatories": [["name": "Li Wei", "side": "bit"]]])
        #expect(try settle(mesh) == 0)
        let before = Self.mailbox(mesh.home)
        #expect(before.contains { $0.contains("head-b@chula.example") }, "b's people were mailed")

        // delegations put back: b comes back from the others, the next visit takes a new reference.
        let r1 = try mesh.cli("restore", "--from", mesh.home + "/bk", "delegations")
        #expect(r1.code == 0, "\(r1.stdout)\(r1.stderr)")
        #expect(r1.stdout.contains("took back"), "\(r1.stdout)")
        let back = try mesh.call("delegations", "delegations.get", ["id": .string(b.id)])
        #expect(back["status"] == "confirmed" && back["ref"]?.stringValue == b.ref, "the visit confirmed after the backup is back")
        let d = try visit(mesh, "d", confirm: true)
        #expect(d.ref != b.ref && d.ref > b.ref, "\(d.ref) is a new reference (b is \(b.ref))")
        #expect(try mesh.call("delegations", "delegations.get", ["id": .string(a.id)])["ref"]?.stringValue == a.ref)
        #expect(try settle(mesh) == 0, "nothing dead after the delegations restore")

        // agreements put back: the signed agreement comes back from notifications.
        let r2 = try mesh.cli("restore", "--from", mesh.home + "/bk", "agreements")
        #expect(r2.code == 0, "\(r2.stdout)\(r2.stderr)")
        let signed = try mesh.call("agreements", "agreements.get", ["id": agreement["id"]!])
        #expect(signed["status"] == "signed" || signed["status"] == "active", "\(signed["status"] ?? .null)")
        #expect(try settle(mesh) == 0, "nothing dead after the agreements restore")

        // notifications put back: what it sent since the backup is not sent again.
        let r3 = try mesh.cli("restore", "--from", mesh.home + "/bk", "notifications")
        #expect(r3.code == 0, "\(r3.stdout)\(r3.stderr)")
        let e = try visit(mesh, "e", confirm: true)
        #expect(try settle(mesh) == 0, "nothing dead after the notifications restore")
        let after = Self.mailbox(mesh.home)
        #expect(Self.twice(after).isEmpty, "mailed twice: \(Self.twice(after))")
        #expect(after.contains { $0.contains("head-\(e.ref.isEmpty ? "e" : "e")@chula.example") }, "a visit after it is mailed")
        let audit = try mesh.cli("audit", "verify")
        #expect(audit.code == 0, "\(audit.stdout)\(audit.stderr)")
        print("restore drill: \(made.load(ordering: .relaxed)) visits made during the backup, 0 failed; \(after.count) mails, none twice")
        for (name, r) in [("delegations", r1), ("agreements", r2), ("notifications", r3)] {
            print("restore drill, \(name) restored:\n" + r.stdout)
        }
    }

    @Test func aBackupIsCheckedBeforeItIsPutBackAndRotated() throws {
        let mesh = try MeshHarness()
        _ = try visit(mesh, "x", confirm: false)
        for _ in 0..<3 {
            let r = try mesh.cli("backup", "--to", mesh.home + "/bk", "--keep", "2")
            #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
            sleep(1)  // backups are named by the second
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: mesh.home + "/bk").sorted()
        #expect(kept.count == 2, "--keep 2: \(kept)")
        let left = try FileManager.default.contentsOfDirectory(atPath: mesh.home + "/data/delegations")
        #expect(!left.contains { $0.hasPrefix("backup-") }, "nothing of a backup left beside the database: \(left)")
        let newest = mesh.home + "/bk/" + kept.last!
        let intact = try mesh.cli("backup", "--check", "--to", mesh.home + "/bk")
        #expect(intact.code == 0 && intact.stdout.contains("intact"), "\(intact.stdout)\(intact.stderr)")
        // A copy that changed after the backup is refused, and nothing is stopped.
        let db = newest + "/delegations.db"
        let h = try #require(FileHandle(forWritingAtPath: db))
        try h.seekToEnd()
        try h.write(contentsOf: Data("x".utf8))
        try h.close()
        let checked = try mesh.cli("backup", "--check", newest)
        #expect(checked.code == 65, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("\(db): ") && checked.stdout.contains("bytes, not"), "\(checked.stdout)")
        let bad = try mesh.cli("restore", "--from", newest, "delegations")
        #expect(bad.code == 65 && bad.stderr.contains("SHA-256"), "\(bad.stdout)\(bad.stderr)")
        #expect(try mesh.row("delegations")?["state"] == "running")
    }
}
