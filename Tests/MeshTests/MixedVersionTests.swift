import Foundation
import Glibc
import LiaisonHost
import LiaisonJSON
import LiaisonProcess
import LiaisonSync
import LiaisonWire
import Synchronization
import Testing

/// The previous release's binaries (`Tests/Compatibility/build-previous`, which `.ci/run` runs
/// and points `LIAISON_PREVIOUS_BIN` at). Without them the tests are skipped, unless
/// `LIAISON_REQUIRE_PREVIOUS=1` says CI built them (then they fail).
enum PreviousRelease {
    static var bin: String? { ProcessInfo.processInfo.environment["LIAISON_PREVIOUS_BIN"] }
    static var required: Bool { ProcessInfo.processInfo.environment["LIAISON_REQUIRE_PREVIOUS"] == "1" }
    static var present: Bool {
        bin.map { FileManager.default.isExecutableFile(atPath: $0 + "/liaison-delegations") } ?? false
    }
    static var runs: Bool { present || required }
}

/// The office's everyday work, as the previous release's clients send it (its params, with the
/// versions it reads first), on a mesh of whatever releases: what every mixed mesh must do as a
/// uniform one does.
struct EverydayScenario {
    let mesh: MeshHarness

    func call(_ service: String, _ method: String, _ params: JSONValue) throws -> JSONValue {
        try mesh.call(service, method, params, timeoutMs: 20_000)
    }

    /// create, confirm, reschedule, a member removed, an agreement from the visit, signed, the
    /// partner renamed. Returns the visit's and the agreement's ids.
    @discardableResult
    func run(tag: String = "") throws -> (visit: String, agreement: String) {
        let partner = try call(
            "delegations",
            "partners.create",
            ["name": .string("Hanyang University\(tag)"), "kind": "university", "country": "KR"]
        )
        let pid = try #require(partner["id"]?.stringValue)
        let members: [JSONValue] = [
            ["name": "Kim Minji", "role": "head", "email": .string("kim\(tag)@hanyang.example")],
            ["name": "Lee Jisoo", "role": "member", "email": .string("lee\(tag)@hanyang.example")],
            ["name": "Park Hyun", "role": "member", "email": .string("park\(tag)@hanyang.example")],
        ]
        let visit = try call(
            "delegations",
            "delegations.create",
            [
                "direction": "inbound", "title": .string("Exchange review\(tag)"),
                "partners": [["id": .string(pid), "lead": true]],
                "starts_at": "2031-05-10T09:00", "ends_at": "2031-05-11T17:00", "time_zone": "Asia/Shanghai",
                "members": .array(members), "hosts": [["name": "Zhang Min", "email": "zhang.min@bit.example.cn"]],
                "itinerary": [
                    [
                        "title": "Welcome", "starts_at": "2031-05-10T09:30", "ends_at": "2031-05-10T10:30",
                        "venue": "Main building 101", "hosts": ["zhang.min@bit.example.cn"],
                    ],
                    [
                        "title": "Labs", "starts_at": "2031-05-11T10:00", "ends_at": "2031-05-11T12:00",
                        "venue": "Lab 3",
                    ],
                ],
            ]
        )
        let id = try #require(visit["id"]?.stringValue)
        var v = try #require(visit["version"])
        v = try call("delegations", "delegations.confirm", ["id": .string(id), "expected_version": v])["version"]!
        v = try call(
            "delegations",
            "delegations.reschedule",
            ["id": .string(id), "expected_version": v, "shift_minutes": 1440, "reason": "a day later"]
        )["version"]!
        // A member leaves: the previous release's client sent the members without them.
        _ = try call(
            "delegations",
            "delegations.update",
            ["id": .string(id), "expected_version": v, "members": .array(Array(members.prefix(2)))]
        )
        // Made once the registry's partner.created has reached the agreements service.
        let agreement = eventually(timeoutMs: 20_000) { () -> JSONValue? in
            try? call(
                "agreements",
                "agreements.create",
                [
                    "title": .string("Exchange with Hanyang\(tag)"), "kind": "exchange",
                    "partners": [["id": .string(pid)]],
                    "coordinator": ["name": "Li Wei", "email": "li.wei@bit.example.cn"], "ends_on": "2035-06-30",
                ]
            )
        }
        let aid = try #require(agreement?["id"]?.stringValue, "the partner never reached the agreements service")
        // Linked once the visit's events have reached the agreements service.
        let linked = eventually(timeoutMs: 20_000) { () -> JSONValue? in
            try? call("agreements", "agreements.link_delegation", ["id": .string(aid), "delegation_id": .string(id)])
        }
        let a = try #require(linked, "the visit never reached the agreements service")
        _ = try call(
            "agreements",
            "agreements.sign",
            [
                "id": .string(aid), "expected_version": a["version"]!, "signed_on": "2031-05-11",
                "signatories": [
                    ["name": "Li Wei", "side": "bit"], ["name": "Kim Minji", "side": "Hanyang University"],
                ],
            ]
        )
        let current = try call("delegations", "partners.get", ["id": .string(pid)])
        let pv = current["partner"]?["version"] ?? current["version"] ?? 1
        _ = try call(
            "delegations",
            "partners.update",
            ["id": .string(pid), "expected_version": pv, "name": .string("Hanyang University (Seoul)\(tag)")]
        )
        return (id, aid)
    }

    /// Waits until no producer has an event waiting and the mail queue is empty; returns the
    /// dead deliveries (none expected) and the messages as (recipient, rule), sorted.
    func settle(timeoutMs: Int = 60_000) throws -> (dead: Int, mails: [String]) {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        var last: [String] = []
        var stableSince = monotonicNanos()
        while monotonicNanos() < deadline {
            var pending = 0, dead = 0
            for s in ["delegations", "agreements"] {
                let h = try call(s, "service.health", [:])
                pending += Int(h["outbox"]?["pending"]?.intValue ?? 0)
                dead += Int(h["outbox"]?["dead"]?.intValue ?? 0)
            }
            let list = try call("notifications", "notifications.list", ["limit": 500])
            let items = list["items"]?.arrayValue ?? []
            let queued = items.filter { ["pending", "sending"].contains($0["status"]?.stringValue ?? "") }.count
            let mails = items.map { "\($0["recipient"]?.stringValue ?? "?") \($0["rule"]?.stringValue ?? "?")" }
                .sorted()
            if mails != last { (last, stableSince) = (mails, monotonicNanos()) }
            // Quiet for a second: every event delivered, every mail handed over, nothing new.
            if pending == 0 && queued == 0 && monotonicNanos() - stableSince > 1_000_000_000 { return (dead, mails) }
            usleep(100_000)
        }
        throw HarnessError("the mesh did not settle within \(timeoutMs) ms; mails so far: \(last)")
    }

    /// Each service's release as `liaison status --json` shows it.
    func versions() throws -> [String: String] {
        let st = try #require(try mesh.cli("status", "--json").json)
        var out: [String: String] = [:]
        for r in st["services"]?.arrayValue ?? [] {
            if let n = r["name"]?.stringValue { out[n] = r["version"]?.stringValue }
        }
        return out
    }
}

/// Services upgraded one at a time: every service of the previous release beside today's, each
/// way, sends every mail a uniform mesh sends, with nothing dead (issue 24).
@Suite(.serialized, .timeLimit(.minutes(8)), .enabled(if: PreviousRelease.runs)) struct MixedVersionTests {
    static let services = ["delegations", "agreements", "notifications"]

    /// A mesh whose `old` services run the previous release's binaries.
    static func mesh(old: Set<String>) throws -> MeshHarness {
        guard let prev = PreviousRelease.bin, PreviousRelease.present else {
            throw HarnessError(
                "LIAISON_PREVIOUS_BIN has no previous release's binaries (Tests/Compatibility/build-previous)"
            )
        }
        return try MeshHarness(meshFile: { home in
            var m = MeshFile.standard(home: home)
            for i in m.services.indices where old.contains(m.services[i].name) {
                m.services[i].executable = prev + "/" + m.services[i].executable
            }
            return m
        })
    }

    @Test func everyServiceOfEitherReleaseBesideTheOthersMailsAsAUniformMeshDoes() throws {
        let expected: [String]
        do {
            let uniform = EverydayScenario(mesh: try Self.mesh(old: []))
            try uniform.run()
            let r = try uniform.settle()
            #expect(r.dead == 0)
            expected = r.mails
        }
        #expect(expected.count >= 8, "schedules, updates, a cancellation and the agreement's notice: \(expected)")
        // What mail a change sends is the notifications service's to decide (0.2.0 briefs hosts on
        // who comes): a mesh whose notifications is the previous release's sends what a uniform
        // mesh of that release sends.
        let expectedOld: [String]
        do {
            let uniform = EverydayScenario(mesh: try Self.mesh(old: Set(Self.services)))
            try uniform.run()
            let r = try uniform.settle()
            #expect(r.dead == 0)
            expectedOld = r.mails
        }
        var matrix: [String] = []
        for (label, old) in Self.services.map({ ("old \($0), the rest new", Set([$0])) })
            + Self.services.map({ ("new \($0), the rest old", Set(Self.services).subtracting([$0])) })
        {
            let scenario = EverydayScenario(mesh: try Self.mesh(old: old))
            try scenario.run()
            let r = try scenario.settle()
            let versions = try scenario.versions()
            #expect(Set(versions.values).count == 2, "\(label): two releases running: \(versions)")
            #expect(r.dead == 0, "\(label): dead events")
            let same = old.contains("notifications") ? expectedOld : expected
            #expect(r.mails == same, "\(label): mails differ from a uniform mesh's\nexpected \(same)\ngot \(r.mails)")
            matrix.append(
                "\(label): \(r.mails.count) mails, \(r.dead) dead, versions \(versions.sorted { $0.key < $1.key })"
            )
        }
        print("uniform mesh's mails: \(expected.joined(separator: "; "))")
        print("uniform previous release's mails: \(expectedOld.joined(separator: "; "))")
        print("mixed-version matrix:\n  " + matrix.joined(separator: "\n  "))
    }

    /// A visit known only as "some time in 2020–2025" (a range: data version 2, issue 27.5) reaches
    /// the previous release's agreements as `~2025`, the latest year it may mean, and nothing is
    /// dead; today's agreements keeps the range. An agreement recorded without its coordinator's
    /// address reaches the previous release's notifications with `unknown@invalid`.
    @Test func aVisitDatedByARangeReachesThePreviousReleaseAsAnApproximateYear() throws {
        for old in [Set(["agreements", "notifications"]), ["notifications"], []] {
            let scenario = EverydayScenario(mesh: try Self.mesh(old: old))
            _ = try scenario.call(
                "delegations",
                "delegations.record",
                [
                    "direction": "inbound", "title": "Government delegation from Uzbekistan", "date": "2020/2025",
                    "status": "completed",
                    "partners": [["name": "Ministry of Digital Technologies", "kind": "government", "country": "UZ"]],
                ]
            )
            if !old.contains("agreements") {
                // An agreement recorded without its coordinator's address (version 2 of its data).
                _ = try scenario.call(
                    "agreements",
                    "agreements.record",
                    [
                        "title": "Exchange and cooperation", "kind": "exchange", "status": "active", "starts_on": "~2013",
                        "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
                        "coordinator": ["name": "BIT International Office"],
                    ]
                )
            }
            #expect(try scenario.settle().dead == 0, "old \(old): nothing dead")
            let items = try scenario.call("agreements", "agreements.delegations", [:])["items"]?.arrayValue ?? []
            #expect(items.count == 1, "old \(old): projected: \(items)")
            let expected: JSONValue =
                old.contains("agreements") ? ["date": "~2025", "when": "c. 2025"] : ["date": "2020/2025", "when": "2020–2025"]
            #expect(items.first?["date"] == expected["date"] && items.first?["when"] == expected["when"], "old \(old): \(items)")
        }
    }

    @Test func aRollingUpgradeUnderLoadFailsNoCallAndMailsEachPersonOnce() throws {
        guard let prev = PreviousRelease.bin else { throw HarnessError("LIAISON_PREVIOUS_BIN unset") }
        // Every service of the previous release, run from copies that are replaced in place.
        let mesh = try MeshHarness(meshFile: { home in
            var m = MeshFile.standard(home: home)
            try? FileManager.default.createDirectory(atPath: home + "/bin", withIntermediateDirectories: true)
            for i in m.services.indices {
                let exe = home + "/bin/" + m.services[i].executable
                try? FileManager.default.copyItem(atPath: prev + "/" + m.services[i].executable, toPath: exe)
                m.services[i].executable = exe
            }
            return m
        })
        let scenario = EverydayScenario(mesh: mesh)
        let stop = Atomic<Bool>(false), done = Atomic<Bool>(false), calls = Atomic<Int>(0)
        let failed = Locked<[String]>([]), confirmed = Locked<[String]>([])
        let socket = mesh.socket("delegations")
        try OwnedThread.start(name: "load") {
            defer { done.store(true, ordering: .releasing) }
            var n = 0
            var client: WireClient?
            while !stop.load(ordering: .relaxed) {
                n += 1
                do {
                    let c = try client ?? WireClient(path: socket, timeoutMs: 5000)
                    client = c
                    let email = "guest\(n)@visitors.example"
                    let d = try c.call(
                        "delegations.create",
                        [
                            "direction": "inbound", "title": .string("Visit \(n)"),
                            "partners": [["name": "Load University", "kind": "university", "country": "TH"]],
                            "starts_at": "2032-03-01T09:00", "ends_at": "2032-03-01T17:00", "time_zone": "Asia/Bangkok",
                            "members": [["name": .string("Guest \(n)"), "role": "head", "email": .string(email)]],
                        ],
                        timeoutMs: 20_000
                    )
                    calls.add(1, ordering: .relaxed)
                    _ = try c.call(
                        "delegations.confirm",
                        ["id": d["id"]!, "expected_version": d["version"]!],
                        timeoutMs: 20_000
                    )
                    calls.add(1, ordering: .relaxed)
                    confirmed.withLock { $0.append(email) }
                } catch {
                    failed.withLock { $0.append("visit \(n): \(error)") }
                    client = nil
                }
            }
        }
        let t0 = monotonicNanos()
        var steps: [String] = []
        usleep(500_000)
        for s in Self.services {
            let exe = mesh.home + "/bin/liaison-\(s)"
            // The new binary in place (a new file renamed over the old), then a restart.
            try FileManager.default.copyItem(atPath: binDirectory() + "/liaison-\(s)", toPath: exe + ".new")
            guard rename(exe + ".new", exe) == 0 else { throw HarnessError("rename failed") }
            let r = try mesh.cli("restart", s)
            #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
            steps.append("\(s) at \((monotonicNanos() - t0) / 1_000_000) ms")
            usleep(700_000)
        }
        stop.store(true, ordering: .relaxed)
        while !done.load(ordering: .acquiring) { usleep(10_000) }
        let seconds = Double(monotonicNanos() - t0) / 1e9
        let r = try scenario.settle()
        let versions = try scenario.versions()
        #expect(Set(versions.values).count == 1 && versions.values.first != nil, "all upgraded: \(versions)")
        #expect(failed.withLock { $0 }.isEmpty, "failed calls: \(failed.withLock { $0 })")
        #expect(r.dead == 0, "dead events")
        let emails = confirmed.withLock { $0 }
        for e in emails {
            let theirs = r.mails.filter { $0.hasPrefix(e + " ") }
            #expect(theirs == ["\(e) schedule"], "\(e): \(theirs)")
        }
        print(
            "rolling upgrade under load: \(calls.load(ordering: .relaxed)) calls, \(failed.withLock { $0.count }) failed, "
                + "\(emails.count) visits confirmed, each mailed once; \(r.dead) dead; replaced \(steps.joined(separator: ", ")) "
                + "in \(String(format: "%.1f", seconds)) s"
        )
    }

    /// A visit to create from a file, as both releases' `delegation create -f` take it.
    static func visitFile(_ home: String) throws -> String {
        let path = home + "/visit.json"
        try JSONWriter.pretty([
            "direction": "inbound", "title": "Ministry visit",
            "partners": [["name": "Ministry of Education", "kind": "government", "country": "TH"]],
            "starts_at": "2031-09-01T09:00", "ends_at": "2031-09-01T17:00", "time_zone": "Asia/Bangkok",
            "members": [
                ["name": "Somchai", "role": "head", "email": "somchai@moe.example"],
                ["name": "Anong", "role": "member", "email": "anong@moe.example"],
            ],
        ]).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theOlderCLIDoesTheEverydayCommandsAgainstTodaysServices() throws {
        let prev = try #require(PreviousRelease.bin)
        let mesh = try Self.mesh(old: [])
        func old(_ args: String...) throws -> CLIResult {
            try runProgram(prev + "/liaison", args + ["--home", mesh.home], timeoutMs: 60_000)
        }
        let created = try old("delegation", "create", "-f", try Self.visitFile(mesh.home), "--json")
        #expect(created.code == 0, "old liaison delegation create: \(created.stdout)\(created.stderr)")
        let ref = try #require(created.json?["ref"]?.stringValue)
        for args in [
            ["delegation", "list"], ["delegation", "show", ref], ["delegation", "confirm", ref], ["status"],
        ] {
            let r = try runProgram(prev + "/liaison", args + ["--home", mesh.home], timeoutMs: 60_000)
            #expect(r.code == 0, "old liaison \(args.joined(separator: " ")): \(r.stdout)\(r.stderr)")
        }
        let removed = try old("delegation", "member", "remove", ref, "anong@moe.example")
        #expect(removed.code == 0, "the older CLI's two-call edit still works: \(removed.stdout)\(removed.stderr)")
    }

    @Test func todaysCLIDoesTheEverydayCommandsAgainstTheOlderServicesOrSaysWhatItNeeds() throws {
        let mesh = try Self.mesh(old: Set(Self.services))
        let created = try mesh.cli("delegation", "create", "-f", try Self.visitFile(mesh.home), "--json")
        #expect(created.code == 0, "liaison delegation create: \(created.stdout)\(created.stderr)")
        let ref = try #require(created.json?["ref"]?.stringValue)
        for args in [["delegation", "list"], ["delegation", "show", ref], ["delegation", "confirm", ref]] {
            let r = try runCLI(args + ["--home", mesh.home])
            #expect(r.code == 0, "liaison \(args.joined(separator: " ")): \(r.stdout)\(r.stderr)")
        }
        let status = try mesh.cli("status")
        #expect(status.stdout.contains("0.1.0"), "the older services' release shows: \(status.stdout)")
        let removed = try mesh.cli("delegation", "member", "remove", ref, "anong@moe.example")
        #expect(removed.code != 0)
        #expect(
            removed.stderr.contains("runs 0.1.0, which has no delegations.remove_member (it came with 0.2.0)"),
            "says which release it needs: \(removed.stderr)"
        )
        #expect(!removed.stderr.contains("not of the shape"), "never a decoding error")
    }
}
