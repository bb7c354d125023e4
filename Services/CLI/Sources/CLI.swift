import LiaisonBuild
import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// The `liaison` command line: finds the command, parses its options, runs it, maps failures to
/// exit codes and `Error: …` lines.
/// A command of the `liaison` tool.
package typealias CLICommand = Command<CLIContext>

/// The `liaison` command line.
package enum CLI {
    /// Options every command takes.
    package static let globalOptions: [OptionSpec] = [
        OptionSpec(["--home"], value: "DIR", "The mesh's home directory (default: $LIAISON_HOME or ./.liaison)."),
        OptionSpec(
            ["--mesh"],
            value: "FILE",
            "The mesh file (default: $LIAISON_MESH, else DIR/mesh.json, else the built-in mesh)."
        ),
        OptionSpec(["--json"], "Print JSON instead of tables."),
    ]

    /// Every top-level command.
    package static var commands: [CLICommand] {
        [
            upCommand, statusCommand, delegationCommand, partnerCommand, agreementCommand, siteCommand, reportCommand,
            notificationCommand, mailCommand,
            importCommand, exportCommand, demoCommand, queueCommand, auditCommand, retentionCommand, backupCommand,
            restoreCommand,
            recoverCommand,
            downCommand, startCommand, stopCommand, restartCommand, signalCommand, logsCommand, reloadCommand,
            healthCommand,
            callCommand, describeCommand, benchCommand, meshCommand, metricsCommand, completionCommand, completeCommand,
            manCommand,
        ]
    }

    static var root: CLICommand {
        CLICommand(
            name: "liaison",
            abstract: "Run and use the Liaison mesh: delegations, agreements and the emails between them.",
            usage: "<command> [options]",
            subcommands: commands,
            discussion:
                "Exit codes: 0 ok, 1 the service refused, 64 usage, 65 bad input, 69 nothing running, 75 try again."
        )
    }

    /// The tool: commands, global options, and how a failure is reported.
    static var tool: CommandLineTool<CLIContext> {
        var t = CommandLineTool(
            program: "liaison",
            root: root,
            globalOptions: globalOptions,
            version: BuildInfo.description
        ) {
            CLIContext(args: $0)
        }
        t.report = report
        t.argumentValues = argumentValues
        t.manSections = manSections
        return t
    }

    /// How a CLI error is reported: `Error: …` and `Hint: …` on stderr (under --json, a remote
    /// error as JSON on stdout too); its exit code.
    package static func report(_ error: any Error, _ ctx: CLIContext) -> Int32? {
        guard let e = error as? CLIError else { return nil }
        if ctx.json, let r = e.remote { ctx.printJSON(["error": r]) }
        ctx.note("Error: \(e.description)")
        if let h = e.hint { ctx.note("Hint: \(h)") }
        return e.exitCode
    }

    /// Runs the CLI with `arguments` (without the program name); returns the exit code.
    /// `bench` runs `liaison-bench`, which the installed CLI does not carry.
    package static func main(_ arguments: [String]) -> Int32 {
        let t = tool
        let (globals, rest) = t.separateGlobals(arguments)
        if rest.first == "bench" { return runBench(globals + rest.dropFirst(), CLIContext(args: ParsedArgs())) }
        return t.main(arguments)
    }
}

/// Formats seconds for people: 42s, 3m12s, 5h03m, 2d04h.
package func humanDuration(_ seconds: Double) -> String {
    let s = Int(seconds)
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
    if s < 86400 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
    return "\(s / 86400)d\(String(format: "%02d", (s % 86400) / 3600))h"
}
