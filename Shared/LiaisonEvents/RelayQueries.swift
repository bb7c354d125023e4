import LiaisonStore
import LiaisonWire

/// A delivery the relay is about to send.
struct RelayRow: Decodable {
    var outboxSeq: Int64
    var key: String
    var keySeq: Int64
    var eventID: String
    var attempts: Int64
    enum CodingKeys: String, CodingKey {
        case outboxSeq = "outbox_seq", key = "partition_key", keySeq = "key_seq", eventID = "id", attempts
    }
}

/// What one `events.deliver` call carries.
struct RelayBatch {
    var rows: [RelayRow] = []
    /// The `events` array, as JSON bytes, with `prevsequence` spliced into each event.
    var payload: [UInt8] = []
    /// When the next delivery held for a retry is due.
    var nextDueMs: Int64?
    /// Whether an event too large for the subscriber was dead-lettered instead of sent.
    var deadLettered = false
}

/// The relay's statements over the outbox's tables.
enum RelayQueries {
    /// The due deliveries of `subscriber`, oldest first, skipping keys held by a dead delivery or
    /// one waiting for its retry; each key's events stay in order and consecutive. Returns the
    /// first event that cannot fit a frame of `maxBytes` when it would lead the batch.
    static func collect(_ db: Database, subscriber: String, now: Int64, maxBytes: Int, limit: Int) throws -> (RelayBatch, RelayRow?) {
        let blocked: [String] = try db.query(
            """
            SELECT partition_key FROM deliveries WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'dead'
            UNION SELECT partition_key FROM deliveries WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'pending' AND
                next_attempt_ms > ?
            """, [subscriber, subscriber, now]
        ).map { try $0["partition_key"] }
        var out = RelayBatch()
        out.nextDueMs = try db.queryOne(
            """
            SELECT min(next_attempt_ms) AS due FROM deliveries
            WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'pending' AND next_attempt_ms > ?
            """, [subscriber, now])?["due"]
        var sql = """
            SELECT d.outbox_seq, d.partition_key, o.key_seq, o.id, d.attempts, o.event FROM deliveries d JOIN outbox o ON o.seq =
                d.outbox_seq
            WHERE d.subscriber = ? AND d.status IN ('pending','dead') AND d.status = 'pending'
            """
        var args: [any SQLBindable] = [subscriber]
        if !blocked.isEmpty {
            sql += " AND d.partition_key NOT IN (\(blocked.map { _ in "?" }.joined(separator: ",")))"
            args += blocked
        }
        sql += " ORDER BY d.outbox_seq LIMIT ?"
        args.append(limit)
        let rows = try db.query(sql, args)
        guard !rows.isEmpty else { return (out, nil) }
        var cursor = try acked(db, subscriber: subscriber, keys: Array(Set(try rows.map { try $0["partition_key"] as String })))
        var w = JSONWriter(capacity: rows.count * 1024)
        w.raw("[")
        var stopped = Set<String>()
        for r in rows {
            let row: RelayRow = try r.decode()
            let event: [UInt8] = try r["event"]
            if stopped.contains(row.key) { continue }
            if w.bytes.count + event.count + 64 > maxBytes {
                if out.rows.isEmpty { return (out, row) }
                stopped.insert(row.key)  // this key continues in the next batch; keep its order
                continue
            }
            let prev = cursor[row.key] ?? 0
            cursor[row.key] = row.keySeq
            if !out.rows.isEmpty { w.raw(",") }
            // {"prevsequence":N, + the stored event without its opening brace
            w.raw("{\"prevsequence\":")
            w.writeInt(prev)
            w.raw(",")
            w.raw(event.dropFirst())
            out.rows.append(row)
        }
        w.raw("]")
        out.payload = w.bytes
        return (out, nil)
    }

    /// The last sequence `subscriber` acknowledged for each of `keys`.
    static func acked(_ db: Database, subscriber: String, keys: [String]) throws -> [String: Int64] {
        var cursor: [String: Int64] = [:]
        for chunk in stride(from: 0, to: keys.count, by: 500) {
            let part = Array(keys[chunk..<min(chunk + 500, keys.count)])
            let marks = part.map { _ in "?" }.joined(separator: ",")
            for r in try db.query(
                "SELECT partition_key, last_acked_seq FROM relay_cursor WHERE subscriber = ? AND partition_key IN (\(marks))",
                [subscriber] + part)
            {
                cursor[try r["partition_key"]] = try r["last_acked_seq"]
            }
        }
        return cursor
    }

    static func markDelivered(_ db: Database, subscriber: String, row: RelayRow, now: Int64) throws {
        try db.run(
            """
            UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_error = NULL, updated_ms = ?, delivered_ms = ?
            WHERE subscriber = ? AND outbox_seq = ?
            """, [now, now, subscriber, row.outboxSeq])
        try db.run(
            """
            INSERT INTO relay_cursor(subscriber, partition_key, last_acked_seq) VALUES(?, ?, ?)
            ON CONFLICT(subscriber, partition_key) DO UPDATE SET last_acked_seq = max(last_acked_seq, excluded.last_acked_seq)
            """, [subscriber, row.key, row.keySeq])
    }

    /// Marks a delivery dead with `why` (`attempts` as counted, or one more when nil).
    static func markDead(_ db: Database, subscriber: String, outboxSeq: Int64, attempts: Int?, why: String, now: Int64) throws {
        if let attempts {
            try db.run(
                "UPDATE deliveries SET status = 'dead', attempts = ?, last_error = ?, updated_ms = ? WHERE subscriber = ? AND outbox_seq "
                    + "= ?",
                [attempts, why, now, subscriber, outboxSeq])
        } else {
            try db.run(
                """
                UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_error = ?, updated_ms = ? WHERE subscriber = ? AND
                    outbox_seq = ?
                """, [why, now, subscriber, outboxSeq])
        }
    }

    static func markRetry(_ db: Database, subscriber: String, outboxSeq: Int64, attempts: Int, next: Int64, why: String, now: Int64) throws
    {
        try db.run(
            """
            UPDATE deliveries SET attempts = ?, next_attempt_ms = ?, last_error = ?, updated_ms = ? WHERE subscriber = ? AND outbox_seq = ?
            """, [attempts, next, why, now, subscriber, outboxSeq])
    }

    /// Deletes outbox rows created before `cutoff` whose every delivery is done; returns how many.
    static func prune(_ db: Database, before cutoff: Int64) throws -> Int {
        try db.run(
            """
            DELETE FROM outbox WHERE seq IN (
                SELECT o.seq FROM outbox o WHERE o.created_ms < ? AND NOT EXISTS (
                    SELECT 1 FROM deliveries d WHERE d.outbox_seq = o.seq AND d.status IN ('pending', 'dead'))
                LIMIT 10000)
            """, [cutoff])
    }
}
