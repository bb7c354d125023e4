import CSQLite
import Glibc
import Foundation
import LiaisonBuild
import LiaisonSync

extension Database {
    /// Creates `store_meta` if needed, records this release, and makes the identity (once).
    /// Returns the lineage.
    func prepareMeta() throws -> StoreLineage {
        try execute("CREATE TABLE IF NOT EXISTS store_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        try setMeta("release", BuildInfo.version)
        var id = try meta("identity")
        if id == nil {
            var bytes = [UInt8](repeating: 0, count: 10)
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
            id =
                "db-"
                + bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
                .joined()
            try setMeta("identity", id!)
        }
        return StoreLineage(identity: id!, incarnation: Int(try meta("incarnation") ?? "1") ?? 1)
    }

    package func meta(_ key: String) throws -> String? {
        try queryOne("SELECT value FROM store_meta WHERE key = ?", [key])?["value"]
    }

    package func setMeta(_ key: String, _ value: String?) throws {
        guard let value else {
            try run("DELETE FROM store_meta WHERE key = ?", [key])
            return
        }
        try run(
            "INSERT INTO store_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value]
        )
    }
}

extension Store {
    /// After `liaison restore` put this database back: the incarnation goes up (events say so
    /// from now on) and the store is recovering (the service refuses writes until what its peers
    /// hold is recovered and `finishRecovery` runs). Returns the marker, removed once read.
    static func applyRestoreMarker(_ db: Database, path: String) throws -> RestoreMarker? {
        let markerPath = RestoreMarker.path(for: path)
        guard let data = FileManager.default.contents(atPath: markerPath) else { return nil }
        let marker = try? JSONDecoder().decode(RestoreMarker.self, from: data)
        let incarnation = Int(try db.meta("incarnation") ?? "1") ?? 1
        try db.setMeta("incarnation", String(incarnation + 1))
        try db.setMeta("recovering", String(decoding: data, as: UTF8.self))
        try FileManager.default.removeItem(atPath: markerPath)
        return marker
    }

    /// Whether the store was restored from a backup and has not finished recovering.
    package var recovering: Bool { recoveringState.withLock { $0 } }

    /// Ends the recovery that a restore began: writes are taken again.
    package func finishRecovery() throws {
        try write { db in try db.setMeta("recovering", nil) }
        recoveringState.withLock { $0 = false }
    }

    /// The schema version of the service's tables (by the file's name) and of each component.
    package func schemaVersions() throws -> [String: Int] {
        try readForControl { db in
            var out = [((path as NSString).lastPathComponent as NSString).deletingPathExtension: try db.schemaVersion()]
            if try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 'schema_versions'") != nil {
                for r in try db.query("SELECT component, version FROM schema_versions") {
                    out[try r["component"]] = try r["version"]
                }
            }
            return out
        }
    }

    /// A consistent copy of the database written to `path` and checked (`PRAGMA
    /// integrity_check`); returns its size in bytes and the longest a step held writes off.
    /// SQLite's online backup, a few hundred pages at a time through the write connection (what
    /// is written meanwhile is copied too, and the copy never starts over), each step holding
    /// writes off for milliseconds, a pause between steps for the writes to go, and the copy
    /// synced every `syncEvery` steps so that its dirty pages never pile up into one long flush
    /// the service's own commits would queue behind. (VACUUM INTO from a reader of its own held
    /// no lock but wrote the whole file at once: commits waited for its I/O up to 700 ms; a
    /// single sync at the end, 786 ms.)
    package func backup(
        to path: String,
        pagesPerStep: Int32 = 256,
        pauseMicros: UInt32 = 2000,
        syncEvery: Int = 8
    ) throws -> (bytes: Int, longestHoldMs: Double) {
        var longest: UInt64 = 0
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        do {
            let dest = try Database(path: path, plain: true)
            try dest.execute("PRAGMA journal_mode=OFF")
            try dest.execute("PRAGMA synchronous=OFF")
            guard let b = writer.withLock({ src in sqlite3_backup_init(dest.rawHandle, "main", src.rawHandle, "main") })
            else {
                throw StoreError(code: 1, message: "cannot start a backup of \(self.path) into \(path)")
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            defer { if fd >= 0 { close(fd) } }
            var rc: Int32 = SQLITE_OK
            var steps = 0
            while true {
                rc = writer.withLock { _ in
                    let t0 = clock_gettime_nsec_np_monotonic()
                    defer { longest = max(longest, clock_gettime_nsec_np_monotonic() - t0) }
                    return sqlite3_backup_step(b, pagesPerStep)
                }
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED else { break }
                steps += 1
                if steps % syncEvery == 0 && fd >= 0 { fdatasync(fd) }
                usleep(pauseMicros)
            }
            let finished = sqlite3_backup_finish(b)
            guard rc == SQLITE_DONE, finished == SQLITE_OK else {
                throw StoreError(code: rc == SQLITE_DONE ? finished : rc, message: "the backup of \(self.path) failed")
            }
            // The copy took the source's header, which says write-ahead log: a file of its own, it
            // needs none (and opening it would leave -wal and -shm beside it).
            try dest.execute("PRAGMA journal_mode=DELETE")
        }
        // On disk before it is called a backup.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        let check: String = try {
            let copy = try Database(path: path, readOnly: true)
            return try copy.queryOne("PRAGMA integrity_check")?["integrity_check"] ?? "no answer"
        }()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard check == "ok" else {
            throw StoreError(
                code: 11 /* SQLITE_CORRUPT */,
                message: "the copy \(path) fails integrity_check: \(check)"
            )
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return (bytes, Double(longest / 1000) / 1000)
    }
}
