import Foundation
import LiaisonProcess
import Supervisor

// liaison-supervisor --mesh FILE [--quiet]
let root = Command<Void>(
    name: "liaison-supervisor",
    abstract: "liaison-supervisor — runs the services of a mesh file, restarts them, answers control calls.",
    usage: "--mesh FILE [--quiet]",
    options: [
        OptionSpec(["--mesh"], value: "FILE", "The mesh file (or LIAISON_MESH)."),
        OptionSpec(["--quiet"], "Do not echo the services' output on stdout (it is still kept in the log dir)."),
    ],
    discussion: "Usually started by `liaison up`. --version prints the version."
) { args, _ in
    guard let meshPath = args.value("--mesh") ?? ProcessInfo.processInfo.environment["LIAISON_MESH"] else {
        throw UsageError("no mesh file; pass --mesh FILE or set LIAISON_MESH")
    }
    var options = SupervisorOptions()
    options.echo = !args.has("--quiet")
    do {
        return try Supervisor(meshPath: meshPath, options: options).run()
    } catch {
        FileHandle.standardError.write(Data("liaison-supervisor: \(error)\n".utf8))
        return error is MeshError ? ExitCode.config : ExitCode.failure
    }
}
exit(
    CommandLineTool(program: "liaison-supervisor", root: root, version: SupervisorOptions.version) { _ in }
        .main(Array(CommandLine.arguments.dropFirst()))
)
