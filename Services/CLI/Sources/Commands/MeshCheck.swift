import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    /// What `mesh check --json` prints.
    struct MeshCheckResult: Encodable {
        var ok: Bool
        var file: String
        var startOrder: [String]
        var problems: [String]
        /// The release each executable says it is (`--version`).
        var versions: [String: String]
        var warnings: [String]
        enum CodingKeys: String, CodingKey { case ok, file, startOrder = "start_order", problems, versions, warnings }
    }

    /// The release an executable says it is (`liaison-x 0.2.0 (commit …)`), or nil.
    static func release(of exe: String) -> String? {
        guard let r = try? Subprocess.run(exe, ["--version"], input: [], timeoutMs: 15_000), r.exit == .exited(0) else {
            return nil
        }
        let words = String(decoding: r.stdout, as: UTF8.self).split(separator: " ")
        return words.count >= 2 ? String(words[1]).trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// `liaison mesh check`: every check `liaison up` (and each service's start) makes.
    static var meshCheck: CLICommand {
        Command(
            name: "check",
            abstract:
                "Check a mesh file as a start would: the file itself, each executable, each service's settings (by "
                + "the service binary's --check), the directories; print the services in start order. Exit 78 with "
                + "every problem named.",
            usage: "mesh check [--mesh FILE]"
        ) { _, ctx in
            let mesh = try ctx.mesh()
            let order = try mesh.startOrder()
            let file = try ctx.meshFilePath ?? writeBuiltIn(mesh)
            var problems: [String] = []
            var versions: [(name: String, version: String?)] = [
                ("supervisor", Executables.resolve("liaison-supervisor").flatMap(release(of:)))
            ]
            for s in order {
                guard let exe = Executables.resolve(s.executable) else {
                    problems.append(
                        "services[\(s.name)].executable: \(s.executable) is not an executable file (beside liaison or "
                            + "on PATH)"
                    )
                    continue
                }
                versions.append((s.name, release(of: exe)))
                // The service checks its own settings and directories, as its start would.
                let r = try Subprocess.run(
                    exe,
                    ["--check", "--mesh", file, "--name", s.name],
                    input: [],
                    timeoutMs: 15_000
                )
                if r.exit != .exited(0) {
                    let why =
                        String(decoding: r.stderr, as: UTF8.self).split(separator: "\n").first.map(String.init)
                        ?? "\(r.exit)"
                    problems.append(why.hasPrefix("services[") ? why : "services[\(s.name)]: \(why)")
                }
            }
            let alerts =
                [("supervisor.on_failure", mesh.config.supervisor.onFailure)]
                + order.map { ("services[\($0.name)].on_failure", $0.onFailure) }
            for case (let key, let command?) in alerts where Executables.resolve(command.argv[0]) == nil {
                problems.append("\(key): \(command.argv[0]) is not an executable file (on PATH or a path)")
            }
            for (dir, key) in [
                (mesh.config.supervisor.logDir, "supervisor.log_dir"),
                ((mesh.config.supervisor.socket as NSString).deletingLastPathComponent, "supervisor.socket"),
            ] {
                if let why = directoryProblem(dir) { problems.append("\(key): \(why)") }
            }
            let warnings = versionSkew(versions).map { [$0] } ?? []
            if ctx.json {
                var known: [String: String] = [:]
                for v in versions { known[v.name] = v.version }
                ctx.printJSON(
                    MeshCheckResult(
                        ok: problems.isEmpty,
                        file: file,
                        startOrder: order.map(\.name),
                        problems: problems,
                        versions: known,
                        warnings: warnings
                    )
                )
            } else {
                var t = Table(["SERVICE", "VERSION", "SOCKET", "CONSUMES", "DEPENDS ON"])
                for s in order {
                    let v = versions.first { $0.name == s.name }?.version ?? "-"
                    t.add([s.name, v, s.socket, s.consumes.joined(separator: ","), s.dependsOn.joined(separator: ",")])
                }
                ctx.print(t.render())
                for w in warnings { ctx.note(w) }
                for p in problems { ctx.note("\(file): \(p)") }
                if problems.isEmpty { ctx.print("\(file): ok") }
            }
            return problems.isEmpty ? ExitCode.ok : ExitCode.config
        }
    }

    /// The built-in mesh written to a scratch file, for the services' --check.
    static func writeBuiltIn(_ mesh: Mesh) throws -> String {
        let path = NSTemporaryDirectory() + "liaison-mesh-\(getpid()).json"
        try JSONWriter.pretty(JSONEncoding.encode(mesh.config)).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Why `dir` could not be used as a directory, if it could not.
    static func directoryProblem(_ dir: String) -> String? {
        var path = dir
        while true {
            var st = stat()
            if stat(path, &st) == 0 {
                if (st.st_mode & S_IFMT) != S_IFDIR { return "\(path) exists and is not a directory" }
                if path != dir && access(path, W_OK) != 0 { return "cannot create \(dir): \(path) is not writable" }
                return nil
            }
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
            path = String(path[..<slash])
        }
    }
}
