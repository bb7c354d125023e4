import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonWire
import Synchronization
import Testing

@Suite(.serialized, .timeLimit(.minutes(3))) struct DelegationsMeshTests {
    @Test func demoThenListAndShowThroughTheCLI() throws {
        let mesh = try MeshHarness()
        let demo = try mesh.cli("demo")
        #expect(demo.code == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("10 delegations (10 new"))
        let again = try mesh.cli("demo")
        #expect(again.stdout.contains("(0 new, 10 already there)"), "demo is idempotent")
        let list = try mesh.cli("delegation", "list")
        #expect(list.code == 0)
        for fragment in ["กระทรวงศึกษาธิการ", "한양대학교", "UZ Uzbekistan", "MA Morocco", "UG Uganda", "2018-11-16", "completed"] {
            #expect(list.stdout.contains(fragment), "list shows \(fragment)")
        }
        #expect(list.stdout.split(separator: "\n").count == 11, "a header and ten rows")
        let africa = try mesh.cli("delegation", "list", "--continent", "Africa", "--json")
        #expect(africa.json?["items"]?.arrayValue?.compactMap { $0["partner"]?["country"]?.stringValue }.sorted() == ["MA", "UG"])
        let show = try mesh.cli("delegation", "show", "DEL-2024-0002")
        #expect(show.code == 0)
        #expect(show.stdout.contains("Rustam Karimjonov, Minister for the Development of ICT — head"))
        #expect(show.stdout.contains("Tuesday 10 September 2024"))
        #expect(
            show.stdout.contains(
                "09:30–11:00  Welcome meeting and introduction to BIT (meeting) @ Central Teaching Building, Meeting Room 1"))
        #expect(show.stdout.contains("(Central Asia, Asia)"))
    }

    @Test func aVisitsLifecycleThroughTheCLI() throws {
        let mesh = try MeshHarness()
        let file = mesh.home + "/visit.json"
        let draft: JSONValue = [
            "direction": "inbound", "title": "Hanyang University exchange review",
            "partner": ["name": "Hanyang University", "name_local": "한양대학교", "kind": "university", "country": "KR"],
            "starts_at": "2027-03-02T09:00", "ends_at": "2027-03-03T17:00",
            "members": [["name": "Head of delegation", "role": "head", "email": "head@example.org"]],
            "hosts": [["name": "International Office", "email": "io@bit.example.cn"]],
            "itinerary": [
                [
                    "starts_at": "2027-03-02T09:00", "ends_at": "2027-03-02T10:00", "title": "Welcome", "venue": "Room 1",
                    "hosts": ["io@bit.example.cn"],
                ]
            ],
        ]
        try JSONWriter.pretty(draft).write(toFile: file, atomically: true, encoding: .utf8)
        let created = try mesh.cli("delegation", "create", "-f", file, "--json")
        #expect(created.code == 0, "\(created.stderr)")
        let ref = try #require(created.json?["ref"]?.stringValue)
        #expect(try mesh.cli("delegation", "confirm", ref).stdout.contains("\(ref): confirmed (version 2)"))
        let moved = try mesh.cli("delegation", "reschedule", ref, "--ends-at", "2027-03-04T12:00", "--reason", "extra day")
        #expect(moved.code == 0, "\(moved.stderr)")
        #expect(moved.stdout.contains("schedule version 2"))
        let bad = try mesh.cli("delegation", "complete", ref, "--outcome", "too early")
        #expect(bad.code == 1)
        #expect(bad.stderr.contains("failed_precondition") && bad.stderr.contains("is confirmed"))
        let stale = try mesh.cli("delegation", "cancel", ref, "--reason", "x", "--expect-version", "1")
        #expect(stale.code == 1 && stale.stderr.contains("conflict"))
        let missingReason = try mesh.cli("delegation", "cancel", ref)
        #expect(missingReason.code == 64)
        #expect(try mesh.cli("delegation", "cancel", ref, "--reason", "travel ban").code == 0)
        let history = try mesh.cli("delegation", "history", ref)
        #expect(
            history.stdout.contains("create") && history.stdout.contains("confirm") && history.stdout.contains("reschedule")
                && history.stdout.contains("cancel"))
        #expect(history.stdout.contains("status: confirmed → cancelled"))
        #expect(history.stdout.contains("uid \(getuid())"))

        // The clash checker from the command line: the same room at the same time.
        let clash = try mesh.cli("delegation", "create", "-f", file)
        #expect(clash.code == 0)
        let check = try mesh.cli("delegation", "check", "-f", file)
        #expect(check.code == 1)
        #expect(check.stdout.contains("venue_double_booked"))
        let queue = try mesh.cli("queue", "--status", "all", "--subscriber", "notifications", "--json")
        let types = queue.json?["services"]?[0]?["deliveries"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
        #expect(Set(types) == ["delegation.confirmed", "delegation.rescheduled", "delegation.cancelled"])
        let bogus = try mesh.cli("delegation", "create", "-f", "/nonexistent.json")
        #expect(bogus.code == 65)
    }

    @Test func everythingAcknowledgedSurvivesKillNineDuringWrites() throws {
        let mesh = try MeshHarness()
        let path = mesh.socket("delegations")
        let acked = Locked<[String]>([])
        let stop = Atomic<Bool>(false)
        let running = Atomic<Int>(0)
        for w in 0..<4 {
            running.wrappingAdd(1, ordering: .relaxed)
            try OwnedThread.start(name: "writer") {
                defer { running.wrappingAdd(-1, ordering: .relaxed) }
                var n = 0
                while !stop.load(ordering: .relaxed) {
                    n += 1
                    let draft: JSONValue = [
                        "direction": "inbound", "title": .string("Load \(w)-\(n)"),
                        "partner": ["name": "Load test", "kind": "other", "country": "UG"],
                        "starts_at": "2027-01-01T09:00", "ends_at": "2027-01-01T10:00",
                    ]
                    guard let c = try? WireClient(path: path, timeoutMs: 5000),
                        let r = try? c.call("delegations.create", draft, timeoutMs: 5000), let id = r["id"]?.stringValue
                    else { continue }
                    acked.withLock { $0.append(id) }
                }
            }
        }
        for _ in 0..<3 {
            usleep(250_000)
            let pid = try #require(try mesh.pid("delegations"))
            kill(pid, SIGKILL)
            let back = try eventually(timeoutMs: 5000) { () throws -> Bool? in
                let row = try mesh.row("delegations")
                return row?["state"] == "running" && row?["pid"]?.intValue != Int64(pid) ? true : nil
            }
            #expect(back == true)
        }
        usleep(300_000)
        stop.store(true, ordering: .relaxed)
        while running.load(ordering: .relaxed) > 0 { usleep(10_000) }
        let ids = acked.withLock { $0 }
        #expect(ids.count > 20, "writes kept flowing across kills: \(ids.count)")
        let c = try WireClient(path: path)
        var missing = 0
        for id in ids where (try? c.call("delegations.get", ["id": .string(id)])) == nil { missing += 1 }
        #expect(missing == 0, "every acknowledged delegation is there after the kills (\(ids.count) checked)")
        #expect(try c.call("service.health")["database"] == "ok")
        #expect((try mesh.row("delegations"))?["restarts"] == 3)
    }
}
