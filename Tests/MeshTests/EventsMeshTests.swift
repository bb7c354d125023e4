import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Synchronization
import Testing

/// A small delegation for load; each gets its own venue so nothing clashes.
func loadDraft(_ n: Int, title: String = "Load") -> JSONValue {
    [
        "direction": "inbound", "title": .string("\(title) \(n)"),
        "partner": ["name": .string("Partner \(n)"), "kind": "university", "country": "KR"],
        "starts_at": "2027-05-01T09:00", "ends_at": "2027-05-01T17:00",
        "members": [["name": "Head of delegation", "role": "head", "email": .string("head\(n)@example.org")]],
        "hosts": [["name": "Host", "email": "host@bit.example.cn"]],
        "itinerary": [["starts_at": "2027-05-01T09:00", "ends_at": "2027-05-01T10:00", "title": "Welcome", "venue": .string("Room \(n)")]],
    ]
}

/// Checks that every event the producer committed was applied exactly once, in per-key order,
/// at notifications (jobs) and agreements (projection); returns the counts.
func verifyExactlyOnce(_ mesh: MeshHarness) throws -> (events: Int, keys: Int) {
    let c = try WireClient(path: mesh.socket("delegations"))
    // Visits' events (the registry's partner.* events go to agreements only).
    let produced = try c.list("events.outbox").items.filter { $0["type"]?.stringValue?.hasPrefix("delegation.") == true }
    var byKey: [String: [Int64]] = [:]
    for e in produced { byKey[e["partition_key"]!.stringValue!, default: []].append(e["sequence"]!.intValue!) }
    let jobs = try WireClient(path: mesh.socket("notifications")).list("notifications.jobs", ["limit": 1000]).items
    var applied: [String: [Int64]] = [:]
    for j in jobs { applied[j["partition_key"]!.stringValue!, default: []].append(j["sequence"]!.intValue!) }
    #expect(jobs.count == produced.count, "notifications applied \(jobs.count) of \(produced.count) events")
    for (key, seqs) in byKey { #expect(applied[key] == seqs, "notifications: \(key) exactly once, in order") }
    let projection = try WireClient(path: mesh.socket("agreements")).list("agreements.delegations", ["limit": 1000]).items
    #expect(projection.count == byKey.count)
    for p in projection {
        let key = "delegation/" + p["id"]!.stringValue!
        #expect(p["events_applied"]?.intValue == Int64(byKey[key]?.count ?? -1), "agreements: \(key) applied once each")
        #expect(p["out_of_order"] == 0)
        #expect(p["last_sequence"]?.intValue == byKey[key]?.last)
    }
    let q = try c.call("events.queue", ["status": "dead"])
    #expect(q["summary"]?["dead"] == 0, "nothing dead")
    return (produced.count, byKey.count)
}

@Suite(.serialized, .timeLimit(.minutes(5))) struct EventsMeshTests {
    @Test func eventsWaitForAStoppedConsumerAndArriveInOrderOnce() throws {
        let mesh = try MeshHarness()
        #expect(try mesh.cli("stop", "notifications").code == 0)
        let c = try WireClient(path: mesh.socket("delegations"))
        for n in 0..<100 {
            let d = try c.call("delegations.create", loadDraft(n))
            _ = try c.call("delegations.confirm", ["id": d["id"]!, "expected_version": 1])
        }
        let pending = try mesh.cli("queue", "--subscriber", "notifications", "--json")
        #expect(pending.json?["services"]?[0]?["summary"]?["subscribers"]?["notifications"]?["pending"] == 100)
        #expect(try mesh.cli("start", "notifications").code == 0)
        let done = try eventually(timeoutMs: 20_000) { () throws -> Bool? in
            let jobs = try WireClient(path: mesh.socket("notifications")).list("notifications.jobs", ["limit": 1000]).items
            return jobs.count >= 100 ? true : nil
        }
        #expect(done == true)
        let (events, keys) = try verifyExactlyOnce(mesh)
        #expect(events == 100 && keys == 100)
    }

    @Test func chaosKillsLoseNothingAndApplyNothingTwice() throws {
        let mesh = try MeshHarness()
        let path = mesh.socket("delegations")
        let stop = Atomic<Bool>(false)
        let writers = Atomic<Int>(0)
        let committed = Atomic<Int>(0)
        for w in 0..<6 {
            writers.wrappingAdd(1, ordering: .relaxed)
            try OwnedThread.start(name: "chaos-w") {
                defer { writers.wrappingAdd(-1, ordering: .relaxed) }
                var n = 0
                while !stop.load(ordering: .relaxed) {
                    n += 1
                    // create, confirm, two updates: four changes per delegation, three of them events
                    guard let c = try? WireClient(path: path, timeoutMs: 5000),
                        let d = try? c.call("delegations.create", loadDraft(w * 100_000 + n, title: "Chaos"), timeoutMs: 5000),
                        let id = d["id"]
                    else { usleep(20_000); continue }
                    var version: Int64 = 1
                    for step in 0..<3 {
                        let r: JSONValue?
                        if step == 0 {
                            r = try? c.call("delegations.confirm", ["id": id, "expected_version": .int(version)], timeoutMs: 5000)
                        } else {
                            r = try? c.call(
                                "delegations.update", ["id": id, "expected_version": .int(version), "notes": .string("step \(step)")],
                                timeoutMs: 5000)
                        }
                        guard let r, let v = r["version"]?.intValue else { break }
                        version = v
                        committed.wrappingAdd(1, ordering: .relaxed)
                    }
                }
            }
        }
        var kills = 0
        var rng = SystemRandomNumberGenerator()
        let started = monotonicNanos()
        var waitedForRestarts: UInt64 = 0
        // The supervisor restarts a child that was ready for a second at once, and one killed
        // sooner after a growing backoff (a crash loop: 250 ms, 500, 1 s, … up to 30 s). So most
        // kills wait for the victim's first second, and every fourth lands inside it (a recovery
        // cut short) — few enough that the backoff stays short and the test's length steady.
        var upSince = ["notifications": monotonicNanos(), "delegations": monotonicNanos()]
        while kills < 12 || committed.load(ordering: .relaxed) < 1000 {
            usleep(UInt32.random(in: 100_000...400_000, using: &rng))
            let victim = Bool.random(using: &rng) ? "notifications" : "delegations"
            if kills % 4 != 3 {
                while monotonicNanos() - upSince[victim, default: 0] < 1_100_000_000 { usleep(20_000) }
            }
            guard let pid = try mesh.pid(victim) else { continue }
            kill(pid, SIGKILL)
            kills += 1
            let killed = monotonicNanos()
            _ = try eventually(timeoutMs: 10_000) { () throws -> Bool? in
                let row = try mesh.row(victim)
                return row?["state"] == "running" && row?["pid"]?.intValue != Int64(pid) ? true : nil
            }
            waitedForRestarts += monotonicNanos() - killed
            upSince[victim] = monotonicNanos()
            if kills > 60 { break }
        }
        stop.store(true, ordering: .relaxed)
        let killing = monotonicNanos()
        while writers.load(ordering: .relaxed) > 0 { usleep(10_000) }
        let drained = try eventually(timeoutMs: 60_000) { () throws -> Bool? in
            let s = try mesh.call("delegations", "events.latency", ["after_seq": 0])
            return s["undelivered"] == 0 ? true : nil
        }
        #expect(drained == true)
        let (events, keys) = try verifyExactlyOnce(mesh)
        let restarts = try ["delegations", "notifications"].map { try mesh.row($0)?["restarts"]?.intValue ?? 0 }.reduce(0, +)
        print(
            "chaos: \(kills) kills, \(restarts) restarts, \(committed.load(ordering: .relaxed)) acknowledged changes, "
                + "\(events) events over \(keys) delegations, each applied exactly once at both subscribers, in order; "
                + "killing \((killing - started) / 1_000_000) ms (\(waitedForRestarts / 1_000_000) of them waiting for restarts), "
                + "drained in \((monotonicNanos() - killing) / 1_000_000) ms"
        )
        #expect(kills >= 10)
        #expect(events >= 1000)
        #expect(restarts == kills)
    }

    /// A consumer takes from a producer only the types its mesh entry says it emits (issue 26):
    /// a visit's confirmation said to come from agreements, or anything from notifications, is
    /// refused whoever hands it over, applied nowhere, and logged.
    @Test func aConsumerRefusesEventsOfATypeTheirSourceDoesNotEmitAndLogsIt() throws {
        let mesh = try MeshHarness()
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", loadDraft(7, title: "Forged"))
        let id = try #require(d["id"]?.stringValue)
        func event(source: String, type: String) -> JSONValue {
            [
                "specversion": "1.0", "id": .string("evt-forged-\(source)"), "source": .string(source),
                "datacontenttype": "application/json",
                "type": .string(type), "subject": .string(id), "time": "2026-12-04T10:00:00Z",
                "partitionkey": .string("delegation/" + id), "sequence": 1, "data": d,
            ]
        }
        for (to, source) in [("notifications", "agreements"), ("agreements", "notifications")] {
            let r = try mesh.call(to, "events.deliver", ["events": [event(source: source, type: "delegation.confirmed")]])
            let result = r["results"]?[0]
            #expect(result?["status"] == "failed", "\(to) from \(source): \(r)")
            #expect(result?["error"]?["code"] == "permission_denied", "\(JSONWriter.string(r).prefix(600))")
            let message = result?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("events[0].type: \(source) emits") && message.contains("not delegation.confirmed"), "\(message)")
        }
        #expect(try mesh.call("notifications", "notifications.jobs")["items"]?.arrayValue?.isEmpty == true, "nobody mailed")
        #expect(try mesh.call("agreements", "agreements.delegations")["items"]?.arrayValue?.isEmpty == true)
        let logged = eventually(timeoutMs: 5000) { () -> Bool? in
            let log = (try? String(contentsOfFile: mesh.home + "/log/notifications.log", encoding: .utf8)) ?? ""
            return log.contains("event=event.refused") && log.contains("source=agreements") ? true : nil
        }
        #expect(logged == true, "the refusal is in notifications' log")
    }

    @Test func deadLettersAreShownRedrivenAndSkippedThroughTheCLI() throws {
        // notifications takes frames of at most 2 KiB: a delegation event carrying a long purpose
        // cannot reach it and goes dead at once, with the reason.
        let mesh = try MeshHarness(meshFile: { home in
            var m = MeshFile.standard(home: home)
            m.services[1].maxFrameBytes = 2048
            return m
        })
        let c = try WireClient(path: mesh.socket("delegations"))
        guard case .object(var big) = loadDraft(1) else { return }
        big["purpose"] = .string(String(repeating: "Exchange and cooperation. ", count: 120))
        let d1 = try c.call("delegations.create", .object(big))
        _ = try c.call("delegations.confirm", ["id": d1["id"]!, "expected_version": 1])
        let d2 = try c.call("delegations.create", loadDraft(2))
        _ = try c.call("delegations.confirm", ["id": d2["id"]!, "expected_version": 1])
        let dead = try eventually { () throws -> JSONValue? in
            let q = try mesh.cli("queue", "--status", "dead", "--json").json?["services"]?[0]?["deliveries"]?[0]
            return q
        }
        #expect(dead?["subscriber"] == "notifications")
        #expect(dead?["last_error"]?.stringValue?.contains("larger than notifications's max frame") == true)
        let table = try mesh.cli("queue")
        #expect(table.stdout.contains("1 dead") && table.stdout.contains("dead"))
        // The small visit got through, and agreements (no small limit) got both.
        _ = try eventually { () throws -> Bool? in
            (try mesh.call("notifications", "notifications.jobs")["items"]?.arrayValue?.count == 1) ? true : nil
        }
        _ = try eventually { () throws -> Bool? in
            (try mesh.call("agreements", "agreements.delegations")["items"]?.arrayValue?.count == 2) ? true : nil
        }

        // A second event on the same delegation waits behind the dead one.
        _ = try c.call("delegations.update", ["id": d1["id"]!, "expected_version": 2, "notes": "short"])
        usleep(300_000)
        #expect(try mesh.call("notifications", "notifications.jobs")["items"]?.arrayValue?.count == 1)

        // Skip the poison event: the update behind it flows.
        let seq = try #require(dead?["outbox_seq"]?.intValue)
        let skip = try mesh.cli("queue", "skip", String(seq), "--subscriber", "notifications", "--reason", "too large for this consumer")
        #expect(skip.code == 0, "\(skip.stderr)")
        _ = try eventually { () throws -> Bool? in
            (try mesh.call("notifications", "notifications.jobs")["items"]?.arrayValue?.count == 2) ? true : nil
        }
        let audit = try mesh.cli("queue", "audit")
        #expect(audit.stdout.contains("skip") && audit.stdout.contains("too large for this consumer"))

        // Another big event dies; after the fix (a bigger frame limit, reloaded) redrive delivers it.
        _ = try c.call(
            "delegations.update", ["id": d1["id"]!, "expected_version": 3, "notes": .string(String(repeating: "n", count: 3000))])
        let dead2 = try eventually { () throws -> Int64? in
            try mesh.cli("queue", "--status", "dead", "--json").json?["services"]?[0]?["deliveries"]?[0]?["outbox_seq"]?.intValue
        }
        #expect(dead2 != nil)
        var fixed = MeshFile.standard(home: mesh.home)
        fixed.home = mesh.home
        fixed.services[1].settings = ["mail": ["transport": "file"]]
        try JSONWriter.pretty(JSONEncoding.encode(fixed)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        #expect(try mesh.cli("reload").stdout.contains("restarted: notifications"))
        #expect(try mesh.cli("restart", "delegations").code == 0)
        let redrive = try mesh.cli("queue", "redrive", "--all-dead")
        #expect(redrive.stdout.contains("redriven: 1"), "\(redrive.stdout)\(redrive.stderr)")
        _ = try eventually { () throws -> Bool? in
            (try mesh.call("notifications", "notifications.jobs")["items"]?.arrayValue?.count == 3) ? true : nil
        }
        #expect(try mesh.cli("queue", "--status", "dead", "--json").json?["services"]?[0]?["summary"]?["dead"] == 0)
    }
}
