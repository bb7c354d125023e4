import Foundation
import Glibc
import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var statusCommand: CLICommand {
        Command(
            name: "status",
            abstract:
                "Show each service: state, pid, uptime, restarts, and why anything is down. Exit 0 when all run, 3 "
                + "when one does not.",
            usage: "status [--json]"
        ) { _, ctx in
            let deployment = try ctx.deployment()
            guard deployment == .supervised else { return try statusOfEachService(ctx, deployment) }
            let st = try ctx.call(SupervisorAPI.status, NoParams())
            if ctx.json { ctx.printJSON(st); return allRunning(st.services) ? ExitCode.ok : ExitCode.notRunning }
            var t = Table(["SERVICE", "STATE", "VERSION", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "NOTE"])
            var details: [String] = []
            for s in st.services {
                var note = s.reason ?? ""
                if let ms = s.nextRetryInMs { note = "retry in \(ms) ms" + (note.isEmpty ? "" : "; \(note)") }
                t.add([
                    s.name, s.state.rawValue, s.version ?? "-", s.pid.map(String.init) ?? "-",
                    s.uptimeS.map(humanDuration) ?? "-",
                    String(s.restarts),
                    s.lastExit?.description ?? "-", note,
                ])
                if s.state != .running, let lines = s.lastStderr, !lines.isEmpty {
                    details.append("\(s.name) — last stderr lines:\n" + lines.map { "  \($0)" }.joined(separator: "\n"))
                }
            }
            let sup = st.supervisor
            ctx.print(
                "supervisor \(sup.version) pid \(sup.pid), up \(humanDuration(sup.uptimeS)), mesh \(sup.mesh)"
            )
            ctx.print(t.render())
            for d in details { ctx.print(); ctx.print(d) }
            if let w = versionSkew([("supervisor", sup.version)] + st.services.map { ($0.name, $0.version) }) {
                ctx.print()
                ctx.print(w)
            }
            return allRunning(st.services) ? ExitCode.ok : ExitCode.notRunning
        }
    }

    /// Whether every row of a status says running.
    static func allRunning(_ rows: [ServiceStatus]) -> Bool { rows.allSatisfy { $0.state == .running } }

    /// The services named (`all`: every one of the mesh, in start order).
    static func serviceNames(_ args: ParsedArgs, _ ctx: CLIContext) throws -> [String] {
        guard !args.positionals.isEmpty else {
            throw UsageError("missing SERVICE (a service of the mesh, several, or all)")
        }
        let mesh = try ctx.mesh()
        if args.positionals == ["all"] { return try mesh.startOrder().map(\.name) }
        for n in args.positionals where mesh.service(n) == nil {
            throw UsageError(
                "no service named '\(n)' in the mesh",
                hint: "the mesh has: \(mesh.config.services.map(\.name).joined(separator: ", "))"
            )
        }
        return args.positionals
    }

    static func serviceAction(_ method: Method<ServiceName, ServiceStatus>, _ abstract: String) -> CLICommand {
        let name = String(method.name.split(separator: ".").last ?? "")
        return Command(
            name: name,
            abstract: abstract,
            usage: "\(name) SERVICE... | all [--json]",
            arguments: [("SERVICE...", "Services of the mesh, or all.")]
        ) { args, ctx in
            // Stopping goes in reverse start order, starting in start order.
            var names = try serviceNames(args, ctx)
            if name == "stop" && args.positionals == ["all"] { names.reverse() }
            var results: [ServiceStatus] = []
            var code = ExitCode.ok
            for service in names {
                let s = try ctx.call(method, ServiceName(service), timeoutMs: 120_000)
                results.append(s)
                if (s.state == .running) != (method.name != SupervisorAPI.stop.name) { code = ExitCode.failure }
                if ctx.json { continue }
                var line = "\(service): \(s.state.rawValue)"
                if let pid = s.pid { line += " (pid \(pid))" }
                if let r = s.reason { line += " — \(r)" }
                ctx.print(line)
            }
            if ctx.json {
                if results.count == 1 { ctx.printJSON(results[0]) } else { ctx.printJSON(results) }
            }
            return code
        }
    }

    static var startCommand: CLICommand {
        serviceAction(SupervisorAPI.start, "Start a service (clears a failure or crash loop); waits until it is ready.")
    }
    static var stopCommand: CLICommand {
        serviceAction(SupervisorAPI.stop, "Stop a service; it stays down until started.")
    }
    static var restartCommand: CLICommand {
        serviceAction(SupervisorAPI.restart, "Restart a service; its socket stays open, so callers just wait.")
    }

    static var signalCommand: CLICommand {
        Command(
            name: "signal",
            abstract: "Send a signal to a running service's processes (as systemctl kill does): HUP, USR1, TERM …",
            usage: "signal SERVICE SIGNAL [--json]",
            arguments: [
                ("SERVICE", "A service of the mesh."),
                ("SIGNAL", "A name (HUP, SIGHUP) or number (1): \(SignalParams.names.joined(separator: ", "))."),
            ]
        ) { args, ctx in
            let service = try args.positional(0, "SERVICE")
            let signal = try signalName(try args.positional(1, "SIGNAL"))
            let mesh = try ctx.mesh()
            guard mesh.service(service) != nil else {
                throw UsageError(
                    "no service named '\(service)' in the mesh",
                    hint: "the mesh has: \(mesh.config.services.map(\.name).joined(separator: ", "))"
                )
            }
            let s = try ctx.call(SupervisorAPI.signal, SignalParams(service: service, signal: signal))
            if ctx.json { ctx.printJSON(s); return ExitCode.ok }
            ctx.print("\(service): SIG\(signal) sent to process group \(s.pid.map(String.init) ?? "-")")
            return ExitCode.ok
        }
    }

    /// `HUP`, `SIGHUP`, `hup` or `1` as the name `supervisor.signal` takes.
    static func signalName(_ given: String) throws -> String {
        let numbers: [Int: String] = [
            1: "HUP", 2: "INT", 3: "QUIT", 9: "KILL", 10: "USR1", 12: "USR2", 15: "TERM", 18: "CONT", 19: "STOP",
            14: "ALRM", 28: "WINCH",
        ]
        var name = given.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let n = Int(name) { name = numbers[n] ?? name }
        guard SignalParams.names.contains(name) else {
            throw UsageError(
                "'\(given)' is not a signal Liaison sends",
                hint: "one of \(SignalParams.names.joined(separator: ", ")) (or SIG… or its number)"
            )
        }
        return name
    }

    static var reloadCommand: CLICommand {
        Command(
            name: "reload",
            abstract: "Re-read the mesh file; start new services, stop removed ones, restart changed ones.",
            usage: "reload [--json]"
        ) { _, ctx in
            let r = try ctx.call(SupervisorAPI.reload, NoParams())
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            for (key, names) in [
                ("added", r.added), ("removed", r.removed), ("restarted", r.restarted),
                ("reconfigured", r.reconfigured),
            ] {
                ctx.print("\(key): \(names.isEmpty ? "none" : names.joined(separator: ", "))")
            }
            if !r.supervisor.isEmpty {
                ctx.print("supervisor: \(r.supervisor.joined(separator: ", ")) (taken at once)")
            }
            if !r.needsRestart.isEmpty {
                ctx.print(
                    "supervisor: \(r.needsRestart.joined(separator: ", ")) changed; takes effect when the supervisor "
                        + "restarts (liaison down, then up)"
                )
            }
            return ExitCode.ok
        }
    }
}
