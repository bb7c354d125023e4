import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// The CLI as an operator with systemctl and supervisorctl habits uses it (issue 13).
@Suite(.serialized, .timeLimit(.minutes(6))) struct OperatorCLITests {
    @Test func severalNamesAllGlobalOptionsAnywhereAndMonitoringExitCodes() throws {
        let mesh = try MeshHarness()
        // Global options before the command.
        let status = try runCLI(["--home", mesh.home, "status"])
        #expect(status.code == 0, "\(status.stderr)")
        let health = try runCLI(["--home", mesh.home, "health"])
        #expect(health.code == 0 && health.stdout.split(separator: "\n").count == 4, "a summary, then one line each: \(health.stdout)")
        #expect(health.stdout.hasPrefix("LIAISON OK - 3 services ok | 'delegations_uptime'="), "\(health.stdout)")
        #expect(health.stdout.contains("delegations OK: ok (pid "))
        // Unexpected arguments are refused with the usage line.
        let extra = try mesh.cli("status", "extra")
        #expect(
            extra.code == 64 && extra.stderr.contains("Error: unexpected argument 'extra'")
                && extra.stderr.contains("Usage: liaison status"))
        // Several names at once.
        let stop = try mesh.cli("stop", "delegations", "notifications")
        #expect(stop.code == 0, "\(stop.stderr)")
        #expect(stop.stdout.contains("delegations: stopped") && stop.stdout.contains("notifications: stopped"), "\(stop.stdout)")
        // status says 3, health says 2 (down), as systemctl and Nagios would.
        #expect(try mesh.cli("status").code == 3)
        let down = try mesh.cli("health")
        #expect(down.code == 2 && down.stdout.hasPrefix("LIAISON CRITICAL - delegations CRITICAL: stopped"), "\(down.stdout)")
        #expect(down.stdout.contains("delegations CRITICAL: stopped (supervisor"), "\(down.stdout)")
        let one = try mesh.cli("health", "agreements")
        #expect(one.code == 0 && one.stdout.hasPrefix("LIAISON OK - 1 service ok"), "\(one.stdout)")
        let all = try mesh.cli("start", "all")
        #expect(all.code == 0 && all.stdout.split(separator: "\n").count == 3, "\(all.stdout)")
        #expect(try mesh.cli("status").code == 0)
    }

    /// `liaison signal SERVICE SIG` (issue 29.4): no pid to look up. A stopped and continued
    /// service answers again; a killed one is restarted by its rules; a stopped service, an
    /// unknown signal or service are refused with what to do.
    @Test func aSignalReachesARunningServiceByName() throws {
        let mesh = try MeshHarness()
        func status(_ name: String) throws -> JSONValue? {
            try mesh.cli("status", "--json").json?["services"]?.arrayValue?.first { $0["name"]?.stringValue == name }
        }
        let before = try #require(try status("agreements")?["pid"]?.intValue)
        let stopped = try mesh.cli("signal", "agreements", "SIGSTOP")
        #expect(stopped.code == 0 && stopped.stdout == "agreements: SIGSTOP sent to process group \(before)\n", "\(stopped.stdout)")
        #expect(try mesh.cli("signal", "agreements", "cont").code == 0)
        #expect(try mesh.cli("call", "agreements", "service.ping", "{}").code == 0, "continued, it answers")
        let killed = try mesh.cli("signal", "agreements", "9")
        #expect(killed.code == 0 && killed.stdout.contains("SIGKILL"), "\(killed.stdout)\(killed.stderr)")
        let again = try eventually(timeoutMs: 30_000) { () -> JSONValue? in
            let s = try status("agreements")
            return s?["state"] == "running" && s?["pid"]?.intValue != before ? s : nil
        }
        #expect(again?["restarts"]?.intValue ?? 0 >= 1, "restarted by its rules: \(String(describing: again))")
        let bogus = try mesh.cli("signal", "agreements", "SIGFOO")
        #expect(bogus.code == 64 && bogus.stderr.contains("one of HUP, INT"), "\(bogus.stderr)")
        #expect(try mesh.cli("signal", "nosuch", "HUP").code == 64)
        #expect(try mesh.cli("stop", "notifications").code == 0)
        let down = try mesh.cli("signal", "notifications", "HUP")
        #expect(down.code != 0 && down.stderr.contains("notifications is not running"), "\(down.stderr)")
    }

    /// `liaison health` as a monitoring plugin (issue 29): a crash loop and a hung service are
    /// CRITICAL (they came out UNKNOWN), the summary line comes first with perfdata, and the
    /// thresholds on undelivered events turn it WARNING or CRITICAL.
    @Test func healthIsAMonitoringPluginWithPerfdataThresholdsAndTheSupervisorsState() throws {
        let mesh = try MeshHarness(plus: "looping") { _ in "echo 'looping: cannot start' >&2; exit 1" }
        let looping = eventually(timeoutMs: 10_000) { () -> Bool? in
            (try? mesh.row("looping"))??["state"] == "backoff" ? true : nil
        }
        #expect(looping == true)
        let loop = try mesh.cli("health", "looping")
        #expect(loop.code == 2 && loop.stdout.hasPrefix("LIAISON CRITICAL - looping CRITICAL: backoff (supervisor"), "\(loop.stdout)")
        // Events waiting for a stopped consumer: past the thresholds.
        #expect(try mesh.cli("stop", "notifications").code == 0)
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", loadDraft(5, title: "Waiting"))
        _ = try c.call("delegations.confirm", ["id": d["id"]!])
        usleep(2_100_000)
        let warn = try mesh.cli("health", "delegations", "-w", "age=1", "-c", "age=600,dead=5")
        #expect(warn.code == 1 && warn.stdout.hasPrefix("LIAISON WARNING - delegations WARNING: "), "\(warn.stdout)")
        #expect(warn.stdout.contains("oldest undelivered event") && warn.stdout.contains("'delegations_pending'=1"), "\(warn.stdout)")
        #expect(warn.stdout.contains("'delegations_oldest_pending'=") && warn.stdout.contains(";1;600"), "\(warn.stdout)")
        let crit = try mesh.cli("health", "delegations", "-c", "age=1")
        #expect(crit.code == 2, "\(crit.stdout)")
        let bad = try mesh.cli("health", "-w", "size=3")
        #expect(bad.code == 64 && bad.stderr.contains("unknown threshold 'size'"), "\(bad.stderr)")
        // A hung service (stopped with SIGSTOP) answers nothing: CRITICAL within the timeout.
        #expect(try mesh.cli("start", "notifications").code == 0)
        let pid = try #require(try mesh.pid("agreements"))
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let hung = try mesh.cli("health", "agreements", "-t", "1")
        #expect(hung.code == 2 && hung.stdout.hasPrefix("LIAISON CRITICAL - agreements CRITICAL"), "\(hung.stdout)")
    }

    /// Completion offers values (issue 29.5): service names, choices, shells, ids; fish offers a
    /// command's own options only; `-h` as an option's value or after `--` is not a help request.
    @Test func completionOffersValuesAndEachCommandsOwnOptions() throws {
        let mesh = try MeshHarness()
        #expect(try mesh.cli("demo").code == 0)
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["PATH": binDirectory() + ":/usr/bin:/bin", "LIAISON_HOME": mesh.home]
        try runCLI(["completion", "bash"]).stdout.write(toFile: dir + "/c.bash", atomically: true, encoding: .utf8)
        func bash(_ words: [String]) throws -> [String] {
            let array = words.map { "'\($0)'" }.joined(separator: " ")
            let script = "source \(dir)/c.bash; COMP_WORDS=(\(array)); COMP_CWORD=\(words.count - 1); _liaison; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\""
            return try runCommand("/bin/bash", ["-c", script], env: env).stdout.split(separator: "\n").map(String.init)
        }
        #expect(Set(try bash(["liaison", "stop", ""])).isSuperset(of: ["delegations", "agreements", "notifications"]))
        #expect(Set(try bash(["liaison", "completion", ""])).isSuperset(of: ["bash", "zsh", "fish"]))
        #expect(try bash(["liaison", "report", "partners", "--by", "co"]) == ["continent", "country"])
        #expect(try bash(["liaison", "delegation", "show", "DEL-2024"]).sorted() == ["DEL-2024-0001", "DEL-2024-0002"])
        #expect(try bash(["liaison", "--home", "/us"]) == ["/usr"], "directories for --home")
        // fish: `site list` offers its one option, not every `list`'s.
        try runCLI(["completion", "fish"]).stdout.write(toFile: dir + "/c.fish", atomically: true, encoding: .utf8)
        let fish = try runCommand(
            "/usr/bin/fish", ["--no-config", "-c", "source \(dir)/c.fish; complete -C 'liaison site list --'"], env: env)
        let offered = fish.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        #expect(offered.contains("--country") && !offered.contains("--all") && !offered.contains("--status"), "\(offered)")
        let services = try runCommand(
            "/usr/bin/fish", ["--no-config", "-c", "source \(dir)/c.fish; complete -C 'liaison restart '"], env: env)
        #expect(services.stdout.contains("delegations") && services.stdout.contains("agreements"), "\(services.stdout)")
        // zsh reads the script (installed on fpath it answers its first Tab itself).
        try runCLI(["completion", "zsh"]).stdout.write(toFile: dir + "/_liaison", atomically: true, encoding: .utf8)
        #expect(try runCommand("/usr/bin/zsh", ["-n", dir + "/_liaison"]).code == 0)
        // -h as a value, or after --, asks for no help.
        let value = try runCLI(["--home", mesh.home, "logs", "delegations", "--grep", "-h", "-n", "1"])
        #expect(!value.stdout.contains("OVERVIEW"), "\(value.stdout)")
        let after = try runCLI(["completion", "--", "-h"])
        #expect(after.code == 64 && after.stderr.contains("no completion for '-h'"), "\(after.stderr)")
    }

    @Test func versionHelpCompletionAndManNeedNoMesh() throws {
        let v = try runCLI(["--version"])
        #expect(v.code == 0 && v.stdout.hasPrefix("liaison "))
        let old = try runCLI(["delegation", "confirm", "DEL-1", "--version", "3"])
        #expect(old.code == 64 && old.stderr.contains("--expect-version N"), "\(old.stderr)")
        #expect(try runBinary("liaison-delegations", ["--version"]).stdout.hasPrefix("liaison-delegations "))
        let help = try runCLI(["help", "delegation", "list"])
        #expect(help.code == 0 && help.stdout.hasPrefix("OVERVIEW: List delegations"))
        #expect(help.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "80 columns when not a terminal")
        #expect(try runCLI(["help", "nosuch"]).code == 64)
        for shell in ["bash", "zsh", "fish"] {
            let c = try runCLI(["completion", shell])
            #expect(c.code == 0 && c.stdout.contains("liaison"), "\(shell)")
        }
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try runCLI(["completion", "bash"]).stdout.write(toFile: dir + "/c.bash", atomically: true, encoding: .utf8)
        #expect(try runCommand("/bin/bash", ["-n", dir + "/c.bash"]).code == 0, "bash -n accepts the completion")
        let man = try runCLI(["man"])
        #expect(man.stdout.hasPrefix(".TH LIAISON 1") && man.stdout.contains(".SS \"liaison delegation list\""))
        for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"] {
            #expect(man.stdout.contains(".SH \(section)\n"), "\(section)")
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct MetricsTests {
    @Test func theWholeMeshsMetricsAreValidPrometheusText() throws {
        let mesh = try MeshHarness()
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", loadDraft(7, title: "Metrics"))
        _ = try c.call("delegations.confirm", ["id": d["id"]!, "expected_version": 1])
        _ = try? c.call("delegations.get", ["id": "nope"])
        _ = eventually { (try? mesh.call("notifications", "notifications.jobs"))?["items"]?.arrayValue?.count == 1 ? true : nil }
        let r = try mesh.cli("metrics")
        #expect(r.code == 0, "\(r.stderr)")
        let text = r.stdout
        for line in [
            "liaison_calls_total{code=\"ok\",method=\"delegations.create\",service=\"delegations\"} 1",
            "liaison_calls_total{code=\"not_found\",method=\"delegations.get\",service=\"delegations\"} 1",
            "liaison_inbox_events_total{result=\"applied\",service=\"notifications\"} 1",
            "liaison_outbox_pending{service=\"delegations\",subscriber=\"notifications\"}",
            "liaison_service_up{service=\"agreements\"} 1", "liaison_service_restarts_total{service=\"delegations\"} 0",
            "liaison_scrape_up{target=\"supervisor\"} 1",
            "liaison_call_duration_seconds_bucket{method=\"delegations.create\",service=\"delegations\",le=\"+Inf\"} 1",
        ] {
            #expect(text.contains(line), "\(line)")
        }
        #expect(text.contains("# TYPE liaison_process_resident_memory_bytes gauge"))
        #expect(text.contains("liaison_backup_last_success_timestamp_seconds 0"), "no backup yet")
        // Every metric the example alerting rules use is one `liaison metrics` writes.
        let rulesText = try String(contentsOfFile: DeploymentTests.root + "/deploy/prometheus/liaison.rules.yml", encoding: .utf8)
        let used = Set(rulesText.split(whereSeparator: { !($0.isLetter || $0 == "_") }).filter { $0.hasPrefix("liaison_") })
        #expect(used.count >= 7)
        for name in used { #expect(text.contains("\n\(name)"), "the rules use \(name), which liaison metrics does not write") }
        let open = try mesh.cli("metrics", "--openmetrics")
        #expect(open.stdout.hasSuffix("# EOF\n") && open.stdout.contains("# TYPE liaison_calls counter"))
        // A real parser: promtool, which .ci/run installs (LIAISON_REQUIRE_PROMTOOL=1).
        if ProcessInfo.processInfo.environment["LIAISON_REQUIRE_PROMTOOL"] == "1" {
            let dir = makeTempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let tf = try mesh.cli("metrics", "--textfile", dir)
            #expect(tf.code == 0 && FileManager.default.fileExists(atPath: dir + "/liaison.prom"))
            let check = try runCommand("/bin/sh", ["-c", "promtool check metrics < \(dir)/liaison.prom"])
            #expect(check.code == 0, "promtool: \(check.stdout) \(check.stderr)")
            // The example alerting rules: valid, each alert firing on its own test series (issue 29).
            let rules = DeploymentTests.root + "/deploy/prometheus"
            let valid = try runCommand("/bin/sh", ["-c", "cd \(rules) && promtool check rules liaison.rules.yml"])
            #expect(valid.code == 0, "promtool check rules: \(valid.stdout) \(valid.stderr)")
            let tested = try runCommand("/bin/sh", ["-c", "cd \(rules) && promtool test rules liaison.rules.test.yml"])
            #expect(tested.code == 0, "promtool test rules: \(tested.stdout) \(tested.stderr)")
        } else {
            print("promtool check skipped: set LIAISON_REQUIRE_PROMTOOL=1 where promtool is installed (.ci/run does)")
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct LogFollowTests {
    @Test func followingABurstOfTenThousandLinesShowsEachOnceInOrder() throws {
        let mesh = try MeshHarness(meshFile: { home in
            var m = MeshFile.standard(home: home)
            m.services.append(
                try! scriptService(
                    home, "chatty",
                    """
                    echo READY >&4
                    while [ ! -e "\(home)/go" ]; do sleep 0.05; done
                    i=1; while [ $i -le 10000 ]; do echo "burst $i"; i=$((i+1)); done
                    while true; do sleep 1; done
                    """))
            return m
        })
        let p = try Child(
            binDirectory() + "/liaison", ["logs", "chatty", "-f", "-n", "1", "--stream", "out", "--home", mesh.home], stdout: .pipe)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        usleep(300_000)
        _ = FileManager.default.createFile(atPath: mesh.home + "/go", contents: nil)
        var text = ""
        let deadline = monotonicNanos() + 30_000_000_000
        let fd = p.standardOutput!.fileDescriptor
        var buf = [UInt8](repeating: 0, count: 65536)
        while !text.contains("burst 10000\"\n") && monotonicNanos() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 1000) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            text += String(decoding: buf[0..<n], as: UTF8.self)
        }
        // Lines the service did not write as logfmt come wrapped: ts=… stream=out msg="burst 7".
        let numbers = text.split(separator: "\n").compactMap { line -> Int? in
            guard let r = line.range(of: "stream=out msg=\"burst ") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }
        #expect(
            numbers == Array(1...10000),
            "each line once, in order: got \(numbers.count), first \(numbers.prefix(3)), last \(numbers.suffix(3)): \(text.suffix(300))")
        let own = try mesh.cli("logs", "supervisor", "-n", "5")
        #expect(own.code == 0 && own.stdout.contains("supervisor"), "the supervisor's own lines: \(own.stdout) \(own.stderr)")
    }

    /// Lines filtered by time, level and text; one timestamp per line, in the output and the
    /// files; the files read when the supervisor is down (issue 29, item 3).
    @Test func logsFilterAndComeFromTheFilesWhenTheSupervisorIsDown() throws {
        let mesh = try MeshHarness()
        let ready = try mesh.cli("logs", "delegations", "--grep", "SERVICE.READY", "--since", "1h")
        #expect(ready.code == 0 && ready.stdout.contains("event=service.ready"), "\(ready.stdout) \(ready.stderr)")
        #expect(ready.stdout.split(separator: "\n").allSatisfy { $0.contains("service.ready") })
        let errors = try mesh.cli("logs", "delegations", "--level", "error")
        #expect(errors.code == 0 && !errors.stdout.contains("service.ready"), "\(errors.stdout)")
        #expect(try mesh.cli("logs", "delegations", "--since", "2099-01-01T00:00").stdout.isEmpty)
        let bad = try mesh.cli("logs", "delegations", "--since", "yesterday")
        #expect(bad.code == 64 && bad.stderr.contains("--since takes a duration"), "\(bad.stderr)")
        let file = try String(contentsOfFile: mesh.home + "/log/delegations.log", encoding: .utf8)
        let lines = file.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("ts=") && $0.components(separatedBy: "ts=").count == 2 },
                "logfmt, one timestamp each: \(lines.prefix(3))")
        #expect(try mesh.cli("down").code == 0)
        let after = try mesh.cli("logs", "delegations", "-n", "3", "--grep", "service.ready")
        #expect(after.code == 0 && after.stderr.contains("the supervisor is not running: lines from"), "\(after.stderr)")
        #expect(after.stdout.contains("event=service.ready"), "\(after.stdout)")
    }
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct ReloadTests {
    @Test func reloadAfterFixingACrashLoopStartsTheServiceAtOnce() throws {
        let mesh = try MeshHarness(plus: "flaky") { _ in "echo broken >&2; exit 1" }
        let script = mesh.home + "/flaky.sh"
        // Let it crash until the backoff is long.
        let looping = eventually(timeoutMs: 15_000) { () -> JSONValue? in
            guard let r = (try? mesh.row("flaky")) ?? nil, r["state"] == "backoff", (r["next_retry_in_ms"]?.intValue ?? 0) > 1500 else {
                return nil
            }
            return r
        }
        #expect(looping != nil, "a crash loop with a long backoff")
        // The fix: a script that works, under a new entry (so the file changes), then reload.
        try "#!/bin/sh\necho READY >&4\nwhile true; do sleep 1; done\n".write(toFile: script + ".fixed", atomically: true, encoding: .utf8)
        chmod(script + ".fixed", 0o755)
        var m = try Mesh.load(mesh.home + "/mesh.json").config
        m.services[m.services.count - 1].executable = script + ".fixed"
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let t0 = monotonicNanos()
        let r = try mesh.cli("reload")
        #expect(r.code == 0 && r.stdout.contains("restarted: flaky"), "\(r.stdout) \(r.stderr)")
        let running = eventually(timeoutMs: 5000) { ((try? mesh.row("flaky")) ?? nil)?["state"] == "running" ? true : nil }
        let ms = (monotonicNanos() - t0) / 1_000_000
        #expect(running == true)
        // At once, not after the backoff the loop had reached (over 1.5 s): the acceptance's "within 1 s".
        #expect(ms < 1000, "flaky running \(ms) ms after the reload")
        print(
            "reload after fixing a crash loop: flaky running \(ms) ms later "
                + "(its backoff was \(looping?["next_retry_in_ms"]?.intValue ?? 0) ms)"
        )
    }

    /// `reload` takes the supervisor's own section (issue 29.3): new log limits at once (before,
    /// only after a supervisor restart); the socket and the log directory are said to need one.
    @Test func reloadTakesTheSupervisorsLogLimitsAtOnce() throws {
        let mesh = try MeshHarness()
        var m = try Mesh.load(mesh.home + "/mesh.json").config
        m.supervisor.logMaxBytes = 4096
        m.supervisor.logFiles = 2
        m.home = mesh.home
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let r = try mesh.cli("reload")
        #expect(r.code == 0 && r.stdout.contains("supervisor: log_max_bytes, log_files (taken at once)"), "\(r.stdout)")
        #expect(r.stdout.contains("restarted: none"), "no service restarted for it: \(r.stdout)")
        // Each reload writes a line of the supervisor's own log: enough of them rotate it.
        for _ in 0..<40 { #expect(try mesh.cli("reload", "--json").code == 0) }
        let log = mesh.home + "/log/supervisor.log"
        let size = (try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? -1
        #expect(size > 0 && size <= 4096, "rotated at the new size: \(size) bytes")
        #expect(FileManager.default.fileExists(atPath: log + ".1"))
        #expect(!FileManager.default.fileExists(atPath: log + ".2"), "two files at most")
        m.supervisor.logDir = mesh.home + "/log2"
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let later = try mesh.cli("reload", "--json")
        #expect(later.json?["needs_restart"] == ["log_dir"] && later.json?["supervisor"] == [], "\(later.stdout)")
    }

    @Test func aChangeOthersReadReachesThem() throws {
        let mesh = try MeshHarness()
        let before = try ["delegations", "notifications"].map { try mesh.pid($0) }
        var m = try Mesh.load(mesh.home + "/mesh.json").config
        m.services[2].maxFrameBytes = 512 * 1024  // agreements: its producers size batches by it
        m.home = mesh.home
        try JSONWriter.pretty(JSONEncoding.encode(m)).write(toFile: mesh.home + "/mesh.json", atomically: true, encoding: .utf8)
        let r = try mesh.cli("reload", "--json")
        #expect(r.json?["restarted"] == ["agreements"] && r.json?["reconfigured"] == ["delegations", "notifications"], "\(r.stdout)")
        let restarted = eventually(timeoutMs: 10_000) { () -> Bool? in
            let after = ["delegations", "notifications"].map { (try? mesh.row($0)) ?? nil }
            let done = zip(before, after).allSatisfy { $1?["state"] == "running" && $1?["pid"]?.intValue.map(Int32.init) != $0 }
            return done ? true : nil
        }
        #expect(restarted == true, "both restarted")
    }

    @Test func aMissingExecutableIsFailedWithTheReasonNotRetried() throws {
        let mesh = try MeshHarness(
            meshFile: { home in
                var m = MeshFile.standard(home: home)
                m.services.append(
                    ServiceEntry(name: "ghost", executable: home + "/no-such-binary", socket: "run/ghost.sock", dataDir: "data/ghost"))
                return m
            }, waitForReady: false)
        let row = eventually(timeoutMs: 10_000) { () -> JSONValue? in
            guard let r = (try? mesh.row("ghost")) ?? nil, r["state"] == "failed" else { return nil }
            return r
        }
        #expect(row?["reason"]?.stringValue?.contains("services[ghost].executable") == true, "\(row ?? .null)")
        usleep(600_000)
        #expect(((try? mesh.row("ghost")) ?? nil)?["restarts"] == 0, "not retried")
        let check = try mesh.cli("mesh", "check")
        #expect(check.code == 78 && check.stderr.contains("services[ghost].executable"), "\(check.stderr)")
    }
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct BenchOutputTests {
    @Test func benchesSayWhatRunsRoundTheirFiguresAndCountEveryProcess() throws {
        let mesh = try MeshHarness()
        let b = try mesh.cli("bench", "--connections", "2", "--calls", "100")
        #expect(b.code == 0 && b.stderr.hasPrefix("bench: 2 connection(s) × 100 service.ping calls to delegations"), "\(b.stderr)")
        // Latencies with a unit and at most three significant digits: "p50 87.0 µs", "p99 1.54 ms".
        let figures = b.stdout.split(separator: " ").enumerated().compactMap { i, w in
            ["p50", "p99", "max"].contains(w) ? String(b.stdout.split(separator: " ")[i + 1]) : nil
        }
        #expect(figures.count == 3, "\(b.stdout)")
        for f in figures { #expect(f.filter(\.isNumber).drop { $0 == "0" }.count <= 3, "\(f) in \(b.stdout)") }
        // Connections driven over epoll by two threads, several calls in flight on each: every call answered once.
        let driven = try mesh.cli("bench", "-c", "8", "-n", "50", "--pipeline", "4", "--threads", "2", "--json")
        #expect(driven.code == 0 && driven.json?["calls"] == 400 && driven.json?["failed"] == 0, "\(driven.stdout) \(driven.stderr)")
        let refused = try mesh.cli("bench", "--method", "no.such", "-c", "3", "-n", "10", "--json")
        #expect(refused.code == 1 && refused.json?["calls"] == 30 && refused.json?["failed"] == 30, "\(refused.stdout)")
        // Threads come and go under bench events; bench idle still counts every process whole.
        let events = try mesh.cli("bench", "events", "--count", "200", "--connections", "4", "--pipeline", "2", "--json")
        #expect(events.code == 0, "\(events.stderr)")
        let idle = try mesh.cli("bench", "idle", "--seconds", "1", "--json")
        #expect(idle.code == 0 && idle.stderr.hasPrefix("bench idle: watching 4 processes for 1 s"), "\(idle.stderr)")
        let rows = idle.json?["processes"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["process"]?.stringValue }.sorted() == ["agreements", "delegations", "notifications", "supervisor"])
        for r in rows {
            #expect(r["error"] == nil && r["pid"]?.intValue != nil && r["cpu_s"]?.doubleValue != nil, "\(r)")
            #expect((r["wakeups"]?.intValue ?? -1) >= 0, "\(r)")
        }
    }

    @Test func benchCodecTimesEachStepOfAChangesJSONWork() throws {
        let mesh = try MeshHarness()
        let c = try mesh.cli("bench", "codec", "-n", "20", "--json")
        #expect(c.code == 0, "\(c.stderr)")
        let steps = c.json?["us_per_op"]?.objectValue
        #expect(steps?.keys.count == 6 && (c.json?["bytes"]?.intValue ?? 0) > 2000, "\(c.stdout)")
        for (name, us) in steps?.members ?? [] { #expect((us.doubleValue ?? 0) > 0, "\(name)") }
        let text = try mesh.cli("bench", "codec", "-n", "5")
        #expect(
            text.code == 0 && text.stdout.contains("parse + decode (text → Delegation)") && text.stdout.contains(" µs"), "\(text.stdout)")
    }
}
