import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// A service started on its own (as systemd would without socket activation): it binds its own
/// socket, tells NOTIFY_SOCKET it is ready, refuses to steal a live socket, stops on SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(6))) struct StandaloneServiceTests {
    @Test func runsAloneWithNotifyReadinessAndStopsCleanly() throws {
        let home = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let mesh = MeshFile.standard(home: home)
        try JSONWriter.pretty(JSONEncoding.encode(mesh)).write(toFile: home + "/mesh.json", atomically: true, encoding: .utf8)

        // A datagram socket standing in for systemd's notify socket.
        let notifyPath = home + "/notify"
        let nfd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(nfd) }
        let bound: Int32 = try UnixSocket.withAddress(notifyPath) { a, l in bind(nfd, a, l) }
        #expect(bound == 0)

        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notifyPath
        let p = try Child(binDirectory() + "/liaison-delegations", ["--mesh", home + "/mesh.json"], environment: env, stderr: .pipe)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        var pfd = pollfd(fd: nfd, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pfd, 1, 10_000) == 1, "a notification arrived")
        var buf = [UInt8](repeating: 0, count: 256)
        let n = recv(nfd, &buf, buf.count, 0)
        let text = String(decoding: buf[0..<max(n, 0)], as: UTF8.self)
        #expect(text.contains("READY=1"))
        #expect(text.contains("MAINPID=\(p.processIdentifier)"))

        let socketPath = home + "/run/delegations.sock"
        let health = try WireClient(path: socketPath).call("service.health")
        #expect(health["pid"]?.intValue == Int64(p.processIdentifier))

        // A second copy must not take over the live socket.
        let second = try runBinary("liaison-delegations", ["--mesh", home + "/mesh.json"])
        #expect(second.code == 1)
        #expect(second.stderr.contains("in use"))
        #expect(try WireClient(path: socketPath).call("service.ping") == ["pong": true])

        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: socketPath), "its own socket file is removed on exit")
        let log = String(decoding: p.standardError!.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("event=service.ready") && log.contains("inherited=false") && log.contains("event=service.stopped"))
    }

    @Test func pingsSystemdsWatchdogWhileItWorksAndLogsForTheJournal() throws {
        let home = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try JSONWriter.pretty(JSONEncoding.encode(MeshFile.standard(home: home))).write(
            toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        let notifyPath = home + "/notify"
        let nfd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(nfd) }
        let bound: Int32 = try UnixSocket.withAddress(notifyPath) { a, l in bind(nfd, a, l) }
        #expect(bound == 0)
        // stderr is a file whose device and inode JOURNAL_STREAM names, as systemd sets it.
        let logPath = home + "/journal"
        let logFD = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var st = stat()
        fstat(logFD, &st)
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notifyPath
        env["WATCHDOG_USEC"] = "200000"
        env["JOURNAL_STREAM"] = "\(st.st_dev):\(st.st_ino)"
        let p = try Child(binDirectory() + "/liaison-agreements", ["--mesh", home + "/mesh.json"], environment: env, stderr: .fd(logFD))
        close(logFD)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var got: [String] = []
        let deadline = monotonicNanos() + 5_000_000_000
        while got.filter({ $0.contains("WATCHDOG=1") }).count < 3 && monotonicNanos() < deadline {
            var pfd = pollfd(fd: nfd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 1000) == 1 else { continue }
            var buf = [UInt8](repeating: 0, count: 256)
            let n = recv(nfd, &buf, buf.count, 0)
            got.append(String(decoding: buf[0..<max(n, 0)], as: UTF8.self))
        }
        #expect(got.first?.contains("READY=1") == true)
        #expect(got.filter { $0 == "WATCHDOG=1" }.count >= 3, "pings every 100 ms: \(got)")
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(log.hasPrefix("<6>level=info service=agreements"), "\(log.prefix(200))")
        #expect(!log.contains("ts="), "the journal stamps lines itself")
    }

    @Test func aServiceKilledWithoutCleaningUpLeavesASocketTheNextOneReplaces() throws {
        let home = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try JSONWriter.pretty(JSONEncoding.encode(MeshFile.standard(home: home))).write(
            toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        let socketPath = home + "/run/agreements.sock"
        func start() throws -> Child { try Child(binDirectory() + "/liaison-agreements", ["--mesh", home + "/mesh.json"]) }
        let first = try start()
        let up = eventually { (try? WireClient(path: socketPath, timeoutMs: 200)) != nil ? true : nil }
        #expect(up == true)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: socketPath), "SIGKILL leaves the socket file")
        let second = try start()
        defer { kill(second.processIdentifier, SIGKILL); second.waitUntilExit() }
        let health = eventually { try? WireClient(path: socketPath, timeoutMs: 200).call("service.health") }
        #expect(health?["pid"]?.intValue == Int64(second.processIdentifier))
    }

    /// `LIAISON_READY_FD` left in an environment by hand, naming nothing that was passed on. It
    /// was read only once the service was ready, and by then the number was one of the service's
    /// own descriptors: `READY` was written into it, and it was closed under the service. Now it
    /// is taken at start-up or passed over, with a warning.
    @Test func aReadyFDThatNamesNothingIsPassedOver() throws {
        let home = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try JSONWriter.pretty(JSONEncoding.encode(MeshFile.standard(home: home))).write(
            toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["LIAISON_READY_FD"] = "9"  // the child gets stdin, stdout and stderr only
        let p = try Child(binDirectory() + "/liaison-agreements", ["--mesh", home + "/mesh.json"], environment: env, stderr: .pipe)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let health = eventually { try? WireClient(path: home + "/run/agreements.sock", timeoutMs: 200).call("service.health") }
        #expect(health?["pid"]?.intValue == Int64(p.processIdentifier))
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let log = String(decoding: p.standardError!.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("event=service.ready_fd_ignored") && log.contains("LIAISON_READY_FD=9 is not open"), "\(log.prefix(400))")
        #expect(log.contains("event=service.ready") && !log.contains("notified=ready_fd"), "nothing was written into fd 9")
    }

    @Test func aMissingMeshFileIsAConfigurationError() throws {
        let r = try runBinary("liaison-agreements", ["--mesh", "/nonexistent/mesh.json"])
        #expect(r.code == 78)
        #expect(r.stderr.contains("cannot read mesh file /nonexistent/mesh.json"))
        let usage = try runBinary("liaison-agreements", ["--frobnicate"])
        #expect(usage.code == 64)
    }
}

/// Runs one of the built binaries to completion.
func runBinary(_ name: String, _ args: [String], env: [String: String] = [:]) throws -> CLIResult {
    try runCommand(binDirectory() + "/" + name, args, env: env)
}
