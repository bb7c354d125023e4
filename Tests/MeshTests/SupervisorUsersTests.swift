import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

/// The supervisor, run as root, starts each service as the user its mesh entry names, and gives
/// the sockets to the mesh's socket group (issue 12). Events still flow: each service's user is
/// in the group, and the consumers know the producers by those users.
@Suite(.serialized, .timeLimit(.minutes(6))) struct SupervisorUsersTests {
    static let users = ["delegations": "lzu-deleg", "notifications": "lzu-notif", "agreements": "lzu-agree"]
    static let group = "lzu-sock"

    /// Creates the accounts (again, if a previous run left them).
    static func makeAccounts() throws {
        _ = try runCommand("/usr/sbin/groupadd", ["-f", group])
        for u in users.values where Accounts.user(u) == nil {
            let r = try runCommand("/usr/sbin/useradd", ["--system", "-M", "-s", "/usr/sbin/nologin", "-G", group, u])
            #expect(r.code == 0, "useradd \(u): \(r.stderr)")
        }
    }

    static func removeAccounts() {
        for u in users.values { _ = try? runCommand("/usr/sbin/userdel", [u]) }
        _ = try? runCommand("/usr/sbin/groupdel", [group])
    }

    static func uid(of pid: Int32) -> UInt32? {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        return line.flatMap { UInt32($0.split(separator: "\t").dropFirst().first ?? "") }
    }

    @Test(.enabled(if: geteuid() == 0, "only root can start services as other users"))
    func eachServiceRunsAsItsOwnUserAndEventsStillFlow() throws {
        try Self.makeAccounts()
        defer { Self.removeAccounts() }
        let mesh = try MeshHarness(meshFile: { home in
            chmod(home, 0o755)
            var m = MeshFile.standard(home: home)
            for i in m.services.indices { m.services[i].user = AccountRef(Self.users[m.services[i].name]!) }
            m.socketGroup = AccountRef(Self.group)
            return m
        })
        let gid = try #require(Accounts.group(Self.group))
        for (name, user) in Self.users {
            let pid = try #require(try mesh.pid(name))
            #expect(Self.uid(of: pid) == Accounts.user(user)?.uid, "\(name) runs as \(user)")
            var st = stat()
            #expect(stat(mesh.socket(name), &st) == 0 && st.st_gid == gid && st.st_mode & 0o777 == 0o660, "\(name)'s socket: group, 0660")
            #expect(stat(mesh.home + "/data/" + name, &st) == 0 && st.st_uid == Accounts.user(user)?.uid, "its data is its own")
        }
        var st = stat()
        #expect(stat(mesh.socketDir, &st) == 0 && st.st_gid == gid && st.st_mode & 0o777 == 0o750)
        // A confirmed visit reaches notifications and agreements across three users.
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", loadDraft(1, title: "Across users"))
        _ = try c.call("delegations.confirm", ["id": d["id"]!, "expected_version": 1])
        let seen = try eventually(timeoutMs: 10_000) { () throws -> Bool? in
            let jobs = try mesh.call("notifications", "notifications.jobs")["items"]?.arrayValue ?? []
            let projected = try mesh.call("agreements", "agreements.delegations")["items"]?.arrayValue ?? []
            return jobs.count == 1 && projected.count == 1 ? true : nil
        }
        #expect(seen == true, "the confirmation applied by both consumers")
    }

    @Test func aUserTheSupervisorCannotBecomeIsSaidInTheStatus() throws {
        let mesh = try MeshHarness(
            meshFile: { home in
                var m = MeshFile.standard(home: home)
                m.services[2].user = "no-such-user-lz"
                return m
            }, waitForReady: false)
        var last: JSONValue = .null
        let row = eventually(timeoutMs: 10_000) { () -> JSONValue? in
            guard let r = (try? mesh.row("agreements")) ?? nil else { return nil }
            last = r
            return (r["reason"]?.stringValue ?? "").contains("no user no-such-user-lz") ? r : nil
        }
        #expect(row != nil, "\(last)")
    }
}
