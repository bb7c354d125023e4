import Foundation
import Glibc
import LiaisonBuild
import LiaisonHost
import LiaisonJSON
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var restoreCommand: CLICommand {
        Command(
            name: "restore",
            abstract: "Put services' databases back from a backup, then take back what the other services hold.",
            usage: "restore --from DIR SERVICE...|all [--json]",
            arguments: [("SERVICE...", "Services to restore, or all.")],
            options: [
                OptionSpec(
                    ["--from"],
                    value: "DIR",
                    "A backup (a directory with manifest.json), or a directory of them (the newest)."
                )
            ],
            discussion: """
                Checks the manifest and every file's SHA-256, refuses a backup whose schema is newer than the running \
                service's, stops the services, puts each database back (the replaced files kept in \
                <data>/replaced-<time>/), starts them, and recovers: a restored producer takes back the records its \
                subscribers hold newer than the backup and continues its sequences and references after what they \
                have seen; a restored consumer is sent again what it lacks. What cannot be taken back is named.
                """
        ) { args, ctx in
            guard !args.positionals.isEmpty else { throw UsageError("name the services to restore, or all") }
            guard let from = args.value("--from") else { throw UsageError("--from DIR is required") }
            let mesh = try ctx.mesh()
            let names = try serviceNames(args, ctx)
            let dir = try backupDirectory(Paths.absolute(from))
            let manifest = try readManifest(dir)
            for name in names {
                guard let copy = manifest.services[name] else {
                    throw CLIError(
                        ExitCode.dataError,
                        "\(dir) holds no backup of \(name) (it has "
                            + "\(manifest.services.keys.sorted().joined(separator: ", ")))"
                    )
                }
                let sha = try sha256(ofFile: dir + "/" + copy.file)
                guard sha == copy.sha256 else {
                    throw CLIError(
                        ExitCode.dataError,
                        "\(dir)/\(copy.file): SHA-256 \(sha) is not the manifest's \(copy.sha256)"
                    )
                }
                if let running = try? ctx.call(ServiceAPI.health, NoParams(), on: name, timeoutMs: 3000),
                    let schema = running.schema
                {
                    for (component, version) in copy.schema {
                        let now = schema[component] ?? 0
                        if version > now {
                            throw CLIError(
                                ExitCode.dataError,
                                "\(name): the backup's \(component) schema is \(version), newer than the running "
                                    + "binary's \(now); "
                                    + "install the release that took it (\(copy.release)) first"
                            )
                        }
                    }
                }
            }
            let deployment = try ctx.deployment()
            var report: [String] = []
            for name in names {
                try stopService(name, deployment, ctx)
                guard let entry = mesh.service(name) else { continue }
                let kept = try putBack(
                    dir + "/" + manifest.services[name]!.file,
                    into: entry.dataDir,
                    name: name,
                    manifest: manifest,
                    from: dir
                )
                report.append("\(name): database put back from \(manifest.takenAt); the replaced files are in \(kept)")
            }
            for name in names { try startService(name, deployment, ctx) }
            if deployment == .down {
                report.append(
                    "nothing runs: start the mesh, then run 'liaison recover \(names.joined(separator: " "))'"
                )
                for r in report { ctx.print(r) }
                return ExitCode.ok
            }
            let outcome = try recover(names, ctx)
            if ctx.json { ctx.printJSON(outcome); return ExitCode.ok }
            for r in report { ctx.print(r) }
            printRecovery(outcome, ctx)
            return ExitCode.ok
        }
    }

    /// `--from`: a backup, or a directory of backups (the newest).
    static func backupDirectory(_ path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path + "/" + BackupManifest.fileName) { return path }
        guard let newest = backups(in: path).last else {
            throw CLIError(ExitCode.noInput, "\(path) is no backup (no \(BackupManifest.fileName)) and holds none")
        }
        return path + "/" + newest
    }

    static func readManifest(_ dir: String) throws -> BackupManifest {
        let path = dir + "/" + BackupManifest.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(ExitCode.noInput, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        do { return try JSONDecoding.decode(BackupManifest.self, from: Array(data)) } catch {
            throw CLIError(ExitCode.dataError, "\(path): not a backup manifest: \(error)")
        }
    }

    /// Puts `backup` in place of the service's database: the current files moved aside, the copy
    /// written beside and renamed in, a marker telling the next start it was restored. Returns
    /// where the replaced files went.
    static func putBack(
        _ backup: String,
        into dataDir: String,
        name: String,
        manifest: BackupManifest,
        from: String
    ) throws -> String {
        let db = dataDir + "/\(name).db"
        let aside = dataDir + "/replaced-" + Timestamp.compact(millis: wallClockMillis())
        try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            try FileManager.default.moveItem(atPath: db + suffix, toPath: aside + "/\(name).db" + suffix)
        }
        let incoming = db + ".restoring"
        try? FileManager.default.removeItem(atPath: incoming)
        try FileManager.default.copyItem(atPath: backup, toPath: incoming)
        let fd = open(incoming, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(incoming, db) == 0 else {
            throw CLIError(ExitCode.cantCreate, "cannot rename \(incoming): \(String(cString: strerror(errno)))")
        }
        let marker = RestoreMarker(
            backup: from,
            takenAt: manifest.takenAt,
            restoredAt: Timestamp.rfc3339(millis: wallClockMillis())
        )
        try Data(JSONEncoding.string(marker).utf8).write(to: URL(fileURLWithPath: RestoreMarker.path(for: db)))
        return aside
    }

    static func stopService(_ name: String, _ deployment: Deployment, _ ctx: CLIContext) throws {
        switch deployment {
        case .supervised: _ = try ctx.call(SupervisorAPI.stop, ServiceName(name), timeoutMs: 120_000)
        case .systemd: try systemctl(["stop", Deployment.unit(name)])
        case .down: return
        }
    }

    static func startService(_ name: String, _ deployment: Deployment, _ ctx: CLIContext) throws {
        switch deployment {
        case .supervised:
            let s = try ctx.call(SupervisorAPI.start, ServiceName(name), timeoutMs: 120_000)
            guard s.state == .running else {
                throw CLIError(
                    ExitCode.failure,
                    "\(name) did not start after the restore: \(s.reason ?? s.state.rawValue)"
                )
            }
        case .systemd: try systemctl(["start", Deployment.unit(name)])
        case .down: return
        }
    }

    static func systemctl(_ args: [String]) throws {
        let r = try Subprocess.run("/bin/systemctl", args, input: [], timeoutMs: 120_000)
        guard r.exit == .exited(0) else {
            throw CLIError(
                ExitCode.failure,
                "systemctl \(args.joined(separator: " ")): \(String(decoding: r.stderr, as: UTF8.self))"
            )
        }
    }
}
