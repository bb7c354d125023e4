import Foundation
import LiaisonRuntime
import Supervisor

// liaison-supervisor --mesh FILE [--quiet]
var args = Array(CommandLine.arguments.dropFirst())
var meshPath = ProcessInfo.processInfo.environment["LIAISON_MESH"]
var options = SupervisorOptions()
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--mesh" where !args.isEmpty: meshPath = args.removeFirst()
    case "--quiet": options.echo = false
    case "--version": print(liaisonVersion); exit(0)
    case "-h", "--help":
        print("""
        OVERVIEW: liaison-supervisor — runs the services of a mesh file, restarts them, answers control calls.

        USAGE: liaison-supervisor --mesh FILE [--quiet]

        OPTIONS:
          --mesh FILE   The mesh file (or LIAISON_MESH).
          --quiet       Do not echo the services' output on stdout (it is still kept in the log dir).
          -h, --help    Show this help.

        Usually started by `liaison up`.
        """)
        exit(0)
    default:
        FileHandle.standardError.write(Data("Error: unknown argument '\(a)'\nHint: liaison-supervisor --help\n".utf8))
        exit(64)
    }
}
guard let meshPath else {
    FileHandle.standardError.write(Data("Error: no mesh file; pass --mesh FILE or set LIAISON_MESH\n".utf8))
    exit(64)
}
do {
    let supervisor = try Supervisor(meshPath: meshPath, options: options)
    exit(try supervisor.run())
} catch {
    FileHandle.standardError.write(Data("liaison-supervisor: \(error)\n".utf8))
    exit(error is MeshError ? 78 : 1)
}
