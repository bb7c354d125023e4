import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// A client written from PROTOCOL.md alone: POSIX socket, 4-byte big-endian length, Foundation's
/// JSONSerialization — none of LiaisonWire.
func protocolOnlyCall(socket path: String, method: String) throws -> [String: Any] {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    guard rc == 0 else { throw HarnessError("connect \(path) failed") }
    let body = try JSONSerialization.data(withJSONObject: ["v": 1, "kind": "call", "id": "p-1", "method": method, "params": [String: Any]()])
    var frame = Data([UInt8(body.count >> 24 & 0xFF), UInt8(body.count >> 16 & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)])
    frame.append(body)
    _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    func readExactly(_ n: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
            guard r > 0 else { throw HarnessError("short read") }
            got += r
        }
        return out
    }
    let header = try readExactly(4)
    let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
    let payload = try readExactly(length)
    return try JSONSerialization.jsonObject(with: Data(payload)) as! [String: Any]
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct WalkingSkeletonTests {
    static let services = ["delegations", "notifications", "agreements"]

    @Test func upBringsEveryServiceToReadyAndEverySocketAnswersHealth() throws {
        let mesh = try MeshHarness()
        let st = try mesh.status()
        let rows = st["services"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["name"]?.stringValue }.sorted() == Self.services.sorted())
        #expect(rows.allSatisfy { $0["state"] == "running" && $0["pid"] != nil })
        for s in Self.services + ["supervisor"] {
            let reply = try protocolOnlyCall(socket: mesh.socket(s), method: "service.health")
            #expect(reply["kind"] as? String == "reply", "\(s)")
            #expect(reply["id"] as? String == "p-1")
            let result = reply["result"] as? [String: Any]
            #expect(result?["service"] as? String == s)
            #expect(result?["status"] as? String == "ok")
            #expect(result?["pid"] is Int && result?["uptime_s"] != nil && result?["version"] != nil)
        }
        let cli = try mesh.cli("status")
        #expect(cli.code == 0)
        for s in Self.services { #expect(cli.stdout.contains(s)) }
        #expect(cli.stdout.contains("running"))
    }

    /// How fast it is back is the benchmark's to say (`liaison bench restart` measures the
    /// restart, well under a second); a timed assertion here would fail on a loaded machine.
    @Test func aKilledServiceIsBackAndAnsweringFromANewProcess() throws {
        let mesh = try MeshHarness()
        for s in Self.services {
            let old = try #require(try mesh.pid(s))
            kill(old, SIGKILL)
            // A call made right away waits in the listen backlog and is answered by the new process.
            let health = try mesh.call(s, "service.health", timeoutMs: 5000)
            #expect(health["pid"]?.intValue != Int64(old), "\(s) answered from the new process")
            let row = try #require(try mesh.row(s))
            #expect(row["restarts"]?.intValue == 1)
            #expect(row["last_exit"]?["signal"] == "SIGKILL")
        }
    }

    @Test func sigtermToUpStopsEveryMeshProcessWithinSixSeconds() throws {
        let mesh = try MeshHarness()
        let pids = try Self.services.compactMap { try mesh.pid($0) }
        #expect(pids.count == 3)
        let seconds = mesh.stop()
        #expect(seconds != nil && seconds! < 6, "stopped in \(String(describing: seconds)) s")
        for p in pids { #expect(kill(p, 0) != 0, "pid \(p) is gone") }
        #expect(mesh.process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: mesh.socket("supervisor")), "the supervisor removed its socket")
    }

    @Test func badInputNeverBringsAServiceDown() throws {
        let mesh = try MeshHarness()
        let path = mesh.socket("delegations")
        let pid = try mesh.pid("delegations")
        let inputs: [[UInt8]] = [
            [0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0x01, 0x00, 0x00, 0x01],
            FrameEncoder.frame([0xC3, 0x28]), FrameEncoder.frame(Array("[]".utf8)), FrameEncoder.frame(Array("{}".utf8)),
            FrameEncoder.frame(Array(#"{"v":1,"kind":"call","id":1,"method":"x"}"#.utf8)),
            FrameEncoder.frame(Array(#"{"v":1,"kind":"call","id":"a","method":"no.such.method"}"#.utf8)),
            FrameEncoder.frame(Array(String(repeating: "[", count: 100_000).utf8)),
            [0, 0, 0, 9, 0x7B],  // cut short, then the connection is closed
        ]
        for bytes in inputs {
            let fd = try UnixSocket.connect(path, timeoutMs: 1000)
            try UnixSocket.sendAll(fd, bytes)
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, 300)
            close(fd)
        }
        #expect(try mesh.call("delegations", "service.health")["status"] == "ok")
        #expect(try mesh.pid("delegations") == pid, "same process: nothing crashed")
        let stats = try mesh.call("delegations", "service.stats")
        #expect(stats["methods"]?["(unknown method)"]?["errors"] == 1)
    }

    @Test func cliCommandsWorkAgainstTheMesh() throws {
        let mesh = try MeshHarness()
        let call = try mesh.cli("call", "agreements", "service.health")
        #expect(call.code == 0)
        #expect(call.json?["service"] == "agreements")
        let bad = try mesh.cli("call", "agreements", "nope.nothing")
        #expect(bad.code == 64)
        #expect(bad.json?["error"]?["code"] == "method_not_found")
        let describe = try mesh.cli("describe", "notifications", "--json")
        #expect(describe.code == 0)
        let methods = describe.json?["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(methods.contains("service.health") && methods.contains("service.describe") && methods.contains("service.stats"))
        let bench = try mesh.cli("bench", "--connections", "2", "--calls", "200", "--json")
        #expect(bench.code == 0)
        #expect(bench.json?["failed"] == 0)
        #expect((bench.json?["calls_per_s"]?.doubleValue ?? 0) > 0)
        #expect(bench.json?["p99_us"]?.intValue != nil)
        let restart = try mesh.cli("restart", "notifications")
        #expect(restart.code == 0, "\(restart.stderr)")
        #expect(restart.stdout.contains("notifications: running"))
        let logs = try mesh.cli("logs", "notifications", "-n", "5")
        #expect(logs.code == 0)
        #expect(logs.stdout.contains("service.ready") || logs.stdout.contains("exited"))
    }

    /// A user who may not reach the sockets was told to start the mesh (69); it runs: 77, and why
    /// (issue 29). `health` says UNKNOWN (3), not CRITICAL: it could not ask.
    @Test(.enabled(if: geteuid() == 0, "needs another user"))
    func aUserWhoMayNotReachTheSocketsIsToldWhy() throws {
        let mesh = try MeshHarness()
        let liaison = binDirectory() + "/liaison"
        let status = try runProgram("/usr/sbin/runuser", ["-u", "nobody", "--", liaison, "status", "--home", mesh.home], timeoutMs: 10_000)
        #expect(status.code == 77 && status.stderr.contains("permission denied"), "\(status.code) \(status.stderr)")
        #expect(!status.stderr.contains("liaison up"), "not told to start what runs")
        let health = try runProgram(
            "/usr/sbin/runuser", ["-u", "nobody", "--", liaison, "health", "delegations", "--home", mesh.home], timeoutMs: 10_000)
        #expect(health.code == 3, "\(health.code) \(health.stdout)\(health.stderr)")
    }

    @Test func cliSaysClearlyWhenNothingIsRunningAndOnUsageErrors() throws {
        let home = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let r = try runCLI(["status", "--home", home])
        #expect(r.code == 3, "LSB's program is not running")
        #expect(r.stderr.contains("Error: nothing answers: no supervisor and no service"), "\(r.stderr)")
        #expect(r.stderr.contains("Hint: is the mesh running? start it with 'liaison up"))
        let usage = try runCLI(["status", "--bogus"])
        #expect(usage.code == 64)
        #expect(usage.stderr.hasPrefix("Error: unknown option '--bogus'"))
        let unknown = try runCLI(["frobnicate"])
        #expect(unknown.code == 64)
        let help = try runCLI(["--help"])
        #expect(help.code == 0)
        #expect(help.stdout.contains("OVERVIEW:") && help.stdout.contains("SUBCOMMANDS:"))
        for cmd in ["up", "status", "call", "describe", "bench", "mesh", "logs", "restart"] {
            let h = try runCLI([cmd, "--help"])
            #expect(h.code == 0 && h.stdout.contains("USAGE: liaison \(cmd)"), "\(cmd) --help")
        }
        let init_ = try runCLI(["mesh", "init", "--home", home])
        #expect(init_.code == 0)
        #expect(init_.json?["services"]?.arrayValue?.count == 3)
    }
}
