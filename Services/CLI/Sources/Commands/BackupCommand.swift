import Foundation
import LiaisonBuild
import LiaisonHost
import LiaisonJSON
import LiaisonProcess
import LiaisonWire

/// A backup on disk: `<dir>/<taken>/manifest.json`, each service's database, the mesh file.
struct BackupManifest: Codable {
    /// The format of this file.
    var format = 1
    var release: String
    var takenAt: String
    var mesh: String?
    var services: [String: BackupCopy]

    enum CodingKeys: String, CodingKey { case format, release, takenAt = "taken_at", mesh, services }

    static let fileName = "manifest.json"
}

/// What `backup --check --json` prints.
struct BackupCheck: Encodable {
    var backup, takenAt, release: String
    var problems: [String]

    enum CodingKeys: String, CodingKey { case backup, takenAt = "taken_at", release, problems }
}

extension CLI {
    /// Where backups go: --to, else the mesh file's `backup.dir`, else HOME/backups.
    static func backupRoot(_ args: ParsedArgs, _ ctx: CLIContext, option: String) throws -> String {
        if let d = args.value(option) { return Paths.absolute(d) }
        if let d = try ctx.mesh().config.backup?.dir { return d }
        return ctx.home + "/backups"
    }

    static var backupCommand: CLICommand {
        Command(
            name: "backup",
            abstract: "Copy every service's database while the mesh works: checked, hashed, with a manifest.",
            usage: "backup [SERVICE...] [--to DIR] [--keep N] [--json] | backup --check [DIR]",
            arguments: [("SERVICE...", "Services to back up (default: every service of the mesh).")],
            options: [
                OptionSpec(
                    ["--to"],
                    value: "DIR",
                    "Where backups go (default: the mesh file's backup.dir, else HOME/backups)."
                ),
                OptionSpec(["--keep"], value: "N", "Keep the newest N backups in DIR, removing older ones."),
                OptionSpec(
                    ["--check"],
                    "Take no backup: check one (the newest in DIR, or --to's) file by file against its manifest."
                ),
            ],
            discussion: """
                Each service copies its own database with SQLite's online backup, a few hundred pages at a time \
                between its writes (which wait milliseconds), checks the copy with PRAGMA integrity_check and \
                hashes it; the copies go to DIR/<time>/ with a \
                manifest.json (release, schema versions, each outbox's last sequence and each inbox's positions, \
                size and SHA-256 of every file) and the mesh file. Restore one with 'liaison restore'.
                """
        ) { args, ctx in
            if args.has("--check") { return try checkBackup(args, ctx) }
            let mesh = try ctx.mesh()
            let names = args.positionals.isEmpty ? mesh.config.services.map(\.name) : try serviceNames(args, ctx)
            let keep = try args.value("--keep").map { _ in try args.int("--keep", default: 0, in: 1...10_000) }
            let root = try backupRoot(args, ctx, option: "--to")
            let started = wallClockMillis()
            let label = Timestamp.compact(millis: started)
            let dest = root + "/" + label
            let partial = dest + ".partial"
            do {
                try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
            } catch {
                throw CLIError(ExitCode.cantCreate, "cannot create \(partial): \(error.localizedDescription)")
            }
            var manifest = BackupManifest(
                release: BuildInfo.version,
                takenAt: Timestamp.rfc3339(millis: started),
                services: [:]
            )
            do {
                for name in names {
                    var copy = try ctx.call(
                        RecoveryAPI.backup,
                        BackupParams(label: label),
                        on: name,
                        timeoutMs: 3_600_000
                    )
                    let target = partial + "/\(name).db"
                    try moveFile(copy.file, to: target)
                    let sha = try sha256(ofFile: target)
                    guard sha == copy.sha256 else {
                        throw CLIError(ExitCode.failure, "\(name): the copy's SHA-256 changed on its way to \(target)")
                    }
                    copy.file = "\(name).db"
                    manifest.services[name] = copy
                }
                if let meshFile = ctx.meshFilePath {
                    try FileManager.default.copyItem(atPath: meshFile, toPath: partial + "/mesh.json")
                    manifest.mesh = "mesh.json"
                }
                try Data(JSONWriter.pretty(JSONEncoding.encode(manifest)).utf8).write(
                    to: URL(fileURLWithPath: partial + "/" + BackupManifest.fileName)
                )
                try FileManager.default.moveItem(atPath: partial, toPath: dest)
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
            let removed = try keep.map { try rotateBackups(root, keep: $0) } ?? []
            if ctx.json {
                ctx.printJSON(manifest)
                return ExitCode.ok
            }
            var t = Table(["SERVICE", "BYTES", "MS", "WRITES HELD MS", "INTEGRITY", "SHA-256"])
            for name in names {
                guard let c = manifest.services[name] else { continue }
                t.add([
                    name, String(c.bytes), String(format: "%.0f", c.ms),
                    c.heldMs.map { String(format: "%.1f", $0) } ?? "-",
                    c.integrity, String(c.sha256.prefix(16)) + "…",
                ])
            }
            ctx.print(t.render())
            ctx.print("backup written to \(dest) in \(wallClockMillis() - started) ms")
            for r in removed { ctx.print("removed the older backup \(r)") }
            return ExitCode.ok
        }
    }

    /// `backup --check [DIR]`: every file the manifest lists is there, of its size and SHA-256
    /// (the copies passed `integrity_check` when they were taken; the hash says they are still
    /// those bytes). Exits 65 naming each file that is not.
    static func checkBackup(_ args: ParsedArgs, _ ctx: CLIContext) throws -> Int32 {
        let given = args.positionals.first.map(Paths.absolute)
        let dir = try backupDirectory(given ?? backupRoot(args, ctx, option: "--to"))
        let manifest = try readManifest(dir)
        var problems: [String] = []
        var t = Table(["SERVICE", "FILE", "BYTES", "SHA-256", "CHECK"])
        for (name, copy) in manifest.services.sorted(by: { $0.key < $1.key }) {
            let path = dir + "/" + copy.file
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap {
                $0.map(Int64.init)
            }
            var verdict = "ok"
            if size == nil {
                verdict = "missing"
            } else if size != copy.bytes {
                verdict = "\(size!) bytes, not \(copy.bytes)"
            } else if try sha256(ofFile: path) != copy.sha256 {
                verdict = "SHA-256 differs"
            }
            if verdict != "ok" { problems.append("\(path): \(verdict)") }
            t.add([name, copy.file, String(copy.bytes), String(copy.sha256.prefix(16)) + "…", verdict])
        }
        if let m = manifest.mesh, !FileManager.default.fileExists(atPath: dir + "/" + m) {
            problems.append("\(dir)/\(m): missing")
        }
        if ctx.json {
            ctx.printJSON(
                BackupCheck(backup: dir, takenAt: manifest.takenAt, release: manifest.release, problems: problems)
            )
        } else {
            ctx.print(t.render())
            ctx.print("\(dir), taken \(manifest.takenAt) by \(manifest.release): " + (problems.isEmpty ? "intact" : ""))
            for p in problems { ctx.print("  " + p) }
        }
        return problems.isEmpty ? ExitCode.ok : ExitCode.dataError
    }

    /// Moves a file, across file systems too (copied, synced, then the original removed).
    static func moveFile(_ from: String, to: String) throws {
        if rename(from, to) == 0 { return }
        guard errno == EXDEV else {
            throw CLIError(ExitCode.cantCreate, "cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
        }
        try FileManager.default.copyItem(atPath: from, toPath: to)
        let fd = open(to, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        try FileManager.default.removeItem(atPath: from)
    }

    /// The SHA-256 of a file, read in 1 MiB pieces.
    static func sha256(ofFile path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw CLIError(ExitCode.noInput, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? h.close() }
        var digest = SHA256()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(chunk) }
        return SHA256.hex(digest: digest.finish())
    }

    /// The backups in `root`, oldest first: directories holding a manifest.
    static func backups(in root: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(root)/\($0)/\(BackupManifest.fileName)") }
            .sorted()
    }

    /// Removes all but the newest `keep` backups; returns those removed.
    static func rotateBackups(_ root: String, keep: Int) throws -> [String] {
        let all = backups(in: root)
        let old = all.dropLast(keep)
        for b in old { try FileManager.default.removeItem(atPath: "\(root)/\(b)") }
        return Array(old)
    }
}
