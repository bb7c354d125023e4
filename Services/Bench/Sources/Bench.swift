import LiaisonBuild
import Foundation
import LiaisonCLI
import LiaisonHost
import LiaisonJSON
import LiaisonProcess

/// `liaison-bench` (what `liaison bench` runs): calls/s and latency against a running mesh, the
/// events path, mail, restarts, idle cost, and what hostile callers cost everyone else. Kept
/// out of the `liaison` binary that offices install.
package enum Bench {
    /// The tool: the bench commands with the CLI's global options and error reporting.
    static var tool: CommandLineTool<CLIContext> {
        var t = CommandLineTool(
            program: "liaison",  // the commands' usage lines begin with `bench`
            root: benchCommand,
            globalOptions: CLI.globalOptions,
            version: BuildInfo.description
        ) {
            CLIContext(args: $0)
        }
        t.report = CLI.report
        return t
    }

    /// Runs with `arguments` (without the program name); returns the exit code.
    package static func main(_ arguments: [String]) -> Int32 { tool.main(arguments) }
}
