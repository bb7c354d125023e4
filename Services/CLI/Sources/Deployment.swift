import Foundation
import LiaisonHost
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// How the mesh the CLI talks to is run: under `liaison up` (its supervisor answers), as
/// systemd units (each service on its own, `journalctl` has the logs), or not at all.
package enum Deployment: Equatable {
    case supervised
    case systemd
    case down

    /// The systemd unit of `service`.
    static func unit(_ service: String) -> String { "liaison-\(service).service" }

    /// Whether systemd runs this machine and has Liaison's units.
    static var systemdHasUnits: Bool {
        guard FileManager.default.fileExists(atPath: "/run/systemd/system") else { return false }
        return ["/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"].contains {
            FileManager.default.fileExists(atPath: $0 + "/liaison.target")
        }
    }

    /// What to tell someone when nothing answers.
    func startHint(_ ctx: CLIContext) -> String {
        switch self {
        case .systemd:
            "start it with 'systemctl start liaison.target' ('systemctl status \"liaison-*\"' says why it is down)"
        case .supervised, .down:
            "is the mesh running? start it with 'liaison up\(ctx.args.value("--home").map { " --home \($0)" } ?? "")'"
        }
    }

    /// `systemctl show` of a unit: the properties asked for.
    static func systemctlShow(_ unit: String, _ properties: [String]) -> [String: String] {
        guard
            let r = try? Subprocess.run(
                "/bin/systemctl",
                ["show", unit, "--property=" + properties.joined(separator: ",")],
                input: [],
                timeoutMs: 5000
            ),
            r.exit == .exited(0)
        else { return [:] }
        var out: [String: String] = [:]
        for line in String(decoding: r.stdout, as: UTF8.self).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { out[String(kv[0])] = String(kv[1]) }
        }
        return out
    }
}

extension CLIContext {
    /// Which way the mesh is run: the supervisor answers, or systemd has the units, or neither.
    package func deployment() throws -> Deployment {
        let sock = try socket(of: "supervisor")
        do {
            _ = try WireClient(path: sock, timeoutMs: 300)
            return .supervised
        } catch  where error.code == .permissionDenied {
            _ = try client("supervisor", timeoutMs: 300)  // says why, exit 77: it runs, not for this user
        } catch {}
        return Deployment.systemdHasUnits ? .systemd : .down
    }

    /// `service.health` of every service, asked of each (no supervisor needed), with systemd's
    /// view of its unit when systemd runs it.
    func statusWithoutSupervisor(_ deployment: Deployment) throws -> UnsupervisedStatus {
        var rows: [UnsupervisedStatus.Row] = []
        for entry in try mesh().config.services {
            var row = UnsupervisedStatus.Row(name: entry.name, state: "down")
            do {
                let h = try WireClient(path: entry.socket, timeoutMs: 2000).call(
                    ServiceAPI.health,
                    NoParams(),
                    timeoutMs: 3000
                )
                row.state = h.status == .ok ? "running" : "running (\(h.status.rawValue))"
                (row.pid, row.uptimeS, row.health, row.version) = (h.pid, h.uptimeS, h, h.version)
            } catch {
                row.reason = error.message
            }
            if deployment == .systemd {
                let unit = Deployment.unit(entry.name)
                let p = Deployment.systemctlShow(
                    unit,
                    ["ActiveState", "SubState", "NRestarts", "ExecMainStatus", "MainPID"]
                )
                row.unit = unit
                if let a = p["ActiveState"] { row.unitState = a + "/" + (p["SubState"] ?? "") }
                row.restarts = p["NRestarts"].flatMap { Int($0) }
                if let st = p["ExecMainStatus"], st != "0" { row.lastExit = "exit status \(st)" }
            }
            rows.append(row)
        }
        return UnsupervisedStatus(deployment: deployment == .systemd ? "systemd" : "none", services: rows)
    }
}

/// `liaison status` without a supervisor: each service's own answer, and its unit's state.
package struct UnsupervisedStatus: Encodable {
    package struct Row: Encodable {
        var name, state: String
        var pid: Int64?
        var uptimeS: Double?
        var version: String?
        var health: ServiceHealth?
        var reason: String?
        var unit, unitState: String?
        var restarts: Int?
        var lastExit: String?

        enum CodingKeys: String, CodingKey {
            case name, state, pid, uptimeS = "uptime_s", version, health, reason, unit, unitState = "unit_state",
                restarts
            case lastExit = "last_exit"
        }
    }

    var deployment: String
    var services: [Row]
}
