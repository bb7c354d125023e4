import Foundation
import Glibc
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var healthCommand: CLICommand {
        Command(
            name: "health", abstract: "Ask each service (or one) for its health directly: no supervisor needed.",
            usage: "health [SERVICE] [--json]", arguments: [("SERVICE", "One service (default: all).")]
        ) { args, ctx in
            let names = try args.positionals.isEmpty ? ctx.mesh().config.services.map(\.name) : [args.positional(0, "SERVICE")]
            var answers: JSONObject = [:]
            var worst = ExitCode.ok
            for name in names {
                do {
                    let h = try ctx.client(name, timeoutMs: 2000).call("service.health", timeoutMs: 3000)
                    answers[name] = h
                    if h["status"] != "ok" && worst == ExitCode.ok { worst = ExitCode.failure }
                    if !ctx.json {
                        ctx.print(
                            "\(name): \(h["status"]?.stringValue ?? "?") (pid \(h["pid"]?.intValue ?? 0), up "
                                + "\(humanDuration(h["uptime_s"]?.doubleValue ?? 0)), version \(h["version"]?.stringValue ?? "?"))")
                    }
                } catch {
                    answers[name] = ["error": .string("\(error)")]
                    worst = ExitCode.unavailable
                    if !ctx.json { ctx.print("\(name): unreachable — \(error)") }
                }
            }
            if ctx.json { ctx.printJSON(.object(answers)) }
            return worst
        }
    }

    /// `liaison status` when no supervisor answers: each service's own health, and systemd's
    /// view of its unit when systemd runs it.
    static func statusOfEachService(_ ctx: CLIContext, _ deployment: Deployment) throws -> Int32 {
        let st = try ctx.statusWithoutSupervisor(deployment)
        let rows = st["services"]?.arrayValue ?? []
        if rows.allSatisfy({ $0["state"] == "down" }) && deployment == .down {
            throw CLIError(ExitCode.unavailable, "nothing answers: no supervisor and no service", hint: deployment.startHint(ctx))
        }
        if ctx.json { ctx.printJSON(st); return ExitCode.ok }
        ctx.print(
            deployment == .systemd
                ? "run by systemd (no supervisor); each service asked directly" : "no supervisor; each service asked directly")
        var t = Table(["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "UNIT", "NOTE"])
        for r in rows {
            t.add([
                r["name"]?.stringValue ?? "?", r["state"]?.stringValue ?? "?", r["pid"]?.intValue.map(String.init) ?? "-",
                r["uptime_s"]?.doubleValue.map(humanDuration) ?? "-", r["restarts"]?.intValue.map(String.init) ?? "-",
                r["unit_state"]?.stringValue ?? "-", r["reason"]?.stringValue ?? r["last_exit"]?["description"]?.stringValue ?? "",
            ])
        }
        ctx.print(t.render())
        return rows.allSatisfy { $0["state"]?.stringValue?.hasPrefix("running") == true } ? ExitCode.ok : ExitCode.failure
    }

    /// `liaison logs` under systemd: the unit's journal (`journalctl -u`), as the operator would ask.
    static func journal(_ service: String, lines: Int, follow: Bool, _ ctx: CLIContext) throws -> Int32 {
        _ = try ctx.socket(of: service)  // a service of the mesh, or a usage error
        var argv = ["journalctl", "--no-pager", "-o", "short-iso", "-u", Deployment.unit(service), "-n", String(lines)]
        if follow { argv.append("-f") }
        let cargs = argv.map { strdup($0) } + [nil]
        execvp("journalctl", cargs)
        throw CLIError(
            ExitCode.unavailable, "cannot run journalctl: \(String(cString: strerror(errno)))",
            hint: "read the journal with '\(argv.joined(separator: " "))'")
    }
}
