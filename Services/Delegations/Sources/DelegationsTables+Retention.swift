import LiaisonModels
import LiaisonStore

/// Retention's statements: which visits have ended (or were cancelled) and are not yet purged,
/// and the mark a purge leaves.
extension DelegationsTables {
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
        var sql = """
            SELECT id, ref, json_extract(summary, '$.title') AS title, status, ended FROM (
                SELECT id, ref, summary, status,
                    CASE status WHEN 'cancelled' THEN updated_ms / 1000 ELSE ends_utc END AS ended
                FROM delegations WHERE status IN ('completed', 'cancelled') AND purged_ms IS NULL)
            WHERE 1=1
            """
        var args: [any SQLBindable] = []
        if let endedBy { sql += " AND ended <= ?"; args.append(endedBy) }
        if let (e, id) = after { sql += " AND (ended > ? OR (ended = ? AND id > ?))"; args += [e, e, id] }
        sql += " ORDER BY ended, id LIMIT ?"
        args.append(min(limit, Int(Int32.max)))
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
            SELECT count(*) AS n, coalesce(sum(CASE WHEN (CASE status WHEN 'cancelled' THEN updated_ms / 1000
                ELSE ends_utc END) <= ? THEN 1 ELSE 0 END), 0) AS due
            FROM delegations WHERE status IN ('completed', 'cancelled') AND purged_ms IS NULL
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
