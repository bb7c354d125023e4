import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// The files under deploy/: the sample mesh file and the systemd units must agree, and the units
/// must pass `systemd-analyze verify` where it exists.
@Suite(.serialized, .timeLimit(.minutes(6))) struct DeploymentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var deploy: String { Self.root + "/deploy" }

    /// `[Section] Key=Value` lines of a unit file (repeated keys kept in order).
    func unit(_ name: String) throws -> [String: [String]] {
        let text = try String(contentsOfFile: "\(deploy)/systemd/\(name)", encoding: .utf8)
        var out: [String: [String]] = [:]
        var section = ""
        for line in text.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.hasPrefix("#") || l.isEmpty { continue }
            if l.hasPrefix("[") { section = String(l.dropFirst().dropLast()); continue }
            guard let eq = l.firstIndex(of: "=") else { continue }
            out["\(section).\(l[..<eq])", default: []].append(String(l[l.index(after: eq)...]))
        }
        return out
    }

    @Test func unitsAndTheSampleMeshFileAgree() throws {
        let mesh = try Mesh.load(deploy + "/mesh.json")
        #expect(mesh.home == "/var/lib/liaison")
        let target = try unit("liaison.target")
        let wanted = Set(target["Unit.Wants"]!.flatMap { $0.split(separator: " ").map(String.init) })
        for s in mesh.config.services {
            let socket = try unit("liaison-\(s.name).socket")
            #expect(socket["Socket.ListenStream"] == [s.socket], "\(s.name): the socket unit listens where the mesh file says")
            #expect(socket["Socket.SocketMode"] == ["0660"] && socket["Socket.SocketGroup"] == ["liaison"])
            let service = try unit("liaison-\(s.name).service")
            #expect(service["Service.ExecStart"] == ["\(s.executable) --mesh /etc/liaison/mesh.json --name \(s.name)"])
            #expect(service["Service.Type"] == ["notify"] && service["Service.Restart"] == ["always"])
            // Its own user, the one the mesh file names, in the group that reaches the sockets.
            #expect(service["Service.User"] == ["liaison-\(s.name)"] && s.user?.text == "liaison-\(s.name)")
            #expect(service["Service.SupplementaryGroups"] == ["liaison"] && mesh.config.socketGroup?.text == "liaison")
            #expect(service["Service.WatchdogSec"] != nil && service["Unit.StartLimitIntervalSec"] == ["0"])
            #expect(service["Service.StateDirectory"] == ["liaison/\(s.name)"] && s.dataDir == "/var/lib/liaison/\(s.name)")
            // Its own log directory: one shared by three users is chowned by whichever started last.
            #expect(service["Service.LogsDirectory"] == ["liaison/\(s.name)"])
            #expect(service["Service.ProtectSystem"] != nil && service["Service.RestartPreventExitStatus"] == ["78"])
            #expect(service["Service.TimeoutStopSec"] == ["\(s.stopTimeoutMs / 1000)s"])
            #expect(service["Unit.Requires"] == ["liaison-\(s.name).socket"])
            #expect(wanted.contains("liaison-\(s.name).socket") && wanted.contains("liaison-\(s.name).service"))
        }
        #expect(try unit("liaison-delegations.service")["Service.NoNewPrivileges"] == ["yes"])
    }

    @Test func systemdAnalyzeVerifiesTheUnits() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            print("systemd-analyze is not installed here; the units were checked by parsing only")
            return
        }
        // The units name /usr/local/bin; point them at the binaries just built.
        let dir = makeTempDir("lzu")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var names: [String] = []
        for f in try FileManager.default.contentsOfDirectory(atPath: deploy + "/systemd").sorted() {
            let text = try String(contentsOfFile: "\(deploy)/systemd/\(f)", encoding: .utf8).replacingOccurrences(of: "/usr/local/bin/", with: binDirectory() + "/")
            try text.write(toFile: "\(dir)/\(f)", atomically: true, encoding: .utf8)
            names.append("\(dir)/\(f)")
        }
        let r = try runProgram("/usr/bin/systemd-analyze", ["verify"] + names, timeoutMs: 60_000)
        let text = r.stdout + r.stderr
        #expect(r.code == 0, "\(text)")
        #expect(text.isEmpty, "no warnings: \(text)")
    }

    @Test func aServiceRunsUnderSocketActivationAsSystemdStartsIt() throws {
        let home = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try JSONWriter.pretty(JSONEncoding.encode(MeshFile.standard(home: home))).write(toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        // What systemd does for a .socket unit: bind the socket, then start the service with it as fd 3.
        let listener = try Listener.bind(path: home + "/run/agreements.sock")
        defer { listener.close() }
        let notify = home + "/notify"
        let nfd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(nfd) }
        let rc: Int32 = try UnixSocket.withAddress(notify) { a, l in bind(nfd, a, l) }
        #expect(rc == 0)
        var env = Subprocess.currentEnvironment()
        env["LISTEN_FDS"] = "1"
        env["LISTEN_FDNAMES"] = "agreements"
        env["NOTIFY_SOCKET"] = notify
        let exe = binDirectory() + "/liaison-agreements"
        let pid = try Subprocess.spawn(exe, arguments: [exe, "--mesh", home + "/mesh.json", "--name", "agreements"], environment: env,
                                       fds: [-1, -1, -1, listener.fd], setListenPID: true)
        defer {
            kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
        }
        var p = pollfd(fd: nfd, events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 10_000) == 1)
        var buf = [UInt8](repeating: 0, count: 128)
        let n = recv(nfd, &buf, buf.count, 0)
        #expect(String(decoding: buf[0..<max(n, 0)], as: UTF8.self).contains("READY=1"))
        let health = try WireClient(path: home + "/run/agreements.sock").call("service.health")
        #expect(health["pid"]?.intValue == Int64(pid), "answers on the socket it was handed")
        // Stopped and started again, it takes the same socket: a call made meanwhile waits and is answered.
        kill(pid, SIGTERM)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        #expect(st == 0)
        let c = try WireClient(path: home + "/run/agreements.sock")
        let id = try c.send("service.ping")
        let pid2 = try Subprocess.spawn(exe, arguments: [exe, "--mesh", home + "/mesh.json", "--name", "agreements"], environment: env,
                                        fds: [-1, -1, -1, listener.fd], setListenPID: true)
        defer {
            kill(pid2, SIGKILL)
            var st2: Int32 = 0
            waitpid(pid2, &st2, 0)
        }
        #expect(try c.receive(id: id, timeoutMs: 10_000) == ["pong": true])
    }
}
