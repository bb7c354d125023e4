import Foundation
import Synchronization
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// Where the built binaries are: beside the test bundle (or $LIAISON_BIN_DIR).
func binDirectory() -> String {
    if let d = ProcessInfo.processInfo.environment["LIAISON_BIN_DIR"] { return d }
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = (exe as NSString).deletingLastPathComponent
    // Under `swift test` the runner may be inside the .xctest bundle directory.
    while !FileManager.default.isExecutableFile(atPath: dir + "/liaison") && dir.count > 1 {
        dir = (dir as NSString).deletingLastPathComponent
    }
    return dir
}

/// A short temp directory for one test (socket paths must fit in 108 bytes).
func makeTempDir(_ prefix: String = "lzm") -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

/// Pids of live processes whose command line mentions `needle` (zombies excluded).
func processes(mentioning needle: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var found: [Int32] = []
    for e in entries {
        guard let pid = Int32(e), pid != getpid() else { continue }
        guard let cmd = FileManager.default.contents(atPath: "/proc/\(e)/cmdline") else { continue }
        let text = String(decoding: cmd.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        guard text.contains(needle) else { continue }
        if let stat = try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z"
        {
            continue
        }
        found.append(pid)
    }
    return found
}

/// The result of running the `liaison` binary.
struct CLIResult {
    var code: Int32
    var stdout: String
    var stderr: String
    var json: JSONValue? { try? JSONParser.parse(stdout) }
}

/// Runs `liaison ARGS` and waits for it.
func runCLI(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> CLIResult {
    try runProgram(binDirectory() + "/liaison", args, stdin: stdin, env: env, timeoutMs: 5 * 60_000)
}

/// Runs a program to completion with our own spawn (not Foundation's `Process`, whose `run()`
/// on this toolchain over-reads /proc/self/fd entries and crashes now and then when many tests
/// launch at once — swift-corelibs-foundation #5472).
func runProgram(_ path: String, _ args: [String], stdin: String? = nil, env: [String: String] = [:], timeoutMs: Int) throws -> CLIResult {
    var environment = Subprocess.currentEnvironment()
    for (k, v) in env { environment[k] = v }
    let r = try Subprocess.run(
        path, args, input: Array((stdin ?? "").utf8), timeoutMs: timeoutMs, outputLimit: 64 << 20, environment: environment)
    let code: Int32
    switch r.exit {
    case .exited(let c): code = c
    case .signaled(let s): code = 128 + s
    }
    return CLIResult(code: code, stdout: String(decoding: r.stdout, as: UTF8.self), stderr: String(decoding: r.stderr, as: UTF8.self))
}

/// A whole mesh started with the real `liaison up` in a temp dir.
final class MeshHarness {
    let home: String
    let process: Child
    private(set) var stopped = false

    /// Starts `liaison up --home DIR` (with `meshFile` written to DIR/mesh.json when given) and
    /// waits until every service is running.
    /// Notifications write .eml files unless `mail` says "sendmail" (the real MTA tests).
    init(meshFile: ((String) -> MeshFile)? = nil, mail: String = "file", env: [String: String] = [:], waitForReady: Bool = true) throws {
        home = makeTempDir()
        var file = meshFile?(home) ?? MeshFile.standard(home: home)
        for i in file.services.indices where file.services[i].name == "notifications" {
            guard case .object(var settings) = file.services[i].settings else { continue }
            var m = settings["mail"]?.objectValue ?? JSONObject()
            if m["transport"] == nil { m["transport"] = .string(mail) }
            // Each change mailed at once, no rate limits, unless the test says otherwise.
            for k in ["coalesce_s", "per_recipient_per_hour", "per_visit_per_hour"] where m[k] == nil { m[k] = 0 }
            settings["mail"] = .object(m)
            file.services[i].settings = .object(settings)
        }
        try JSONWriter.pretty(JSONEncoding.encode(file)).write(toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["LIAISON_LOG_LEVEL"] = environment["LIAISON_LOG_LEVEL"] ?? "info"
        for (k, v) in env { environment[k] = v }
        let log = home + "/up.log"
        process = try Child(
            binDirectory() + "/liaison", ["up", "--home", home, "--quiet"], environment: environment, stdout: .file(log), stderr: .file(log)
        )
        if waitForReady { try self.waitForReady() }
    }

    deinit {
        if !stopped { _ = stop() }
        _ = try? FileManager.default.removeItem(atPath: home)
    }

    var socketDir: String { home + "/run" }
    func socket(_ service: String) -> String { "\(home)/run/\(service).sock" }

    /// Waits until `supervisor.status` shows every service in `states` (default running).
    func waitForReady(timeoutMs: Int = 20_000, services: [String]? = nil) throws {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        var last = ""
        while monotonicNanos() < deadline {
            guard process.isRunning else { throw HarnessError("liaison up exited (\(process.terminationStatus)):\n\(upLog())") }
            if let st = try? status() {
                let rows = st["services"]?.arrayValue ?? []
                let relevant = rows.filter { r in services.map { $0.contains(r["name"]?.stringValue ?? "") } ?? true }
                if !relevant.isEmpty && relevant.allSatisfy({ $0["state"] == "running" }) { return }
                last = "\(rows.map { "\($0["name"]?.stringValue ?? ""):\($0["state"]?.stringValue ?? "")" })"
            }
            usleep(20_000)
        }
        throw HarnessError("mesh not ready within \(timeoutMs) ms: \(last)\n\(upLog())")
    }

    /// The supervisor's status.
    func status() throws -> JSONValue {
        do {
            return try WireClient(path: socket("supervisor"), timeoutMs: 1000).call("supervisor.status", timeoutMs: 2000)
        } catch {
            guard error.code == .unavailable else { throw error }
            // A supervisor that cannot be reached: say whether it is still there, and what it
            // logged last (the home goes with the test).
            let log = (try? String(contentsOfFile: home + "/log/supervisor.log", encoding: .utf8)) ?? ""
            let up = process.isRunning ? "still running" : "exited (\(process.terminationStatus))"
            throw HarnessError(
                "\(error)\nliaison up is \(up); supervisor.log ends:\n\(log.suffix(2000))\nup.log ends:\n\(upLog().suffix(1000))")
        }
    }

    /// The status row of one service.
    func row(_ service: String) throws -> JSONValue? {
        try status()["services"]?.arrayValue?.first { $0["name"]?.stringValue == service }
    }

    /// The pid the supervisor reports for `service`.
    func pid(_ service: String) throws -> Int32? { try row(service)?["pid"]?.intValue.map { Int32($0) } }

    /// Calls a method on a service.
    func call(_ service: String, _ method: String, _ params: JSONValue = .object([:]), timeoutMs: Int = 10_000) throws -> JSONValue {
        try WireClient(path: socket(service), timeoutMs: timeoutMs).call(method, params, timeoutMs: timeoutMs)
    }

    /// A one-day visit from Hanyang University titled `title`, confirmed when asked: the answer of
    /// the last call (create, or confirm).
    @discardableResult
    func visit(_ title: String, confirm: Bool = false) throws -> JSONValue {
        let d = try call(
            "delegations",
            "delegations.create",
            [
                "direction": "inbound", "title": .string(title),
                "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
                "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T17:00",
            ]
        )
        guard confirm else { return d }
        return try call("delegations", "delegations.confirm", ["id": d["id"]!, "expected_version": 1])
    }

    /// Runs the CLI against this mesh.
    func cli(_ args: String..., stdin: String? = nil) throws -> CLIResult { try cli(args, stdin: stdin) }

    func cli(_ args: [String], stdin: String? = nil) throws -> CLIResult {
        try runCLI(args + ["--home", home], stdin: stdin)
    }

    /// What `liaison up` printed.
    func upLog() -> String { (try? String(contentsOfFile: home + "/up.log", encoding: .utf8)) ?? "" }

    /// SIGTERM to `liaison up`; returns how long until no mesh process was left (nil: some
    /// remained after 10 s and were killed).
    @discardableResult
    func stop() -> Double? {
        stopped = true
        let start = monotonicNanos()
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        while monotonicNanos() - start < 10_000_000_000 {
            if !process.isRunning && processes(mentioning: home).isEmpty {
                return Double(monotonicNanos() - start) / 1e9
            }
            usleep(10_000)
        }
        for pid in processes(mentioning: home) { kill(pid, SIGKILL) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return nil
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Polls `body` every 10 ms until it returns a value or `timeoutMs` passes.
func eventually<T>(timeoutMs: Int = 5000, _ body: () throws -> T?) rethrows -> T? {
    let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
    while monotonicNanos() < deadline {
        if let v = try body() { return v }
        usleep(10_000)
    }
    return try body()
}
