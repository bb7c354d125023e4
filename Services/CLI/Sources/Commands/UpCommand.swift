import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var upCommand: CLICommand {
        Command(
            name: "up",
            abstract: "Run the mesh in the foreground: the supervisor and every service.",
            usage: "up [--home DIR] [--mesh FILE] [--quiet]",
            options: [
                OptionSpec(["--quiet"], "Do not echo the services' output (it is still written to the log dir).")
            ],
            discussion: """
                With no mesh file, the built-in mesh is written to DIR/mesh.json and used: sockets in DIR/run,
                databases in DIR/data, logs in DIR/log. Stop with Ctrl-C or SIGTERM; every service stops with it.
                """
        ) { args, ctx in
            var meshPath = ctx.meshFilePath
            if meshPath == nil {
                let home = ctx.home
                let mesh = try Mesh.standard(home: home)
                try Listener.makeDirectories(home, mode: 0o750)
                var file = MeshFile.standard(home: home)
                file.home = home
                let text = JSONWriter.pretty(JSONEncoding.encode(file)) + "\n"
                let path = home + "/mesh.json"
                guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                    throw CLIError(ExitCode.failure, "cannot write \(path)")
                }
                _ = mesh
                meshPath = path
            }
            let mesh = try ctx.mesh()
            if UnixSocket.isLive(mesh.config.supervisor.socket) {
                throw CLIError(
                    ExitCode.failure,
                    "a mesh is already running with supervisor socket \(mesh.config.supervisor.socket)",
                    hint: "'liaison status' shows it; stop it with SIGTERM to its supervisor"
                )
            }
            try buildMissing(["liaison-supervisor"] + mesh.config.services.map(\.executable), ctx)
            guard let exe = Executables.resolve("liaison-supervisor") else {
                throw CLIError(
                    ExitCode.unavailable,
                    "liaison-supervisor not found beside \(CommandLine.arguments[0]) or on PATH",
                    hint: "build everything with 'swift build'"
                )
            }
            var argv = [exe, "--mesh", meshPath!]
            if args.has("--quiet") { argv.append("--quiet") }
            let cargs = argv.map { strdup($0) } + [nil]
            execv(exe, cargs)
            throw CLIError(ExitCode.failure, "cannot run \(exe): \(String(cString: strerror(errno)))")
        }
    }

    static var meshCommand: CLICommand {
        Command(
            name: "mesh",
            abstract: "Mesh file tools.",
            usage: "mesh <subcommand>",
            subcommands: [
                Command(
                    name: "init",
                    abstract: "Print the built-in mesh file for --home, to save and edit.",
                    usage: "mesh init [--home DIR]"
                ) { _, ctx in
                    var file = MeshFile.standard(home: ctx.home)
                    file.home = ctx.home
                    ctx.print(JSONWriter.pretty(JSONEncoding.encode(file)))
                    return ExitCode.ok
                },
                meshCheck,
            ]
        )
    }

    /// Run from a SwiftPM checkout (`swift run liaison up`), builds the executables of `names`
    /// that are not there yet, those only (one `swift build --product` each: given several
    /// `--product`, SwiftPM builds the last alone), in the same configuration: the
    /// CLI does not depend on them, so that it links no SQLite, but a fresh clone still comes up
    /// in one command.
    static func buildMissing(_ names: [String], _ ctx: CLIContext) throws {
        let missing = names.filter { !$0.contains("/") && Executables.resolve($0) == nil }
        guard !missing.isEmpty, let build = Executables.swiftPMBuild() else { return }
        ctx.note(
            "liaison: building \(missing.joined(separator: ", ")) (swift build -c \(build.configuration) in "
                + "\(build.root))"
        )
        guard let swift = Executables.resolve("swift") else {
            throw CLIError(ExitCode.unavailable, "swift is not on PATH to build \(missing[0])")
        }
        for product in missing {
            let pid = try Subprocess.spawn(
                swift,
                arguments: [swift, "build", "-c", build.configuration, "--product", product],
                environment: Subprocess.currentEnvironment(),
                fds: [0, 1, 2],
                workingDirectory: build.root
            )
            var status: Int32 = 0
            _ = restartingEINTR { waitpid(pid, &status, 0) }
            guard ChildExit(waitStatus: status) == .exited(0) else {
                throw CLIError(
                    ExitCode.failure,
                    "swift build --product \(product) failed (\(ChildExit(waitStatus: status))); see its output above"
                )
            }
        }
    }
}

extension CLI {
    /// `bench` in help: the benchmarks live in `liaison-bench`, which `liaison bench` runs.
    static var benchCommand: CLICommand {
        Command(
            name: "bench",
            abstract: "Measure the running mesh: calls/s and latency, events, mail, restarts, hostile callers.",
            usage: "bench [events|mail|restart|idle|hostile|hold|codec] [options]",
            discussion:
                "Runs liaison-bench (built from a checkout when it is not there yet); 'liaison bench --help' lists "
                + "its options."
        ) { args, ctx in runBench(args.positionals, ctx) }
    }

    /// Runs `liaison-bench` with `arguments` in place of this process.
    static func runBench(_ arguments: [String], _ ctx: CLIContext) -> Int32 {
        do {
            try buildMissing(["liaison-bench"], ctx)
            guard let exe = Executables.resolve("liaison-bench") else {
                throw CLIError(
                    ExitCode.unavailable,
                    "liaison-bench not found beside \(CommandLine.arguments[0]) or on PATH",
                    hint: "build it with 'swift build --product liaison-bench'"
                )
            }
            let cargs = ([exe] + arguments).map { strdup($0) } + [nil]
            execv(exe, cargs)
            throw CLIError(ExitCode.failure, "cannot run \(exe): \(String(cString: strerror(errno)))")
        } catch {
            return report(error, ctx) ?? ExitCode.failure
        }
    }
}
