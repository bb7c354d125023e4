import Foundation
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
        case .systemd: "start it with 'systemctl start liaison.target' ('systemctl status \"liaison-*\"' says why it is down)"
        case .supervised, .down: "is the mesh running? start it with 'liaison up\(ctx.args.value("--home").map { " --home \($0)" } ?? "")'"
        }
    }

    /// `systemctl show` of a unit: the properties asked for.
    static func systemctlShow(_ unit: String, _ properties: [String]) -> [String: String] {
        guard
            let r = try? Subprocess.run(
                "/bin/systemctl", ["show", unit, "--property=" + properties.joined(separator: ",")], input: [], timeoutMs: 5000),
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
        if (try? WireClient(path: sock, timeoutMs: 300)) != nil { return .supervised }
        return Deployment.systemdHasUnits ? .systemd : .down
    }

    /// `service.health` of every service, asked of each (no supervisor needed), with systemd's
    /// view of its unit when systemd runs it.
    func statusWithoutSupervisor(_ deployment: Deployment) throws -> JSONValue {
        var rows: [JSONValue] = []
        for entry in try mesh().config.services {
            var row: JSONObject = ["name": .string(entry.name)]
            do {
                let h = try WireClient(path: entry.socket, timeoutMs: 2000).call("service.health", timeoutMs: 3000)
                row["state"] = h["status"] == "ok" ? "running" : .string("running (\(h["status"]?.stringValue ?? "?"))")
                row["pid"] = h["pid"] ?? .null
                row["uptime_s"] = h["uptime_s"] ?? .null
                row["health"] = h
            } catch {
                row["state"] = "down"
                row["reason"] = .string(error.message)
            }
            if deployment == .systemd {
                let unit = Deployment.unit(entry.name)
                let p = Deployment.systemctlShow(unit, ["ActiveState", "SubState", "NRestarts", "ExecMainStatus", "MainPID"])
                row["unit"] = .string(unit)
                if let a = p["ActiveState"] { row["unit_state"] = .string(a + "/" + (p["SubState"] ?? "")) }
                if let n = p["NRestarts"].flatMap({ Int64($0) }) { row["restarts"] = .int(n) }
                if let s = p["ExecMainStatus"], s != "0" { row["last_exit"] = ["description": .string("exit status \(s)")] }
            }
            rows.append(.object(row))
        }
        return ["deployment": .string(deployment == .systemd ? "systemd" : "none"), "services": .array(rows)]
    }
}
