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
            var next: Int =
                try db.queryOne(
                    "SELECT count(*) AS n FROM import_staging WHERE import_id = ? AND section = ?",
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
