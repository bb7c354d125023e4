import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonWire

extension CommitTopic {
    /// A commit appended events to the outbox (the relay wakes for it).
    package static let outbox = CommitTopic("outbox")
}

/// The transactional outbox (DESIGN §3): an event and one delivery row per subscriber, written in
/// the same transaction as the change that caused it.
package enum Outbox {
    /// The outbox's tables, migrated as the `outbox` component of a producer's database.
    package static let migrations: [Database.Migration] = [
        .init(
            1,
            """
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
            """)
    ]

    /// Appends an event whose `data` is already encoded (`dataJSON`, one JSON value) for
    /// `subscribers`, inside the caller's transaction, so that a producer can do that work
    /// before its write transaction; returns the event's id and per-key sequence. Events of one
    /// `partitionKey` (by default the subject) are delivered in order.
    @discardableResult
    package static func append(
        _ db: Database, source: String, type: EventType, subject: String, partitionKey: String? = nil, dataJSON: [UInt8],
        subscribers: [String], nowMillis: Int64 = wallClockMillis()
    ) throws -> (id: String, sequence: Int64) {
        precondition(db.inTransaction, "outbox rows are written in the change's own transaction")
        let key = partitionKey ?? subject
        let last: Int64 = try db.queryOne("SELECT last_seq FROM outbox_keys WHERE partition_key = ?", [key])?["last_seq"] ?? 0
        let keySeq = last + 1
        try db.run(
            """
            INSERT INTO outbox_keys(partition_key, last_seq) VALUES(?, ?) ON CONFLICT(partition_key) DO UPDATE SET last_seq =
                excluded.last_seq
            """, [key, keySeq])
        let id = IDs.make("evt")
        let event = CloudEvent.json(
            id: id, source: source, type: type.rawValue, subject: subject, time: Timestamp.rfc3339(millis: nowMillis),
            partitionkey: key, sequence: keySeq, dataJSON: dataJSON)
        try db.run(
            "INSERT INTO outbox(id, type, partition_key, key_seq, created_ms, event) VALUES(?, ?, ?, ?, ?, ?)",
            [id, type.rawValue, key, keySeq, nowMillis, event])
        let seq = db.lastInsertRowID
        for s in subscribers {
            try db.run(
                "INSERT INTO deliveries(outbox_seq, subscriber, partition_key, updated_ms) VALUES(?, ?, ?, ?)", [seq, s, key, nowMillis])
        }
        if !subscribers.isEmpty { db.announce(.outbox) }
        return (id, keySeq)
    }

    /// A delivery as `liaison queue` shows it.
    package struct DeliveryRow: Codable, Sendable, Schematic {
        package var outboxSeq: Int64
        package var eventID, type, partitionKey: String
        package var sequence: Int64
        package var subscriber: String
        package var status: DeliveryState
        package var attempts: Int64
        package var lastError: String?
        package var createdAt: String
        package var nextAttemptAt: String?

        enum CodingKeys: String, CodingKey {
            case outboxSeq = "outbox_seq", eventID = "event_id", type, partitionKey = "partition_key", sequence, subscriber, status,
                attempts
            case lastError = "last_error", createdAt = "created_at", nextAttemptAt = "next_attempt_at"
        }

        package static var schema: Schema {
            .object([
                .req("outbox_seq", .integer()), .req("event_id", .string()), .req("type", .string()), .req("partition_key", .string()),
                .req("sequence", .integer()), .req("subscriber", .string()),
                .req("status", .string(values: DeliveryState.allCases.map(\.rawValue))), .req("attempts", .integer()),
                .opt("last_error", .string()), .req("created_at", .string(format: "date-time")),
                .opt("next_attempt_at", .string(format: "date-time")),
            ])
        }
    }

    /// Deliveries in `states` (oldest first), at most `limit`.
    package static func deliveries(_ db: Database, states: [DeliveryState], subscriber: String? = nil, limit: Int) throws -> [DeliveryRow] {
        let marks = states.map { _ in "?" }.joined(separator: ",")
        var args: [any SQLBindable] = states.map(\.rawValue)
        var sql = """
            SELECT d.outbox_seq, o.id AS event_id, o.type, d.partition_key, o.key_seq AS sequence, d.subscriber, d.status, d.attempts,
                d.last_error, \(SQLExpression.timestamp("o.created_ms")) AS created_at,
                CASE WHEN d.status = 'pending' AND d.next_attempt_ms > 0 THEN \(SQLExpression.timestamp("d.next_attempt_ms")) END AS
                    next_attempt_at
            FROM deliveries d JOIN outbox o ON o.seq = d.outbox_seq WHERE d.status IN (\(marks))
            """
        if let subscriber { sql += " AND d.subscriber = ?"; args.append(subscriber) }
        sql += " ORDER BY d.outbox_seq LIMIT ?"
        args.append(limit)
        return try db.query(sql, args).map { try $0.decode() }
    }

    /// Pending and dead deliveries, and each subscriber's backlog.
    package struct Summary: Codable, Sendable, Schematic {
        /// One subscriber's backlog.
        package struct Lag: Codable, Sendable {
            package var pending, oldestPendingAgeMs: Int64
            enum CodingKeys: String, CodingKey { case pending, oldestPendingAgeMs = "oldest_pending_age_ms" }
        }
        package var pending, dead: Int64
        package var subscribers: [String: Lag]

        package static var schema: Schema {
            .object([
                .req("pending", .integer()), .req("dead", .integer()),
                .req(
                    "subscribers", .map(.object([.req("pending", .integer()), .req("oldest_pending_age_ms", .integer())])),
                    "Per subscriber with pending deliveries."),
            ])
        }
    }

    /// Counts of open deliveries by state, and the oldest pending one's age per subscriber.
    package static func summary(_ db: Database, nowMillis: Int64 = wallClockMillis()) throws -> Summary {
        var s = Summary(pending: 0, dead: 0, subscribers: [:])
        for r in try db.query(
            """
            SELECT status, count(*) AS n FROM deliveries INDEXED BY deliveries_open WHERE status IN ('pending','dead') GROUP BY status
            """)
        {
            let status: String = try r["status"], n: Int64 = try r["n"]
            if status == DeliveryState.dead.rawValue { s.dead = n } else { s.pending = n }
        }
        let rows = try db.query(
            """
            SELECT d.subscriber, min(o.created_ms) AS oldest, count(*) AS n FROM deliveries d JOIN outbox o ON o.seq = d.outbox_seq
            WHERE d.status IN ('pending','dead') AND d.status = 'pending' GROUP BY d.subscriber
            """)
        for r in rows {
            let oldest: Int64 = try r["oldest"]
            s.subscribers[try r["subscriber"]] = Summary.Lag(pending: try r["n"], oldestPendingAgeMs: nowMillis - oldest)
        }
        return s
    }
}
