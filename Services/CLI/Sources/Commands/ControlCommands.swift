import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var statusCommand: CLICommand {
        Command(
            name: "status",
            abstract:
                "Show each service: state, pid, uptime, restarts, and why anything is down. Exit 0 when all run, 3 when one does not.",
            usage: "status [--json]"
        ) { _, ctx in
            let deployment = try ctx.deployment()
            guard deployment == .supervised else { return try statusOfEachService(ctx, deployment) }
            let st = try ctx.call("supervisor", "supervisor.status")
            if ctx.json { ctx.printJSON(st); return allRunning(st["services"]?.arrayValue ?? []) ? ExitCode.ok : ExitCode.notRunning }
            var t = Table(["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "NOTE"])
            var details: [String] = []
            for s in st["services"]?.arrayValue ?? [] {
                let name = s["name"]?.stringValue ?? "?"
                let state = s["state"]?.stringValue ?? "?"
                var note = s["reason"]?.stringValue ?? ""
                if let ms = s["next_retry_in_ms"]?.intValue { note = "retry in \(ms) ms" + (note.isEmpty ? "" : "; \(note)") }
                t.add([
                    name, state, s["pid"]?.intValue.map(String.init) ?? "-", s["uptime_s"]?.doubleValue.map(humanDuration) ?? "-",
                    String(s["restarts"]?.intValue ?? 0), s["last_exit"]?["description"]?.stringValue ?? "-", note,
                ])
                if state != "running", let lines = s["last_stderr"]?.arrayValue, !lines.isEmpty {
                    details.append(
                        "\(name) — last stderr lines:\n" + lines.compactMap(\.stringValue).map { "  \($0)" }.joined(separator: "\n"))
                }
            }
            let sup = st["supervisor"]
            ctx.print(
                "supervisor pid \(sup?["pid"]?.intValue ?? 0), up \(humanDuration(sup?["uptime_s"]?.doubleValue ?? 0)), mesh "
                    + "\(sup?["mesh"]?.stringValue ?? "")"
            )
            ctx.print(t.render())
            for d in details { ctx.print(); ctx.print(d) }
            return allRunning(st["services"]?.arrayValue ?? []) ? ExitCode.ok : ExitCode.notRunning
        }
    }

    /// Whether every row of a status says running.
    static func allRunning(_ rows: [JSONValue]) -> Bool { rows.allSatisfy { $0["state"]?.stringValue?.hasPrefix("running") == true } }

    /// The services named (`all`: every one of the mesh, in start order).
    static func serviceNames(_ args: ParsedArgs, _ ctx: CLIContext) throws -> [String] {
        guard !args.positionals.isEmpty else { throw UsageError("missing SERVICE (a service of the mesh, several, or all)") }
        let mesh = try ctx.mesh()
        if args.positionals == ["all"] { return try mesh.startOrder().map(\.name) }
        for n in args.positionals where mesh.service(n) == nil {
            throw UsageError(
                "no service named '\(n)' in the mesh", hint: "the mesh has: \(mesh.config.services.map(\.name).joined(separator: ", "))")
        }
        return args.positionals
    }

    static func serviceAction(_ name: String, _ abstract: String) -> CLICommand {
        Command(
            name: name, abstract: abstract, usage: "\(name) SERVICE... | all [--json]",
            arguments: [("SERVICE...", "Services of the mesh, or all.")]
        ) { args, ctx in
            // Stopping goes in reverse start order, starting in start order.
            var names = try serviceNames(args, ctx)
            if name == "stop" && args.positionals == ["all"] { names.reverse() }
            var results: [JSONValue] = []
            var code = ExitCode.ok
            for service in names {
                let s = try ctx.call("supervisor", "supervisor.\(name)", ["service": .string(service)], timeoutMs: 120_000)
                results.append(s)
                let state = s["state"]?.stringValue ?? "?"
                if (state == "running") != (name != "stop") { code = ExitCode.failure }
                if ctx.json { continue }
                var line = "\(service): \(state)"
                if let pid = s["pid"]?.intValue { line += " (pid \(pid))" }
                if let r = s["reason"]?.stringValue { line += " — \(r)" }
                ctx.print(line)
            }
            if ctx.json { ctx.printJSON(results.count == 1 ? results[0] : .array(results)) }
            return code
        }
    }

    static var startCommand: CLICommand {
        serviceAction("start", "Start a service (clears a failure or crash loop); waits until it is ready.")
    }
    static var stopCommand: CLICommand { serviceAction("stop", "Stop a service; it stays down until started.") }
    static var restartCommand: CLICommand { serviceAction("restart", "Restart a service; its socket stays open, so callers just wait.") }

    static var reloadCommand: CLICommand {
        Command(
            name: "reload", abstract: "Re-read the mesh file; start new services, stop removed ones, restart changed ones.",
            usage: "reload [--json]"
        ) { _, ctx in
            let r = try ctx.call("supervisor", "supervisor.reload")
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            for key in ["added", "removed", "restarted", "reconfigured"] {
                let names = r[key]?.arrayValue?.compactMap(\.stringValue) ?? []
                ctx.print("\(key): \(names.isEmpty ? "none" : names.joined(separator: ", "))")
            }
            return ExitCode.ok
        }
    }

    static var logsCommand: CLICommand {
        Command(
            name: "logs", abstract: "Show a service's (or the supervisor's) recent output; -f keeps following it.",
            usage: "logs SERVICE|supervisor [-n N] [-f] [--stream out|err|supervisor]",
            arguments: [("SERVICE", "A service of the mesh, or supervisor.")],
            options: [
                OptionSpec(["-n", "--lines"], value: "N", "How many lines (default 50, at most 1000)."),
                OptionSpec(["-f", "--follow"], "Keep printing new lines, each once and in order, until interrupted."),
                OptionSpec(["--stream"], value: "STREAM", "Only 'out', 'err' or 'supervisor' lines."),
            ]
        ) { args, ctx in
            let service = try args.positional(0, "SERVICE")
            let n = try args.int("-n", default: 50, in: 1...1000)
            let deployment = try ctx.deployment()
            if deployment == .systemd { return try journal(service, lines: n, follow: args.has("-f"), ctx) }
            var params: JSONObject = ["service": .string(service), "lines": .int(Int64(n))]
            if let s = args.value("--stream") { params["stream"] = .string(s) }
            var r = try ctx.call("supervisor", "supervisor.logs", .object(params))
            printLogLines(r, ctx)
            guard args.has("-f") else { return ExitCode.ok }
            // Follow by number: each line once, in order; the supervisor answers as soon as there
            // is one (or after 10 s with none).
            params["lines"] = 1000
            params["wait_ms"] = 10_000
            while true {
                params["after_seq"] = r["last_seq"] ?? 0
                let asked = params["after_seq"]?.intValue ?? 0
                r = try ctx.call("supervisor", "supervisor.logs", .object(params), timeoutMs: 30_000)
                if let missed = r["missed"]?.intValue, missed > 0 {
                    ctx.note("… \(missed) lines no longer in memory (they are in \(r["log_file"]?.stringValue ?? "the log file"))")
                }
                printLogLines(r, ctx)
                // The next page starts after the last line printed, not the newest there is.
                if let lastPrinted = r["lines"]?.arrayValue?.last?["seq"] {
                    r = ["last_seq": lastPrinted]
                } else if (r["last_seq"]?.intValue ?? 0) < asked {
                    r = ["last_seq": .int(asked)]
                }
            }
        }
    }

    static func printLogLines(_ r: JSONValue, _ ctx: CLIContext) {
        for l in r["lines"]?.arrayValue ?? [] {
            if ctx.json {
                ctx.print(JSONWriter.string(l))
            } else {
                ctx.print("\(l["ts"]?.stringValue ?? "") \(l["stream"]?.stringValue ?? "") \(l["text"]?.stringValue ?? "")")
            }
        }
    }
}
