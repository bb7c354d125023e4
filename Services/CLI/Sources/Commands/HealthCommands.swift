import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    /// Nagios plugin codes, which monitors understand.
    enum Nagios: Int32, Comparable {
        case ok = 0, warning = 1, critical = 2, unknown = 3
        static func < (a: Nagios, b: Nagios) -> Bool { a.rank < b.rank }
        /// Unknown ranks below critical: a service down outweighs one that could not be judged.
        var rank: Int { [0, 1, 3, 2][Int(rawValue)] }
        var label: String { ["OK", "WARNING", "CRITICAL", "UNKNOWN"][Int(rawValue)] }
    }

    static var healthCommand: CLICommand {
        Command(
            name: "health",
            abstract:
                "Ask each service (or those named) for its health, directly: no supervisor needed. One line each.",
            usage: "health [SERVICE...] [-w SPEC] [-c SPEC] [-t SECONDS] [--json]",
            arguments: [("[SERVICE...]", "Services (default: all).")],
            options: [
                OptionSpec(
                    ["-w", "--warning"],
                    value: "SPEC",
                    "WARNING above: age=SECONDS (oldest undelivered event), dead=N."
                ),
                OptionSpec(["-c", "--critical"], value: "SPEC", "CRITICAL above: age=SECONDS, dead=N."),
                OptionSpec(
                    ["-t", "--timeout"],
                    value: "SECONDS",
                    "Per question (default 3); no answer in time is CRITICAL."
                ),
            ],
            discussion: """
                A monitoring plugin: the first line is the summary (LIAISON OK|WARNING|CRITICAL|UNKNOWN - what is \
                wrong | perfdata: uptime, pending and dead events, oldest undelivered event, mails waiting), then a \
                line per service. The state comes from the supervisor when one runs (stopped, failed or in a crash \
                loop: CRITICAL), else from each service (degraded: WARNING; down or hung: CRITICAL; not allowed to \
                ask: UNKNOWN). Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
                """
        ) { args, ctx in
            let names =
                try args.positionals.isEmpty || args.positionals == ["all"]
                ? ctx.mesh().config.services.map(\.name) : serviceNames(args, ctx)
            let seconds = try args.int("-t", default: 3, in: 1...300)
            let plugin = HealthPlugin(
                warning: try HealthPlugin.Thresholds(args.value("-w"), option: "-w"),
                critical: try HealthPlugin.Thresholds(args.value("-c"), option: "-c"),
                timeoutMs: seconds * 1000
            )
            let rows = (try? ctx.call(SupervisorAPI.status, NoParams(), timeoutMs: seconds * 1000))?.services
            let verdicts = names.map { name in plugin.judge(name, row: rows?.first { $0.name == name }, ctx) }
            let (worst, summary) = HealthPlugin.summary(verdicts)
            if ctx.json {
                ctx.printJSON(Dictionary(uniqueKeysWithValues: verdicts.map { ($0.name, $0.answer) }))
            } else {
                ctx.print(summary)
                for v in verdicts { ctx.print("\(v.name) \(v.state.label): \(v.line)") }
            }
            return worst.rawValue
        }
    }

    /// A service's health, or why it could not be had.
    enum HealthAnswer: Encodable {
        case health(ServiceHealth)
        case error(String)

        struct Failure: Encodable { var error: String }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .health(let h): try h.encode(to: encoder)
            case .error(let e): try Failure(error: e).encode(to: encoder)
            }
        }
    }

    /// One service's health as a monitor reads it.
    static func health(of name: String, _ ctx: CLIContext, timeoutMs: Int = 3000) -> (Nagios, String, HealthAnswer) {
        let h: ServiceHealth
        do { h = try ctx.call(ServiceAPI.health, NoParams(), on: name, timeoutMs: timeoutMs) } catch let e as CLIError {
            // Not allowed to ask is not knowing (UNKNOWN); nobody answering, or no answer in time
            // (a hung service), is CRITICAL.
            let silent = e.remote == nil || [.timeout, .unavailable].contains(e.remote!.code)
            let state: Nagios = silent && e.exitCode != ExitCode.noPermission ? .critical : .unknown
            return (
                state, e.exitCode == ExitCode.noPermission ? e.description : "down — \(e.description)",
                .error(e.description)
            )
        } catch {
            return (.unknown, "no answer to service.health — \(error)", .error("\(error)"))
        }
        let what = "pid \(h.pid), up \(humanDuration(h.uptimeS)), version \(h.version)"
        switch h.status {
        case .ok: return (.ok, "ok (\(what))", .health(h))
        case .degraded:
            let failing = h.raw.members.filter { $0.value == "failing" }.map(\.key)
            return (
                .warning,
                "degraded\(failing.isEmpty ? "" : ": " + failing.joined(separator: ", ") + " failing") (\(what))",
                .health(h)
            )
        case .stopping: return (.critical, "stopping (\(what))", .health(h))
        }
    }

    /// `liaison status` when no supervisor answers: each service's own health, and systemd's
    /// view of its unit when systemd runs it.
    static func statusOfEachService(_ ctx: CLIContext, _ deployment: Deployment) throws -> Int32 {
        let st = try ctx.statusWithoutSupervisor(deployment)
        let rows = st.services
        if rows.allSatisfy({ $0.state == "down" }) && deployment == .down {
            throw CLIError(
                ExitCode.notRunning,  // LSB's "not running"
                "nothing answers: no supervisor and no service",
                hint: deployment.startHint(ctx)
            )
        }
        if ctx.json { ctx.printJSON(st); return ExitCode.ok }
        ctx.print(
            deployment == .systemd
                ? "run by systemd (no supervisor); each service asked directly"
                : "no supervisor; each service asked directly"
        )
        var t = Table(["SERVICE", "STATE", "VERSION", "PID", "UPTIME", "RESTARTS", "UNIT", "NOTE"])
        for r in rows {
            t.add([
                r.name, r.state, r.version ?? "-", r.pid.map(String.init) ?? "-", r.uptimeS.map(humanDuration) ?? "-",
                r.restarts.map(String.init) ?? "-",
                r.unitState ?? "-", r.reason ?? r.lastExit ?? "",
            ])
        }
        ctx.print(t.render())
        if let w = versionSkew(rows.map { ($0.name, $0.version) }) {
            ctx.print()
            ctx.print(w)
        }
        return rows.allSatisfy { $0.state.hasPrefix("running") } ? ExitCode.ok : ExitCode.notRunning
    }

    /// `liaison logs` under systemd: the unit's journal (`journalctl -u`), as the operator would ask.
    static func journal(_ service: String, lines: Int, follow: Bool, _ ctx: CLIContext) throws -> Int32 {
        _ = try ctx.socket(of: service)  // a service of the mesh, or a usage error
        var argv = ["journalctl", "--no-pager", "-o", "short-iso", "-u", Deployment.unit(service), "-n", String(lines)]
        if follow { argv.append("-f") }
        let cargs = argv.map { strdup($0) } + [nil]
        execvp("journalctl", cargs)
        throw CLIError(
            ExitCode.unavailable,
            "cannot run journalctl: \(String(cString: strerror(errno)))",
            hint: "read the journal with '\(argv.joined(separator: " "))'"
        )
    }
}

extension CLI {
    static var completionCommand: CLICommand {
        Command(
            name: "completion",
            abstract: "Print a shell completion script: bash, zsh or fish.",
            usage: "completion bash|zsh|fish",
            arguments: [("SHELL", "bash, zsh or fish.")],
            discussion: "bash: source <(liaison completion bash), or save it in /etc/bash_completion.d/liaison. "
                + "zsh: liaison completion zsh > \"${fpath[1]}/_liaison\". "
                + "fish: liaison completion fish > ~/.config/fish/completions/liaison.fish."
        ) { args, ctx in
            switch try args.positional(0, "SHELL (bash, zsh or fish)") {
            case "bash": ctx.write(tool.bashCompletion())
            case "zsh": ctx.write(tool.zshCompletion())
            case "fish": ctx.write(tool.fishCompletion())
            case let other: throw UsageError("no completion for '\(other)': bash, zsh or fish")
            }
            return ExitCode.ok
        }
    }

    static var manCommand: CLICommand {
        Command(
            name: "man",
            abstract: "Print the man page (roff): liaison man | man -l -",
            usage: "man"
        ) { _, ctx in
            ctx.write(tool.manPage(date: String(Timestamp.rfc3339().prefix(10))))
            return ExitCode.ok
        }
    }
}
