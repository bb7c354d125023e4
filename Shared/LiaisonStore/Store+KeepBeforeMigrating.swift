import Foundation
import LiaisonBuild
import CLiaisonShims
import Dispatch
import LiaisonSync
import Synchronization

/// Going back to a previous release starts from the database as that release left it.
extension Store {
    /// Before a migration runs on a database that has data, keeps a copy of it as it is, named
    /// by the release that last opened it and this one (`delegations-0.1.0-to-0.2.0.db` beside
    /// it): what going back to the previous release starts from. An existing copy of the same
    /// step is kept (the first attempt's). Returns the copy's path.
    static func keepBeforeMigrating(
        _ db: Database,
        path: String,
        migrations: [Database.Migration],
        components: [(String, [Database.Migration])]
    ) throws -> String? {
        let schema = try db.schemaVersion()
        guard schema > 0 else { return nil }  // a new database: nothing to keep
        var pending = schema < (migrations.map(\.version).max() ?? 0)
        let tracked = try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 'schema_versions'") != nil
        for (name, m) in components where !pending {
            let at: Int =
                tracked
                ? try db.queryOne("SELECT version FROM schema_versions WHERE component = ?", [name])?["version"] ?? 0
                : 0
            pending = at < (m.map(\.version).max() ?? 0)
        }
        guard pending else { return nil }
        let hasMeta = try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 'store_meta'") != nil
        // Releases before 0.2.0 did not record themselves: the one before it is 0.1.0.
        let from: String =
            hasMeta
            ? try db.queryOne("SELECT value FROM store_meta WHERE key = 'release'")?["value"] ?? "0.1.0" : "0.1.0"
        let base = path.hasSuffix(".db") ? String(path.dropLast(3)) : path
        let copy = "\(base)-\(from)-to-\(BuildInfo.version).db"
        if FileManager.default.fileExists(atPath: copy) { return copy }
        try db.run("VACUUM INTO ?", [copy])
        return copy
    }
}
