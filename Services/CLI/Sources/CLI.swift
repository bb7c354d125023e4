import Foundation
import LiaisonRuntime
import LiaisonWire

/// The `liaison` command line: finds the command, parses its options, runs it, maps failures to
/// exit codes and `Error: …` lines.
package enum CLI {
    /// Options every command takes.
    package static let globalOptions: [OptionSpec] = [
        OptionSpec(["--home"], value: "DIR", "The mesh's home directory (default: $LIAISON_HOME or ./.liaison)."),
        OptionSpec(["--mesh"], value: "FILE", "The mesh file (default: $LIAISON_MESH, else DIR/mesh.json, else the built-in mesh)."),
        OptionSpec(["--json"], "Print JSON instead of tables."),
    ]

    /// Every top-level command.
    package static var commands: [Command] {
        [upCommand, statusCommand, delegationCommand, agreementCommand, reportCommand, notificationCommand, demoCommand, queueCommand, startCommand, stopCommand, restartCommand, logsCommand, reloadCommand,
         callCommand, describeCommand, benchCommand, meshCommand]
    }

    static var root: Command {
        Command(name: "liaison", abstract: "Run and use the Liaison mesh: delegations, agreements and the emails between them.",
                usage: "<command> [options]", subcommands: commands,
                discussion: "Exit codes: 0 ok, 1 the service refused, 64 usage, 65 bad input, 69 nothing running, 75 try again.")
    }

    /// Runs the CLI with `arguments` (without the program name); returns the exit code.
    package static func main(_ arguments: [String]) -> Int32 {
        var path: [String] = []
        var command = root
        var rest = arguments
        while let first = rest.first, let sub = command.subcommands.first(where: { $0.name == first }) {
            path.append(first)
            command = sub
            rest.removeFirst()
        }
        let pathText = path.joined(separator: " ")
        if rest.contains("-h") || rest.contains("--help") || rest.first == "help" || (command.run == nil && rest.isEmpty) {
            if rest.first == "help", rest.count > 1, let sub = command.subcommands.first(where: { $0.name == rest[1] }) {
                print(sub.help(path: (path + [sub.name]).joined(separator: " ")), terminator: "")
            } else {
                print(command.help(path: pathText), terminator: "")
            }
            return Exit.ok
        }
        guard let run = command.run else {
            let what = rest.first ?? ""
            return usageError(UsageError("unknown command '\(pathText.isEmpty ? what : pathText + " " + what)'"), path: pathText)
        }
        let parsed: ParsedArgs
        do { parsed = try ParsedArgs.parse(rest, specs: command.options + globalOptions) } catch let e as UsageError {
            return usageError(e, path: pathText)
        } catch { return usageError(UsageError("\(error)"), path: pathText) }
        let ctx = CLIContext(args: parsed)
        do {
            return try run(parsed, ctx)
        } catch let e as UsageError {
            return usageError(e, path: pathText)
        } catch let e as CLIError {
            if ctx.json, let r = e.remote {
                ctx.printJSON(["error": JSONEncoding.encode(r)])
            } else {
                ctx.note("Error: \(e.description)")
                if let h = e.hint { ctx.note("Hint: \(h)") }
            }
            return e.code
        } catch {
            ctx.note("Error: \(error)")
            return Exit.failed
        }
    }

    static func usageError(_ e: UsageError, path: String) -> Int32 {
        FileHandle.standardError.write(Data("Error: \(e.description)\n".utf8))
        let hint = e.hint ?? "see 'liaison \(path.isEmpty ? "" : path + " ")--help'"
        FileHandle.standardError.write(Data("Hint: \(hint)\n".utf8))
        return Exit.usage
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
