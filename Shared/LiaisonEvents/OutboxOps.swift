import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// Operators' statements over a producer's outbox: redrive, skip, the audit trail, and what was
/// produced and how fast it was delivered.
enum OutboxOps {
    /// Makes dead deliveries pending again (one, or every dead one); returns how many.
    static func redrive(
        _ db: Database,
        outboxSeq: Int64?,
        subscriber: String?,
        uid: UInt32,
        now: Int64 = wallClockMillis()
    ) throws -> Int {
        var sql =
            "UPDATE delivery_exceptions SET status = 'pending', attempts = 0, next_attempt_ms = 0, updated_ms = ? "
            + "WHERE status = 'dead'"
        var args: [any SQLBindable] = [now]
        if let outboxSeq { sql += " AND outbox_seq = ?"; args.append(outboxSeq) }
        if let subscriber { sql += " AND subscriber = ?"; args.append(subscriber) }
        let n = try db.run(sql, args)
        if n > 0 {
            try audit(
                db,
                uid: uid,
                action: "redrive",
                subscriber: subscriber,
                outboxSeq: outboxSeq,
                detail: outboxSeq == nil ? "all dead (\(n))" : "\(n) delivery(ies)",
                now: now
            )
        }
        return n
    }

    /// Gives up on one pending or dead delivery (listed, or not yet sent); false when there is none.
    static func skip(
        _ db: Database,
        outboxSeq: Int64,
        subscriber: String,
        reason: String,
        uid: UInt32,
        subscriptions: Subscriptions,
        sent: Int64 = 0,
        now: Int64 = wallClockMillis()
    ) throws -> Bool {
        var n = try db.run(
            """
            UPDATE delivery_exceptions SET status = 'skipped', updated_ms = ? WHERE outbox_seq = ? AND subscriber = ? \
            AND status IN (
                'pending', 'dead')
            """,
            [now, outboxSeq, subscriber]
        )
        // Not listed: an event past the position (and past what the relay has sent but not yet
        // recorded) is skipped before it is sent.
        if n == 0, outboxSeq > max(try RelayQueries.position(db, subscriber), sent),
            let key: String = try db.queryOne("SELECT partition_key FROM outbox WHERE seq = ?", [outboxSeq])?[
                "partition_key"
            ],
            let type: String = try db.queryOne("SELECT type FROM outbox WHERE seq = ?", [outboxSeq])?["type"],
            subscriptions.takes(subscriber, type)
        {
            n = try db.run(
                """
                INSERT INTO delivery_exceptions(subscriber, outbox_seq, partition_key, status, updated_ms) VALUES(?, \
                ?, ?, 'skipped', ?)
                ON CONFLICT(subscriber, outbox_seq) DO NOTHING
                """,
                [subscriber, outboxSeq, key, now]
            )
        }
        guard n == 1 else { return false }
        try audit(db, uid: uid, action: "skip", subscriber: subscriber, outboxSeq: outboxSeq, detail: reason, now: now)
        return true
    }

    static func audit(
        _ db: Database,
        uid: UInt32,
        action: String,
        subscriber: String?,
        outboxSeq: Int64?,
        detail: String,
        now: Int64
    ) throws {
        try db.run(
            "INSERT INTO outbox_audit(at_ms, uid, action, subscriber, outbox_seq, detail) VALUES(?,?,?,?,?,?)",
            [now, Int64(uid), action, subscriber, outboxSeq, detail]
        )
    }

    /// The audit trail, newest first.
    static func audit(_ db: Database, limit: Int) throws -> [OutboxAuditEntry] {
        try db.query(
            """
            SELECT \(SQLExpression.timestamp("at_ms")) AS at, coalesce(uid, -1) AS uid, action, subscriber, \
            outbox_seq, coalesce(detail,
                '') AS detail
            FROM outbox_audit ORDER BY id DESC LIMIT ?
            """,
            [limit]
        ).map { try $0.decode() }
    }

    /// Produced events after `after`, oldest first.
    static func events(_ db: Database, after: Int64, limit: Int) throws -> [ProducedEvent] {
        try db.query(
            "SELECT seq, id, type, partition_key, key_seq AS sequence FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
            [after, limit]
        )
        .map { try $0.decode() }
    }

    /// The newest event's outbox sequence.
    static func lastSeq(_ db: Database) throws -> Int64 {
        try db.queryOne("SELECT max(seq) AS s FROM outbox")?["s"] ?? 0
    }
}
