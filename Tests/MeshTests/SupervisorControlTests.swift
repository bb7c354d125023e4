import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// Start order, reload and following logs, through the real `liaison` CLI.
@Suite(.serialized, .timeLimit(.minutes(6))) struct SupervisorControlTests {
    @Test func aServiceStartsOnlyOnceItsDependenciesAreReady() throws {
        let mesh = try MeshHarness(meshFile: { home in
            var m = MeshFile.standard(home: home)
            m.services.append(
                try! scriptService(home, "base", "sleep 0.4; echo READY >&4; while true; do sleep 1; done", stopTimeoutMs: 300))
            var dependent = try! scriptService(home, "dependent", "echo READY >&4; while true; do sleep 1; done", stopTimeoutMs: 300)
            dependent.dependsOn = ["base"]
            m.services.insert(dependent, at: 0)  // listed first, started second
            return m
        })
        let log = mesh.upLog()
        let baseReady = try #require(eventTimes(log, event: "service.ready", service: "base").first)
        let dependentSpawned = try #require(eventTimes(log, event: "service.spawned", service: "dependent").first)
        let baseSpawned = try #require(eventTimes(log, event: "service.spawned", service: "base").first)
        #expect(baseReady - baseSpawned >= 0.35, "base took its 0.4 s to be ready")
        #expect(dependentSpawned >= baseReady, "dependent spawned at \(dependentSpawned), base ready at \(baseReady)")
    }

    /// `workers: 0` and a data directory that is a file restarted forever under `up` (issue 26):
    /// each is a configuration error, the service `failed` with the reason, the others run.
    @Test func aServiceMisconfiguredFailsWithTheReasonInsteadOfRestarting() throws {
        let mesh = try MeshHarness(
            meshFile: { home in
                var m = MeshFile.standard(home: home)
                for i in m.services.indices where m.services[i].name == "agreements" {
                    m.services[i].settings = ["workers": 0]
                }
                try? FileManager.default.createDirectory(atPath: home + "/data", withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: home + "/data/notifications", contents: Data("a file".utf8))
                return m
            },
            waitForReady: false
        )
        for (name, why) in [("agreements", "workers"), ("notifications", "not a directory")] {
            let row = try eventually(timeoutMs: 15_000) { () throws -> JSONValue? in
                let r = try? mesh.row(name)
                return r?["state"] == "failed" ? r : nil
            }
            #expect(row?["state"] == "failed", "\(name): \(String(describing: try? mesh.row(name)))")
            #expect((row?["restarts"]?.intValue ?? 99) == 0, "\(name) not restarted: \(row ?? .null)")
            let said = (row?["reason"]?.stringValue ?? "") + " "
                + (row?["last_stderr"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? "")
            #expect(said.contains(why), "\(name): \(said)")
        }
        #expect(try mesh.row("delegations")?["state"] == "running")
    }

    /// `liaison down` stops the whole mesh from anywhere (there was no way but kill on a pid
    /// written nowhere, issue 29); the supervisor's pid is beside its socket while it runs.
    @Test func downStopsTheWholeMeshAndTheSupervisorsPidIsWrittenWhileItRuns() throws {
        let mesh = try MeshHarness()
        let pidFile = mesh.home + "/run/supervisor.pid"
        let written = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int64(written) == (try mesh.status())["supervisor"]?["pid"]?.intValue, "the pid file says the supervisor")
        let down = try mesh.cli("down")
        #expect(down.code == 0 && down.stdout.contains("mesh stopped in"), "\(down.stdout)\(down.stderr)")
        #expect(processes(mentioning: mesh.home).isEmpty, "nothing of the mesh is left")
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the pid file goes with it")
        let again = try mesh.cli("down")
        #expect(again.code == 0 && again.stdout.contains("nothing runs"), "\(again.stdout)\(again.stderr)")
    }

    @Test func reloadStartsAddedStopsRemovedAndRestartsOnlyWhatChanged() throws {
        let mesh = try MeshHarness()
        func pids() throws -> [String: Int32] {
            var out: [String: Int32] = [:]
            for name in ["delegations", "notifications", "agreements"] { out[name] = try mesh.pid(name) }
            return out
        }
        let before = try pids()

        var m = MeshFile.standard(home: mesh.home)
        m.home = mesh.home
        // Notifications' settings as the harness wrote them: unchanged.
        m.services[m.services.firstIndex { $0.name == "notifications" }!].settings = [
            "mail": ["transport": "file", "coalesce_s": 0, "per_recipient_per_hour": 0, "per_visit_per_hour": 0]
        ]
        m.services[m.services.firstIndex { $0.name == "agreements" }!].env["LIAISON_LOG_LEVEL"] = "debug"
        m.services.append(
            try scriptService(
                mesh.home, "extra", "echo READY >&4; while true; do echo \"tick $(date +%s%N)\"; sleep 0.2; done",
                stopTimeoutMs: 300))
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let r = try mesh.cli("reload")
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == "added: extra\nremoved: none\nrestarted: agreements\nreconfigured: none\n")
        try mesh.waitForReady(services: ["agreements", "extra"])
        let after = try pids()
        #expect(
            after["delegations"] == before["delegations"] && after["notifications"] == before["notifications"],
            "unchanged services keep running")
        #expect(after["agreements"] != before["agreements"], "the changed one was restarted")
        #expect(try mesh.call("agreements", "service.ping") == ["pong": true])

        // `logs -f` follows new lines as they come.
        let follow = try Child(binDirectory() + "/liaison", ["logs", "extra", "-n", "1", "-f", "--home", mesh.home], stdout: .pipe)
        defer { if follow.isRunning { follow.terminate() }; follow.waitUntilExit() }
        var seen = ""
        let deadline = monotonicNanos() + 10_000_000_000
        while seen.components(separatedBy: "tick ").count < 6 && monotonicNanos() < deadline {
            let chunk = follow.standardOutput!.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        // ts=… stream=out msg="tick 1733…"
        let ticks = seen.split(separator: "\n").filter { $0.contains("stream=out msg=\"tick ") }.compactMap {
            $0.split(separator: " ").last.flatMap { Int64($0.filter(\.isNumber)) }
        }
        #expect(ticks.count >= 5, "lines kept coming: \(seen)")
        #expect(ticks == ticks.sorted() && Set(ticks).count == ticks.count, "in order, none twice")
        follow.terminate()

        // Removing it stops it and frees its socket.
        let extraPid = try #require(try mesh.pid("extra"))
        m.services.removeAll { $0.name == "extra" }
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        #expect(try mesh.cli("reload").stdout == "added: none\nremoved: extra\nrestarted: none\nreconfigured: none\n")
        #expect(eventually(timeoutMs: 5000) { isAlive(extraPid) ? nil : true } == true, "the removed service was stopped")
        #expect(try eventually(timeoutMs: 5000) { try mesh.row("extra") == nil ? true : nil } == true)
        #expect(eventually(timeoutMs: 5000) { access(mesh.socket("extra"), F_OK) != 0 ? true : nil } == true)
        #expect(try pids()["delegations"] == before["delegations"])

        // A mesh file that does not parse changes nothing and says why.
        try "{\"home\": ".write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let bad = try mesh.cli("reload")
        #expect(bad.code != 0 && bad.stderr.contains("mesh.json: not JSON"), "\(bad.stderr)")
        do {
            _ = try mesh.call("supervisor", "supervisor.reload")
            Issue.record("a broken mesh file was accepted")
        } catch let e as ServiceError {
            #expect(e.code == .invalidParams && e.message.contains("mesh file not reloaded") && e.message.contains("not JSON"), "\(e)")
        }
        #expect(try pids() == after)
    }
}
