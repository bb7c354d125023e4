import LiaisonStore
import LiaisonWire

/// The transactional outbox (DESIGN §3): an event and one delivery row per subscriber, written in
/// the same transaction as the change that caused it.
package enum Outbox {
    /// The outbox's tables, migrated as the `outbox` component of a producer's database.
    package static let migrations: [Database.Migration] = [
        .init(1, """
        CREATE TABLE outbox(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL,
            type TEXT NOT NULL,
            partition_key TEXT NOT NULL,
            key_seq INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            event TEXT NOT NULL);
        CREATE TABLE outbox_keys(partition_key TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
        CREATE TABLE deliveries(
            outbox_seq INTEGER NOT NULL REFERENCES outbox(seq) ON DELETE CASCADE,
            subscriber TEXT NOT NULL,
            partition_key TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK(status IN ('pending','delivered','dead','skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_ms INTEGER NOT NULL,
            delivered_ms INTEGER,
            PRIMARY KEY(outbox_seq, subscriber)) WITHOUT ROWID;
        CREATE INDEX deliveries_open ON deliveries(subscriber, status, outbox_seq) WHERE status IN ('pending','dead');
        CREATE TABLE relay_cursor(
            subscriber TEXT NOT NULL, partition_key TEXT NOT NULL, last_acked_seq INTEGER NOT NULL,
            PRIMARY KEY(subscriber, partition_key));
        CREATE TABLE outbox_audit(
            id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, uid INTEGER, action TEXT NOT NULL,
            subscriber TEXT, outbox_seq INTEGER, detail TEXT);
        """),
    ]

    /// Appends an event for `subscribers` inside the caller's transaction; returns it.
    @discardableResult
    package static func append(_ db: Database, source: String, type: String, subject: String, partitionKey: String, data: JSONValue,
                               subscribers: [String], nowMillis: Int64 = wallClockMillis()) throws -> CloudEvent {
        let (id, keySeq) = try append(db, source: source, type: type, subject: subject, partitionKey: partitionKey,
                                      dataJSON: JSONWriter.encode(data), subscribers: subscribers, nowMillis: nowMillis)
        return CloudEvent(id: id, source: source, type: type, subject: subject, time: Logger.timestamp(millis: nowMillis),
                          partitionkey: partitionKey, sequence: keySeq, data: data)
    }

    /// Appends an event whose `data` is already encoded (`dataJSON`, one JSON value), so that a
    /// producer can do that work before its write transaction; returns the event's id and
    /// per-key sequence.
    @discardableResult
    package static func append(_ db: Database, source: String, type: String, subject: String, partitionKey: String, dataJSON: [UInt8],
                               subscribers: [String], nowMillis: Int64 = wallClockMillis()) throws -> (id: String, sequence: Int64) {
        precondition(db.inTransaction, "outbox rows are written in the change's own transaction")
        let keySeq = (try db.queryOne("SELECT last_seq FROM outbox_keys WHERE partition_key = ?", [partitionKey])?.int(0) ?? 0) + 1
        try db.run("INSERT INTO outbox_keys(partition_key, last_seq) VALUES(?, ?) ON CONFLICT(partition_key) DO UPDATE SET last_seq = excluded.last_seq",
                   [partitionKey, keySeq])
        let id = IDs.make("evt")
        let event = CloudEvent.json(id: id, source: source, type: type, subject: subject, time: Logger.timestamp(millis: nowMillis),
                                    partitionkey: partitionKey, sequence: keySeq, dataJSON: dataJSON)
        try db.run("INSERT INTO outbox(id, type, partition_key, key_seq, created_ms, event) VALUES(?, ?, ?, ?, ?, ?)",
                   [id, type, partitionKey, keySeq, nowMillis, event])
        let seq = db.lastInsertRowID
        for s in subscribers {
            try db.run("INSERT INTO deliveries(outbox_seq, subscriber, partition_key, updated_ms) VALUES(?, ?, ?, ?)", [seq, s, partitionKey, nowMillis])
        }
        if !subscribers.isEmpty, let wake = db.outboxListener { db.afterCommit(wake) }
        return (id, keySeq)
    }

    /// A delivery as `liaison queue` shows it.
    package struct DeliveryRow: Codable, Sendable {
        package var outboxSeq: Int64
        package var eventID: String
        package var type: String
        package var partitionKey: String
        package var sequence: Int64
        package var subscriber: String
        package var status: String
        package var attempts: Int64
        package var lastError: String?
        package var createdAt: String
        package var nextAttemptAt: String?

        enum CodingKeys: String, CodingKey {
            case outboxSeq = "outbox_seq", eventID = "event_id", type, partitionKey = "partition_key", sequence, subscriber, status, attempts
            case lastError = "last_error", createdAt = "created_at", nextAttemptAt = "next_attempt_at"
        }
    }

    /// Deliveries in `statuses` (oldest first), at most `limit`.
    package static func deliveries(_ db: Database, statuses: [String], subscriber: String? = nil, limit: Int) throws -> [DeliveryRow] {
        let marks = statuses.map { _ in "?" }.joined(separator: ",")
        var args: [any SQLBindable] = statuses
        var sql = """
        SELECT d.outbox_seq, o.id, o.type, d.partition_key, o.key_seq, d.subscriber, d.status, d.attempts, d.last_error, o.created_ms, d.next_attempt_ms
        FROM deliveries d JOIN outbox o ON o.seq = d.outbox_seq WHERE d.status IN (\(marks))
        """
        if let subscriber { sql += " AND d.subscriber = ?"; args.append(subscriber) }
        sql += " ORDER BY d.outbox_seq LIMIT ?"
        args.append(limit)
        return try db.query(sql, args).map { r in
            DeliveryRow(outboxSeq: r.int(0)!, eventID: r.string(1)!, type: r.string(2)!, partitionKey: r.string(3)!, sequence: r.int(4)!,
                        subscriber: r.string(5)!, status: r.string(6)!, attempts: r.int(7)!, lastError: r.string(8),
                        createdAt: Logger.timestamp(millis: r.int(9)!),
                        nextAttemptAt: r.string(6) == "pending" && (r.int(10) ?? 0) > 0 ? Logger.timestamp(millis: r.int(10)!) : nil)
        }
    }

    /// Counts of deliveries by status, and the oldest pending one's age per subscriber.
    package static func summary(_ db: Database, nowMillis: Int64 = wallClockMillis()) throws -> JSONObject {
        var counts: JSONObject = ["pending": 0, "dead": 0]
        for r in try db.query("SELECT status, count(*) FROM deliveries INDEXED BY deliveries_open WHERE status IN ('pending','dead') GROUP BY status") {
            counts[r.string(0)!] = .int(r.int(1)!)
        }
        var lag = JSONObject()
        let rows = try db.query("""
            SELECT d.subscriber, min(o.created_ms), count(*) FROM deliveries d JOIN outbox o ON o.seq = d.outbox_seq
            WHERE d.status IN ('pending','dead') AND d.status = 'pending' GROUP BY d.subscriber
            """)
        for r in rows {
            lag[r.string(0)!] = ["pending": .int(r.int(2)!), "oldest_pending_age_ms": .int(nowMillis - r.int(1)!)]
        }
        counts["subscribers"] = .object(lag)
        return counts
    }
}
