import Foundation
import Testing
import LiaisonProcess
@testable import LiaisonWire

@Suite final class MeshFileTests {
    /// This test's directory, removed with it.
    let dir: String = {
        var t = Array("/tmp/lzm-XXXXXX".utf8CString)
        return t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }()
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ text: String) throws -> String {
        let path = dir + "/mesh.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func resolvesPathsAgainstHomeAndFillsDefaults() throws {
        let path = try write(
            #"{"home": "h", "services": [{"name": "delegations"}, {"name": "notifications", "consumes": ["delegation.*"], "depends_on": ["delegations"]}]}"#
        )
        let mesh = try Mesh.load(path)
        let dir = (path as NSString).deletingLastPathComponent
        #expect(mesh.home == dir + "/h")
        let d = try #require(mesh.service("delegations"))
        #expect(d.socket == dir + "/h/run/delegations.sock")
        #expect(d.dataDir == dir + "/h/data/delegations")
        #expect(d.executable == "liaison-delegations")
        #expect(d.restart == .always && d.stopTimeoutMs == 5000 && d.startTimeoutMs == 10_000)
        #expect(mesh.config.supervisor.socket == dir + "/h/run/supervisor.sock")
        #expect(mesh.config.subscribers(of: "delegation.confirmed").map(\.name) == ["notifications"])
        #expect(mesh.config.subscribers(of: "agreement.signed").isEmpty)
    }

    @Test func serverLimitsFollowTheEntry() throws {
        let path = try write(
            #"{"services": [{"name": "a", "max_connections": 100, "idle_timeout_ms": 30000}, {"name": "b", "max_connections_per_uid": 5}]}"#
        )
        let mesh = try Mesh.load(path)
        let a = try #require(mesh.service("a")).serverLimits, b = try #require(mesh.service("b")).serverLimits
        #expect(a.maxConnections == 100 && a.maxConnectionsPerUID == 75 && a.idleTimeoutMs == 30_000)
        #expect(b.maxConnections == 1024 && b.maxConnectionsPerUID == 5 && b.idleTimeoutMs == 600_000)
    }

    /// Names the mesh file takes: a service's, and an account's in its access rules.
    @Test func takesNamesOfTheRightForm() throws {
        let longest = "abcdefghijklmnopqrstuvwxyz012345"
        let path = try write(#"{"services": [{"name": "a-b_9"}, {"name": ""# + longest + #""}]}"#)
        #expect(try Mesh.load(path).config.services.map(\.name) == ["a-b_9", longest])
        let decode = { (s: String) in try? JSONDecoder().decode(AccountRef.self, from: Data("\"\(s)\"".utf8)) }
        for good in ["liaison-delegations", "_svc", "a.b-c", "A9"] {
            #expect(decode(good) != nil, "\(good)")
        }
        for bad in ["", "-x", ".x", "a b", "ä", String(repeating: "a", count: 65)] {
            #expect(decode(bad) == nil, "\(bad)")
        }
    }

    @Test func ordersByDependencies() throws {
        let path = try write(#"{"services": [{"name": "a", "depends_on": ["c"]}, {"name": "b"}, {"name": "c", "depends_on": ["b"]}]}"#)
        #expect(try Mesh.load(path).startOrder().map(\.name) == ["b", "c", "a"])
    }

    @Test(arguments: [
        (#"{"services": [{"name": "a", "depends_on": ["a"]}]}"#, "dependency cycle"),
        (#"{"services": [{"name": "a", "depends_on": ["zz"]}]}"#, "no service named \"zz\""),
        (#"{"services": [{"name": "a"}, {"name": "a"}]}"#, "appears twice"),
        (#"{"services": [{"name": "Bad Name"}]}"#, "must be 1-32 of a-z"),
        (#"{"services": [{"name": "9lives"}]}"#, "must be 1-32 of a-z"),
        (#"{"services": [{"name": "a.b"}]}"#, "must be 1-32 of a-z"),
        (#"{"services": [{"name": ""}]}"#, "must be 1-32 of a-z"),
        (#"{"services": [{"name": "abcdefghijklmnopqrstuvwxyz0123456"}]}"#, "must be 1-32 of a-z"),
        (#"{"services": [{"name": "a", "restart": "sometimes"}]}"#, "restart"),
        (#"{"services": [{"name": "a", "socket": "run/x.sock"}, {"name": "b", "socket": "run/x.sock"}]}"#, "is used twice"),
        (#"{"services": "none"}"#, "services: expected an array"),
        (#"{"nothing": 1}"#, "services: required"),
        (#"{"services": [{"name": "a", "idle_timeout_ms": 5}]}"#, "services[a].idle_timeout_ms: must be 1000 to 86400000"),
        (
            #"{"services": [{"name": "a", "max_connections": 10, "max_connections_per_uid": 11}]}"#,
            "max_connections_per_uid: must be 1 to max_connections (10)"
        ),
    ])
    func refusesBadMeshFilesSayingWhy(text: String, fragment: String) throws {
        let path = try write(text)
        do {
            _ = try Mesh.load(path)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test func refusesSocketPathsTooLongForUnixSockets() throws {
        let path = try write(#"{"home": "/tmp/\#(String(repeating: "d", count: 100))", "services": [{"name": "a"}]}"#)
        #expect(throws: MeshError.self) { try Mesh.load(path) }
    }

    @Test func matchesConsumedEventTypes() {
        var e = ServiceEntry(name: "n", executable: "x", socket: "s", dataDir: "d", consumes: ["delegation.*", "agreement.signed"])
        #expect(e.consumes(type: "delegation.confirmed"))
        #expect(e.consumes(type: "agreement.signed"))
        #expect(!e.consumes(type: "agreement.expired"))
        #expect(!e.consumes(type: "delegationx.y"))
        e.consumes = ["*"]
        #expect(e.consumes(type: "anything.at.all"))
    }
}

@Suite struct LoggerTests {
    @Test func writesOneLogfmtLinePerEvent() {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let log = Logger(service: "delegations", minimum: .info) { lines.all.append($0) }
        log.debug("hidden")
        log.info("server.ready", ["socket": "/tmp/a b.sock", "n": "3", "quote": "say \"hi\"\nnext"])
        #expect(lines.all.count == 1)
        let line = lines.all[0]
        #expect(
            line.contains(" level=info service=delegations event=server.ready socket=\"/tmp/a b.sock\" n=3 quote=\"say \\\"hi\\\"\\nnext\"")
        )
        #expect(line.hasPrefix("ts=20"))
        #expect(!line.contains("\n"))
    }

    @Test func linesForJournaldCarryThePriorityAndNoTimestamp() {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let log = Logger(service: "notifications", minimum: .info, journald: true) { lines.all.append($0) }
        log.warning("mail.dead", ["message": "7"])
        log.error("store.failed")
        log.info("server.ready")
        #expect(
            lines.all == [
                "<4>level=warning service=notifications event=mail.dead message=7",
                "<3>level=error service=notifications event=store.failed",
                "<6>level=info service=notifications event=server.ready",
            ])
    }
}
