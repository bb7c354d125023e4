import Foundation
import Glibc
import LiaisonCLI
import LiaisonJSON
import LiaisonProcess
import LiaisonWire

/// `liaison bench scale`: the office at its real size (issue 30). For each size, a fresh home
/// with the mesh running, twenty years of records imported through the public import, then each
/// everyday command run as the office runs it (one `liaison` call, the median of three), audit,
/// retention, backup and a restart timed, and the disk counted.
extension Bench {
    static var benchScale: CLICommand {
        Command(
            name: "scale",
            abstract: "Build homes of N past visits through the import and time every everyday command on them.",
            usage: "bench scale [--visits N[,N…]] [--keep] [--json]",
            options: [
                OptionSpec(["--visits"], value: "N,…", "Sizes to build (default 10000,100000)."),
                OptionSpec(["--keep"], "Keep each home (its path is printed) instead of removing it."),
            ]
        ) { args, ctx in
            let sizes = try (args.value("--visits") ?? "10000,100000").split(separator: ",").map { s -> Int in
                guard let n = Int(s), (100...1_000_000).contains(n) else {
                    throw UsageError("--visits: sizes from 100 to 1000000, comma-separated (got \(s))")
                }
                return n
            }
            guard let liaison = Executables.resolve("liaison") else {
                throw CLIError(ExitCode.unavailable, "no liaison binary beside liaison-bench or on PATH")
            }
            let progress = BenchProgress(ctx, "bench scale: \(sizes.map(String.init).joined(separator: ", ")) visits")
            defer { progress.done() }
            var runs: [ScaleRun] = []
            for n in sizes {
                var run = ScaleRun(liaison: liaison, data: ScaleData(visits: n), progress: progress)
                try run.measure()
                if args.has("--keep") { ctx.note("kept \(run.home)") } else { run.remove() }
                runs.append(run)
            }
            if ctx.json {
                ctx.printJSON(JSONValue.array(runs.map(\.json)))
                return ExitCode.ok
            }
            var t = Table(["WORK"] + sizes.map { "\($0) VISITS" })
            for (i, row) in runs[0].rows.enumerated() {
                t.add([row.work] + runs.map { $0.rows[i].shown })
            }
            ctx.print(t.render())
            return ExitCode.ok
        }
    }
}

/// One size of `bench scale`: its home, and each work's figure.
struct ScaleRun {
    let liaison: String
    let data: ScaleData
    let progress: BenchProgress
    let home = ScaleRun.tempDirectory()
    var rows: [(work: String, ms: Double?, shown: String)] = []

    static func tempDirectory() -> String {
        var template = Array("/tmp/lzs-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    var json: JSONValue {
        .object(
            JSONObject(
                [("visits", .int(Int64(data.visits)))]
                    + rows.map { ($0.work, $0.ms.map { .double(($0 * 10).rounded() / 10) } ?? .string($0.shown)) }
            )
        )
    }

    /// Runs `liaison ARGS --home HOME`: its exit, its first line of complaint, and the wall time.
    func cli(
        _ args: [String],
        timeoutMs: Int = 30 * 60_000
    ) throws -> (ok: Bool, said: String, ms: Double, out: [UInt8]) {
        let start = monotonicNanos()
        let r = try Subprocess.run(
            liaison,
            args + ["--home", home],
            input: [],
            timeoutMs: timeoutMs,
            outputLimit: 64 << 20
        )
        let ms = Double(monotonicNanos() - start) / 1e6
        let said =
            String(decoding: r.stderr + r.stdout, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("Error") }.map(String.init) ?? ""
        return (r.exit == .exited(0), said, ms, r.stdout)
    }

    /// The median of three runs of `args`, or why it failed.
    mutating func time(_ work: String, _ args: [String], runs: Int = 3) throws {
        progress.update("\(data.visits) visits: \(work)")
        var times: [Double] = []
        for _ in 0..<runs {
            let r = try cli(args)
            guard r.ok else {
                rows.append((work, nil, "fails: " + r.said.prefix(60)))
                return
            }
            times.append(r.ms)
        }
        let median = times.sorted()[times.count / 2]
        rows.append((work, median, Self.shown(median)))
    }

    static func shown(_ ms: Double) -> String {
        ms >= 1000 ? "\(threeSignificant(ms / 1000)) s" : "\(Int(ms.rounded())) ms"
    }

    mutating func measure() throws {
        progress.update("\(data.visits) visits: starting a mesh in \(home)")
        // Twenty years of finished visits are all due for retention's purge: the daily sweep would
        // purge them while everything is timed. The bench keeps them (a century), and mails nothing.
        var mesh = MeshFile.standard(home: home)
        for i in mesh.services.indices {
            switch mesh.services[i].name {
            case "delegations": mesh.services[i].settings = ["retention_days": 36500]
            case "notifications": mesh.services[i].settings = ["mail": ["transport": "file"]]
            default: break
            }
        }
        try JSONWriter.pretty(JSONEncoding.encode(mesh))
            .write(toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        let upLog = open(home + "/up.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(upLog) }
        let up = try Subprocess.spawn(
            liaison,
            arguments: [liaison, "up", "--home", home, "--quiet"],
            environment: Subprocess.currentEnvironment(),
            fds: [-1, upLog, upLog]
        )
        defer {
            // Nothing outlives the bench: the mesh stopped, `up` reaped.
            _ = try? cli(["down"])
            kill(-up, SIGTERM)
            var status: Int32 = 0
            waitpid(up, &status, 0)
        }
        try waitUntilRunning()
        let sheets = home + "/sheets"
        try FileManager.default.createDirectory(atPath: sheets, withIntermediateDirectories: true)
        let files = [
            ("partners", data.partnersCSV()), ("visits", data.visitsCSV()), ("agreements", data.agreementsCSV()),
            ("sites", data.sitesCSV()),
        ]
        var importArgs = ["import"]
        for (section, text) in files {
            try text.write(toFile: "\(sheets)/\(section).csv", atomically: true, encoding: .utf8)
            importArgs += ["--as", section, "-f", "\(sheets)/\(section).csv"]
        }
        progress.update("\(data.visits) visits: importing")
        let imported = try cli(importArgs)
        guard imported.ok else { throw CLIError(ExitCode.failure, "the import failed: \(imported.said)") }
        let rate = Double(data.visits) / (imported.ms / 1000)
        rows.append(("import (visits/s)", imported.ms, "\(Self.shown(imported.ms)) (\(Int(rate)))"))

        try waitForEvents(after: imported.ms)
        let someVisit = try firstID(["delegation", "list", "--limit", "1", "--json"])
        let somePartner = try firstID(["partner", "list", "--limit", "1", "--json"])
        try time("delegation list", ["delegation", "list"])
        try time("delegation list --text \"Visit 4242\"", ["delegation", "list", "--text", "Visit 4242"])
        try time("delegation list --country KR", ["delegation", "list", "--country", "KR"])
        try time("delegation show", ["delegation", "show", someVisit])
        try time("partner list", ["partner", "list"])
        try time("partner list --continent Africa", ["partner", "list", "--continent", "Africa"])
        try time("partner show", ["partner", "show", somePartner])
        try time("agreement list", ["agreement", "list"])
        try time("report funnel", ["report", "funnel"])
        try time("report partners --by continent", ["report", "partners", "--by", "continent"])
        try time("report registry --by continent", ["report", "registry", "--by", "continent"])
        try time("report dormant", ["report", "dormant"])
        try time("audit verify", ["audit", "verify"], runs: 1)
        // What changed since: five edits of a partner (each a history row and an event to both
        // subscribers), then the walk from the checkpoint the full one left.
        for n in 1...5 {
            let r = try cli(["partner", "update", somePartner, "--city", "Bench city \(n)"])
            guard r.ok else { throw CLIError(ExitCode.failure, "partner update: \(r.said)") }
        }
        try time("audit verify --since-last (5 changes)", ["audit", "verify", "--since-last"], runs: 1)
        // Nothing is due with the bench's retention: every finished visit is what can grow.
        try time("retention (first page)", ["retention"], runs: 1)
        try time("backup", ["backup", "--to", home + "/backups"], runs: 1)
        try timeRestart()
        let (bytes, logs) = diskBytes(home + "/data")
        rows.append(
            (
                "disk per visit", nil,
                "\(bytes / data.visits / 1024) KB (\(bytes >> 20) MB in all, \(logs >> 20) MB of it write-ahead logs)"
            )
        )
    }

    /// The id of the first item a `--json` list answers.
    func firstID(_ args: [String]) throws -> String {
        let r = try cli(args)
        guard r.ok, let v = try? JSONParser.parse(r.out), let id = v["items"]?[0]?["id"]?.stringValue else {
            throw CLIError(ExitCode.failure, "\(args.joined(separator: " ")) gave no item: \(r.said)")
        }
        return id
    }

    /// Waits until the import's events have reached every subscriber, so that nothing runs
    /// behind what is timed; how long that took after the import answered is a figure too.
    mutating func waitForEvents(after importMs: Double) throws {
        progress.update("\(data.visits) visits: the import's events on their way")
        let start = monotonicNanos()
        while monotonicNanos() - start < 30 * 60_000_000_000 {
            let r = try cli(["queue", "--limit", "1", "--json"])
            let services = (try? JSONParser.parse(r.out))?["services"]?.arrayValue ?? []
            if r.ok, !services.isEmpty, services.allSatisfy({ $0["summary"]?["pending"]?.intValue == 0 }) { break }
            usleep(500_000)
        }
        let ms = Double(monotonicNanos() - start) / 1e6
        rows.append(("events delivered after the import", ms, Self.shown(ms)))
    }

    /// Waits until every service of the new mesh is running (a minute at most).
    func waitUntilRunning() throws {
        let deadline = monotonicNanos() + 60_000_000_000
        while monotonicNanos() < deadline {
            if let r = try? cli(["status", "--json"]), r.ok, let v = try? JSONParser.parse(r.out),
                let services = v["services"]?.arrayValue, !services.isEmpty,
                services.allSatisfy({ $0["state"]?.stringValue == "running" })
            {
                return
            }
            usleep(100_000)
        }
        throw CLIError(ExitCode.failure, "the mesh in \(home) did not start: see \(home)/up.log")
    }

    /// Delegations killed → answering `delegation list` again.
    mutating func timeRestart() throws {
        progress.update("\(data.visits) visits: restart")
        let r = try cli(["status", "--json"])
        let v = try? JSONParser.parse(r.out)
        guard let pid = v?["services"]?.arrayValue?.first(where: { $0["name"] == "delegations" })?["pid"]?.intValue
        else {
            rows.append(("restart to answering", nil, "fails: no pid"))
            return
        }
        let start = monotonicNanos()
        kill(pid_t(pid), SIGKILL)
        while monotonicNanos() - start < 30_000_000_000 {
            if let r = try? cli(["delegation", "list", "--limit", "1"]), r.ok { break }
            usleep(5_000)
        }
        let ms = Double(monotonicNanos() - start) / 1e6
        rows.append(("restart to answering", ms, Self.shown(ms)))
    }

    /// Bytes of every file under `dir`, and of those the write-ahead logs (`-wal`).
    func diskBytes(_ dir: String) -> (all: Int, logs: Int) {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return (0, 0) }
        var total = 0, logs = 0
        while let f = e.nextObject() as? String {
            var st = stat()
            guard lstat(dir + "/" + f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            total += Int(st.st_size)
            if f.hasSuffix("-wal") { logs += Int(st.st_size) }
        }
        return (total, logs)
    }

    func remove() { _ = try? FileManager.default.removeItem(atPath: home) }
}
