import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization
import Testing

@Suite(.serialized, .timeLimit(.minutes(6))) struct DelegationsMeshTests {
    @Test func theDemoLoadsTheArticleAsHistoryAndSendsNoMail() throws {
        let mesh = try MeshHarness()
        let demo = try mesh.cli("demo")
        #expect(demo.code == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("recorded as history (no mail sent)"))
        let again = try mesh.cli("demo", "--json")
        let rows = again.json?["delegations"]?["rows"]?.arrayValue ?? []
        #expect(rows.count == 22 && rows.allSatisfy { $0["created"] == false }, "demo is idempotent: 13 partners and 9 visits found again")
        let list = try mesh.cli("delegation", "list")
        #expect(list.code == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10, "a header and the article's nine visits")
        for (title, date) in [
            ("Beijing Automotive Group's R&D centres", "2018"), ("Thailand's Ministry of Education", "2023"),
            ("Hanyang University delegation", "Oct 2024"), ("Government delegation from Malaysia", "2020 – May 2025"),
            ("four Moroccan high schools", "by May 2025"), ("minister for the development of ICT", "c. 2024"),
        ] {
            #expect(lines.contains { $0.contains(title) && $0.contains("  \(date)  ") }, "\(title) dated \(date)")
        }
        // A visit of the past has no itinerary to come (issue 27: "(no itinerary yet)").
        let ref = try #require(lines.dropFirst().first?.split(separator: " ").first.map(String.init))
        let shown = try mesh.cli("delegation", "show", ref).stdout
        #expect(shown.contains("(no itinerary recorded)") && !shown.contains("yet"), "\(shown)")
        let partners = try mesh.cli("partner", "list", "--json").json?["items"]?.arrayValue ?? []
        let names = partners.compactMap { $0["name"]?.stringValue }
        #expect(names.count >= 13 && Set(names).count == names.count, "\(names)")
        #expect(partners.filter { $0["country"] == "MA" }.count == 4, "Morocco's four schools, each its own partner")
        #expect(partners.first { $0["name"] == "China Communications Construction Company" }?["country"] == "CN")
        let report = try mesh.cli("report", "partners", "--by", "continent", "--json").json
        let byKey = Dictionary(uniqueKeysWithValues: (report?["rows"]?.arrayValue ?? []).map { ($0["key"]!.stringValue!, $0) })
        #expect(byKey["Asia"]?["partner_names"]?.arrayValue?.contains("China Communications Construction Company") == true)
        #expect(byKey["Africa"]?["sites"] == 1 && byKey["Africa"]?["partners"] == 0, "the workstation counts in Uganda, as a site")
        #expect(byKey["Africa"]?["site_names"] == ["Study in BIT Uganda Workstation (Uganda)"])
        // History sends nothing: once every event is delivered, the notifications service holds no message.
        let c = try WireClient(path: mesh.socket("delegations"))
        let delivered = try eventually(timeoutMs: 10_000) { try c.call("events.queue", [:])["summary"]?["pending"] == 0 ? true : nil }
        #expect(delivered == true, "the demo's events are delivered")
        let messages = try mesh.cli("notification", "list", "--json").json?["items"]?.arrayValue
        #expect(messages?.isEmpty == true, "no mail for history")
        let show = try mesh.cli("partner", "show", partners.first { $0["name"] == "Hanyang University" }!["id"]!.stringValue!)
        #expect(show.stdout.contains("Last contact Oct 2024") && show.stdout.contains("Exchange and cooperation with Hanyang University"))
        let all = try mesh.cli("delegation", "list", "--json").json?["items"]?.arrayValue ?? []
        let minister = try #require(all.first { $0["title"]?.stringValue?.contains("development of ICT") == true }?["id"])
        let registry = try mesh.cli("report", "registry", "--json").json
        #expect(registry?["totals"]?["partners"] == 13 && registry?["rows"]?[0]?["key"] == "Asia", "the whole registry counted")
        let visit = try mesh.cli("delegation", "show", minister.stringValue!)
        #expect(visit.stdout.contains("His four-person delegation — 4 people"), "\(visit.stdout)")
        #expect(visit.stdout.contains("Rustam Karimjonov, Minister for the development of ICT — minister"))
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
        let clash = try mesh.cli("delegation", "create", "-f", file, "--json")
        #expect(clash.code == 0)
        let proposed = try mesh.cli("delegation", "check", "-f", file)
        #expect(proposed.code == 0 && proposed.stdout.contains("2 warnings (proposed visits"), "a proposed visit warns: \(proposed.stdout)")
        #expect(try mesh.cli("delegation", "confirm", clash.json?["ref"]?.stringValue ?? "").code == 0)
        let check = try mesh.cli("delegation", "check", "-f", file)
        #expect(check.code == 1)
        #expect(check.stdout.contains("venue_double_booked"))
        let queue = try mesh.cli("queue", "--status", "all", "--subscriber", "notifications", "--json")
        let types = queue.json?["services"]?[0]?["deliveries"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
        #expect(Set(types) == ["delegation.confirmed", "delegation.rescheduled", "delegation.cancelled"])
        let bogus = try mesh.cli("delegation", "create", "-f", "/nonexistent.json")
        #expect(bogus.code == 66 && bogus.stderr.contains("No such file or directory"), "EX_NOINPUT with the reason: \(bogus.stderr)")
        // A partner not in the registry: the error says which command finds one, not a wire method.
        let unknown = try mesh.cli(
            "delegation", "create", "--title", "Who?", "--partner", "par-nosuchpartner", "--date", "2024-10")
        #expect(unknown.code == 65 && unknown.stderr.contains("liaison partner list --text NAME"), "\(unknown.stderr)")
        #expect(!unknown.stderr.contains("partners.list"), "\(unknown.stderr)")
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
