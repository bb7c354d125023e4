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

    /// Completed and cancelled visits not yet purged, those that ended first first.
    static func unpurged(_ db: Database) throws -> [Ended] {
        try db.query(
            """
            SELECT id, ref, json_extract(doc, '$.title') AS title, status,
                CASE status WHEN 'cancelled' THEN updated_ms / 1000 ELSE ends_utc END AS ended
            FROM delegations WHERE status IN ('completed', 'cancelled') AND purged_ms IS NULL ORDER BY ended, id
            """
        ).map { r in
            Ended(
                id: try r["id"],
                ref: try r["ref"],
                title: try r["title"] ?? "",
                status: try r["status"],
                ended: try r["ended"]
            )
        }
    }

    /// When the visit `id` was purged (nil: not yet).
    static func purgedAt(_ db: Database, id: String) throws -> Int64? {
        try db.queryOne("SELECT purged_ms FROM delegations WHERE id = ?", [id])?["purged_ms"]
    }

    static func markPurged(_ db: Database, id: String, nowMillis: Int64) throws {
        try db.run("UPDATE delegations SET purged_ms = ? WHERE id = ?", [nowMillis, id])
    }
}
