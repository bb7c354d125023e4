import LiaisonModels
import LiaisonStore

/// Retention's statements: which visits have ended (or were cancelled) and are not yet purged,
/// and the mark a purge leaves.
extension DelegationsTables {
    /// When a finished visit ended, as retention counts it (a cancellation from when it was
    /// cancelled): the expression `endedIndexSQL` indexes, written the same way in each query.
    static let endedSQL = "(CASE status WHEN 'cancelled' THEN updated_ms / 1000 ELSE ends_utc END)"
    static let unpurgedSQL = "status IN ('completed', 'cancelled') AND purged_ms IS NULL"

    /// The finished visits not yet purged, in the order retention pages them.
    static let endedIndexSQL = """
        CREATE INDEX delegations_unpurged ON delegations(\(endedSQL), id) WHERE \(unpurgedSQL);
        """

    /// A visit retention will purge: when it ended (or was cancelled), in epoch seconds.
    struct Ended {
        var id, ref, title, status: String
        var ended: Int64
    }

    /// Completed and cancelled visits not yet purged, those that ended first first: those that
    /// ended by `endedBy` (epoch seconds) when given, after `after` (ended, id), at most `limit`.
    static func unpurged(
        _ db: Database,
        endedBy: Int64? = nil,
        after: (Int64, String)? = nil,
        limit: Int = Int.max
    ) throws -> [Ended] {
        // The page's ids along the index first; their rows after.
        // The planner, without statistics, would take the status index and sort every row.
        var page = """
            SELECT id, \(endedSQL) AS ended FROM delegations INDEXED BY delegations_unpurged WHERE \(unpurgedSQL)
            """
        var args: [any SQLBindable] = []
        if let endedBy { page += " AND \(endedSQL) <= ?"; args.append(endedBy) }
        if let (e, id) = after {
            page += " AND (\(endedSQL) > ? OR (\(endedSQL) = ? AND id > ?))"
            args += [e, e, id]
        }
        page += " ORDER BY \(endedSQL), id LIMIT ?"
        args.append(min(limit, Int(Int32.max)))
        let sql = """
            SELECT d.id AS id, d.ref AS ref, json_extract(d.summary, '$.title') AS title, d.status AS status,
                p.ended AS ended
            FROM (\(page)) p JOIN delegations d ON d.id = p.id ORDER BY p.ended, p.id
            """
        return try db.query(sql, args).map { r in
            Ended(
                id: try r["id"],
                ref: try r["ref"],
                title: try r["title"] ?? "",
                status: try r["status"],
                ended: try r["ended"]
            )
        }
    }

    /// How many completed and cancelled visits are not yet purged, and how many of them ended by
    /// `endedBy`.
    static func unpurgedCounts(_ db: Database, endedBy: Int64) throws -> (all: Int, due: Int) {
        let r = try db.queryOne(
            """
            SELECT count(*) AS n, coalesce(sum(\(endedSQL) <= ?), 0) AS due FROM delegations WHERE \(unpurgedSQL)
            """,
            [endedBy]
        )
        return (Int(try r?["n"] as Int64? ?? 0), Int(try r?["due"] as Int64? ?? 0))
    }

    /// When the visit `id` was purged (nil: not yet).
    static func purgedAt(_ db: Database, id: String) throws -> Int64? {
        try db.queryOne("SELECT purged_ms FROM delegations WHERE id = ?", [id])?["purged_ms"]
    }

    static func markPurged(_ db: Database, id: String, nowMillis: Int64) throws {
        try db.run("UPDATE delegations SET purged_ms = ? WHERE id = ?", [nowMillis, id])
    }
}
