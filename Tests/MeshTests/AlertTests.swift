import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// `on_failure` (issue 13): the supervisor tells someone when a service enters a crash loop or
/// fails, as systemd's `OnFailure=` does.
@Suite(.serialized, .timeLimit(.minutes(6))) struct AlertTests {
    @Test func aCrashLoopRunsTheServicesCommandOnceAndAFailureTheMeshs() throws {
        var dir = ""
        let mesh = try MeshHarness(
            meshFile: { home in
                dir = home
                var m = MeshFile.standard(home: home)
                // The mesh's command, as a shell line.
                m.supervisor.onFailure = .shell(#"echo "$LIAISON_SERVICE $LIAISON_STATE: $LIAISON_REASON" >> mesh-alerts"#)
                var flaky = try! scriptService(home, "flaky", "echo \"broken config line\" >&2; exit 1")
                // The service's own command, as a program and its arguments: it wins over the mesh's.
                let alert = home + "/alert.sh"
                try! """
                #!/bin/sh
                echo run >> "$1/flaky-runs"
                { echo "$LIAISON_SERVICE"; echo "$LIAISON_STATE"; echo "$LIAISON_REASON"; echo "$LIAISON_RESTARTS"
                  echo "$LIAISON_LAST_EXIT"; echo "$LIAISON_LAST_LINES"; } > "$1/flaky-alert"
                echo "alert sent for $LIAISON_SERVICE"
                """.write(toFile: alert, atomically: true, encoding: .utf8)
                chmod(alert, 0o755)
                flaky.onFailure = .program([alert, home])
                m.services.append(flaky)
                m.services.append(
                    ServiceEntry(name: "ghost", executable: home + "/no-such-binary", socket: "run/ghost.sock", dataDir: "data/ghost"))
                return m
            }, waitForReady: false)
        try mesh.waitForReady(services: ["delegations", "notifications", "agreements"])

        // The loop: three exits before readiness run flaky's own command, with what happened.
        // (Read once the script has written all six lines: the file exists before it is complete.)
        let alert = eventually(timeoutMs: 10_000) { () -> String? in
            guard let text = try? String(contentsOfFile: dir + "/flaky-alert", encoding: .utf8) else { return nil }
            return text.split(separator: "\n", omittingEmptySubsequences: false).count >= 6 ? text : nil
        }
        let lines = alert?.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
        #expect(lines.count >= 6, "\(alert ?? "no alert")")
        if lines.count >= 6 {
            #expect(lines[0] == "flaky" && lines[1] == "crash-loop")
            #expect(lines[2] == "exit 1 before becoming ready", "the reason: \(lines[2])")
            #expect(lines[4] == "exit 1")
            #expect(alert?.contains("err broken config line") == true, "the last lines: \(alert ?? "")")
        }
        // Once per loop: two more exits later it has still run once.
        _ = eventually(timeoutMs: 10_000) { (((try? mesh.row("flaky")) ?? nil)?["restarts"]?.intValue ?? 0) >= 5 ? true : nil }
        #expect(try String(contentsOfFile: dir + "/flaky-runs", encoding: .utf8) == "run\n")

        // The missing executable is failed at once, and the mesh's command says so.
        let meshAlerts = eventually { try? String(contentsOfFile: dir + "/mesh-alerts", encoding: .utf8) }
        #expect(meshAlerts?.hasPrefix("ghost failed: services[ghost].executable: ") == true, "\(meshAlerts ?? "none")")
        #expect(meshAlerts?.contains("flaky") == false, "flaky has its own")

        // The supervisor's log shows the commands, their output and how they ended.
        let logs = eventually { () -> String? in
            let out = (try? mesh.cli("logs", "supervisor", "-n", "200"))?.stdout ?? ""
            return out.contains("event=alert.exited") && out.contains("alert sent for flaky") ? out : nil
        }
        #expect(logs?.contains("event=alert.started child=flaky state=crash-loop") == true, "\(logs ?? "")")
    }

    @Test func meshCheckNamesACommandThatCannotRunAndTheFileAShapeItCannotRead() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var m = MeshFile.standard(home: dir)
        m.services[0].onFailure = .program([dir + "/no-such-pager", "--now"])
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: dir + "/mesh.json", atomically: true, encoding: .utf8)
        let check = try runCLI(["mesh", "check", "--mesh", dir + "/mesh.json"])
        #expect(
            check.code == 78 && check.stderr.contains("services[delegations].on_failure: \(dir)/no-such-pager is not an executable"),
            "\(check.stderr)")
        let bad = #"{"home": ".", "supervisor": {"on_failure": 42}, "services": []}"#
        try bad.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let r = try runCLI(["mesh", "check", "--mesh", dir + "/bad.json"])
        #expect(r.code != 0 && r.stderr.contains("supervisor.on_failure") && r.stderr.contains("expected a shell line"), "\(r.stderr)")
    }

    /// With per-service users, `mesh check` looks at the mail directory as the service's user
    /// (it said ok for a HOME/mail nobody but root could create; issue 26, item 11).
    @Test(.enabled(if: geteuid() == 0, "another user's service needs root"))
    func meshCheckSeesTheMailDirectoryAsTheServicesUser() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o755)
        var m = MeshFile.standard(home: dir)
        let i = m.services.firstIndex { $0.name == "notifications" }!
        m.services[i].user = "nobody"
        m.services[i].settings = ["mail": ["transport": "file"]]
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: dir + "/mesh.json", atomically: true, encoding: .utf8)
        let check = try runCLI(["mesh", "check", "--mesh", dir + "/mesh.json"])
        #expect(check.code == 78, "\(check.stdout) \(check.stderr)")
        #expect(
            check.stderr.contains(
                "services[notifications].settings.mail.dir (the file transport): cannot create \(dir)/mail: \(dir) is "
                    + "not writable by nobody"), "\(check.stderr)")
        // Made and given to that user, it is ok.
        mkdir(dir + "/mail", 0o750)
        chown(dir + "/mail", 65534, 65534)
        let again = try runCLI(["mesh", "check", "--mesh", dir + "/mesh.json"])
        #expect(again.code == 0, "\(again.stderr)")
    }

    @Test func aNewOnFailureIsTakenWithoutARestart() throws {
        let mesh = try MeshHarness()
        let before = try mesh.pid("delegations")
        var m = try Mesh.load(mesh.home + "/mesh.json").config
        m.home = mesh.home
        m.services[0].onFailure = .shell("logger liaison: $LIAISON_SERVICE is $LIAISON_STATE")
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let r = try mesh.cli("reload", "--json")
        #expect(r.code == 0 && r.json?["restarted"] == [] && r.json?["reconfigured"] == [], "\(r.stdout) \(r.stderr)")
        #expect(try mesh.pid("delegations") == before)
    }
}
