import LiaisonJSON
import LiaisonStore

/// The statements of staged imports: rows of an import too large for one call, kept under an
/// import id until the import that names them is applied (or for a day).
extension DelegationsTables {
    static let importStagingSQL = """
        CREATE TABLE import_staging(
            import_id TEXT NOT NULL, section TEXT NOT NULL, idx INTEGER NOT NULL, row TEXT NOT NULL,
            at_ms INTEGER NOT NULL, PRIMARY KEY(import_id, section, idx)) WITHOUT ROWID;
        """

    /// Appends `rows` to `section` of import `id`, numbered after those already there; returns
    /// how many the section holds now.
    static func stage(_ db: Database, id: String, section: String, _ rows: [JSONValue], nowMillis: Int64) throws -> Int
    {
        var next: Int =
            try db.queryOne(
                "SELECT count(*) AS n FROM import_staging WHERE import_id = ? AND section = ?",
                [id, section]
            )?["n"] ?? 0
        for row in rows {
            try db.run(
                "INSERT INTO import_staging(import_id, section, idx, row, at_ms) VALUES(?,?,?,?,?)",
                [id, section, next, JSONWriter.string(row), nowMillis]
            )
            next += 1
        }
        return next
    }

    /// The rows of `section` of import `id`, in order.
    static func staged(_ db: Database, id: String, section: String) throws -> [JSONValue] {
        try db.query(
            "SELECT row FROM import_staging WHERE import_id = ? AND section = ? ORDER BY idx",
            [id, section]
        ).map { try JSONParser.parse(try $0["row"] as [UInt8]) }
    }

    /// Whether import `id` has rows staged.
    static func hasStaged(_ db: Database, id: String) throws -> Bool {
        try db.queryOne("SELECT 1 AS x FROM import_staging WHERE import_id = ? LIMIT 1", [id]) != nil
    }

    /// Forgets import `id`'s rows, and every staged row older than `before`.
    static func dropStaged(_ db: Database, id: String?, before: Int64) throws {
        if let id { try db.run("DELETE FROM import_staging WHERE import_id = ?", [id]) }
        try db.run("DELETE FROM import_staging WHERE at_ms < ?", [before])
    }
}
