import LiaisonBuild
import LiaisonHost
import LiaisonJSON
import LiaisonStore
import LiaisonWire

/// Which database each producer is, and telling a producer restored behind this consumer from a
/// duplicate: an event numbered at or below the key's watermark is a duplicate only when it is
/// the same change (the same id, or an earlier one); a later change under a number already
/// seen means the producer lost what it had told this service.
extension InboxTables {
    /// Records which database `e` comes from; true when it changed since the source's last event
    /// (a restore raised its incarnation, or it is another database altogether).
    static func noteOrigin(_ db: Database, _ e: CloudEvent, nowMillis: Int64) throws -> Bool {
        guard let text = e.incarnation, let l = StoreLineage.parse(text) else { return false }
        let row = try db.queryOne("SELECT identity, incarnation FROM inbox_origins WHERE source = ?", [e.source])
        if let row, try row["identity"] as String == l.identity, try row["incarnation"] as Int >= l.incarnation {
            return false  // the same database, or an older incarnation's event still in flight
        }
        try db.run(
            """
            INSERT INTO inbox_origins(source, identity, incarnation, updated_ms) VALUES(?, ?, ?, ?)
            ON CONFLICT(source) DO UPDATE SET identity = excluded.identity, incarnation = excluded.incarnation,
                updated_ms = excluded.updated_ms
            """,
            [e.source, l.identity, l.incarnation, nowMillis]
        )
        return row != nil
    }

    /// The last event applied of `key` from `source`: its sequence, id and time.
    static func last(_ db: Database, source: String, key: String) throws -> (sequence: Int64, id: String, time: String)?
    {
        guard
            let r = try db.queryOne(
                "SELECT sequence, event_id, time FROM inbox_last WHERE source = ? AND partition_key = ?",
                [source, key]
            )
        else { return nil }
        return (try r["sequence"], try r["event_id"], try r["time"])
    }

    /// Marks `source` as behind this consumer (nil: no longer), for `service.health`.
    static func markBehind(_ db: Database, source: String, _ why: String?) throws {
        try db.run("UPDATE inbox_origins SET behind = ? WHERE source = ?", [why, source])
    }

    /// A page of the last event of each key from `source`, by key.
    static func lastEvents(_ db: Database, source: String, after: String?, limit: Int) throws -> [HeldEvent] {
        try db.query(
            """
            SELECT partition_key, sequence, event FROM inbox_last WHERE source = ? AND partition_key > ?
            ORDER BY partition_key LIMIT ?
            """,
            [source, after ?? "", limit]
        ).map { r in
            HeldEvent(
                partitionKey: try r["partition_key"],
                sequence: try r["sequence"],
                event: try JSONParser.parse(try r["event"] as [UInt8])
            )
        }
    }

    /// A page of the record the last event of each key from `source` carries (applied at or
    /// after `sinceMs`, when given), by key.
    static func heads(_ db: Database, source: String, sinceMs: Int64?, after: String?, limit: Int) throws -> [HeldHead]
    {
        let index = sinceMs == nil ? "inbox_last_heads" : "inbox_last_by_time"
        return try db.query(
            """
            SELECT partition_key, type, record_id, record_version FROM inbox_last INDEXED BY \(index)
            WHERE source = ? AND at_ms >= ? AND partition_key > ? ORDER BY partition_key LIMIT ?
            """,
            [source, sinceMs ?? Int64.min, after ?? "", limit]
        ).map { r in
            HeldHead(
                partitionKey: try r["partition_key"],
                type: try r["type"],
                id: try r["record_id"],
                version: try r["record_version"]
            )
        }
    }

    /// A page of what was applied of `source`, key by key.
    static func positions(_ db: Database, source: String, after: String?, limit: Int) throws -> [KeyPosition] {
        try db.query(
            """
            SELECT partition_key, last_seq FROM inbox_watermarks WHERE source = ? AND partition_key > ?
            ORDER BY partition_key LIMIT ?
            """,
            [source, after ?? "", limit]
        ).map { r in KeyPosition(partitionKey: try r["partition_key"], sequence: try r["last_seq"]) }
    }

    /// Sources behind this consumer, with why.
    static func behind(_ db: Database) throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try db.query("SELECT source, behind FROM inbox_origins WHERE behind IS NOT NULL") {
            out[try r["source"]] = try r["behind"]
        }
        return out
    }
}

extension Inbox {
    /// The error for an event numbered at or below `watermark` that is not the change this
    /// service applied under that number (nil: a true duplicate). `restored`: its producer's
    /// database changed since the source's last event.
    static func producerBehind(
        _ db: Database,
        _ e: CloudEvent,
        watermark: Int64,
        restored: Bool
    ) throws -> ServiceError? {
        let last = try InboxTables.last(db, source: e.source, key: e.partitionkey)
        var why: String?
        if restored {
            why = "\(e.source) now runs from another database or a restored one (\(e.incarnation ?? "?"))"
        } else if let last, e.sequence == last.sequence, e.id != last.id {
            why = "\(e.source) sent #\(e.sequence) of \(e.partitionkey) for another change than the one applied"
        } else if let last, e.time > last.time {
            why = "\(e.source) sent #\(e.sequence) of \(e.partitionkey), a change made after #\(last.sequence)"
        }
        guard let why else { return nil }
        let message =
            "\(why): it was restored behind what it told this service (which has up to #\(watermark)); "
            + "held until its recovery (liaison restore) gives it its sequences back"
        try InboxTables.markBehind(db, source: e.source, message)
        return ServiceError(
            .failedPrecondition,
            message,
            retryable: true,
            details: ["reason": "producer_behind", "source": .string(e.source), "watermark": .int(watermark)]
        )
    }
}
