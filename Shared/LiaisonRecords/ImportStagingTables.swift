import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonStore
import LiaisonWire

/// Rows of an import too large for one call, kept under an import id by sections (`visits`,
/// `agreements`…) until the import that names them is applied (or for a day): the table and
/// every statement over it, for each service that takes imports.
package enum ImportStaging {
    package static let createSQL = """
        CREATE TABLE import_staging(
            import_id TEXT NOT NULL, section TEXT NOT NULL, idx INTEGER NOT NULL, row TEXT NOT NULL,
            at_ms INTEGER NOT NULL, PRIMARY KEY(import_id, section, idx)) WITHOUT ROWID;
        """

    /// How long staged rows wait for their import.
    static let keptMillis: Int64 = 86_400_000

    /// Keeps a piece of a large import in `db`: `sections`' rows appended, each section numbered
    /// after the rows it holds, under `importID` (nil: a new id, `imp-…`). Rows older than a day
    /// are forgotten first. Answers the id and how many rows each section holds now.
    package static func stage(
        _ db: Database,
        importID: String?,
        _ sections: [(name: String, rows: [JSONValue])],
        nowMillis t: Int64
    ) throws -> ImportStaged {
        if let given = importID, try !hasStaged(db, id: given) {
            throw ServiceError.invalidParams(
                field: "import_id",
                "no rows are staged under \(given) (imported already, or older than a day): start again without it"
            )
        }
        try drop(db, id: nil, before: t - keptMillis)
        let id = importID ?? IDs.make("imp")
        var counts: [String: Int] = [:]
        for (section, rows) in sections {
            // After the section's last row (from the key's end: counting them read every row
            // staged so far, at each of a large import's hundred pieces).
            var next: Int =
                try db.queryOne(
                    "SELECT coalesce(max(idx) + 1, 0) AS n FROM import_staging WHERE import_id = ? AND section = ?",
                    [id, section]
                )?["n"] ?? 0
            for row in rows {
                try db.run(
                    "INSERT INTO import_staging(import_id, section, idx, row, at_ms) VALUES(?,?,?,?,?)",
                    [id, section, next, JSONWriter.string(row), t]
                )
                next += 1
            }
            counts[section] = next
        }
        return ImportStaged(importID: id, rows: counts)
    }

    /// The rows of each of `sections` staged under `id`, in order; refuses an id with none.
    package static func staged(_ db: Database, id: String, _ sections: [String]) throws -> [[JSONValue]] {
        guard try hasStaged(db, id: id) else {
            throw ServiceError.invalidParams(field: "staged", "no rows are staged under \(id)")
        }
        return try sections.map { section in
            try db.query(
                "SELECT row FROM import_staging WHERE import_id = ? AND section = ? ORDER BY idx",
                [id, section]
            ).map { try JSONParser.parse(try $0["row"] as [UInt8]) }
        }
    }

    /// Keeps a piece of a large import in `store` (see `stage(_:importID:_:nowMillis:)`).
    package static func stage(
        _ store: Store,
        importID: String?,
        _ sections: [(name: String, rows: [JSONValue])],
        nowMillis t: Int64
    ) throws -> ImportStaged {
        try store.write { db in try stage(db, importID: importID, sections, nowMillis: t) }
    }

    /// An import of the rows given (one list per section of `sections`) and, with `staged`, of
    /// those staged under it after them: `run` imports them all at once. The staged rows are
    /// forgotten once applied, and a staged import's answer lists only the rows of `keys` (the
    /// others are counted in its totals).
    package static func importing(
        _ store: Store,
        staged: String?,
        given: [[JSONValue]],
        sections: [String],
        keys: Set<String>?,
        _ run: ([[JSONValue]]) throws -> ImportReport
    ) throws -> ImportReport {
        guard let staged else { return try run(given) }
        let rows = try store.read { db in try Self.staged(db, id: staged, sections) }
        var report = try run(zip(given, rows).map { $0 + $1 })
        if report.applied { try store.write { db in try applied(db, id: staged) } }
        report.abridge(keys: keys)
        return report
    }

    /// Forgets the rows of import `id` once it is applied.
    package static func applied(_ db: Database, id: String) throws { try drop(db, id: id, before: 0) }

    static func hasStaged(_ db: Database, id: String) throws -> Bool {
        try db.queryOne("SELECT 1 AS x FROM import_staging WHERE import_id = ? LIMIT 1", [id]) != nil
    }

    /// Forgets import `id`'s rows, and every staged row older than `before`.
    static func drop(_ db: Database, id: String?, before: Int64) throws {
        if let id { try db.run("DELETE FROM import_staging WHERE import_id = ?", [id]) }
        try db.run("DELETE FROM import_staging WHERE at_ms < ?", [before])
    }
}
