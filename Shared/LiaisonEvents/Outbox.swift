import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

extension CommitTopic {
    /// A commit appended events to the outbox (the relay wakes for it).
    package static let outbox = CommitTopic("outbox")
}

/// The transactional outbox (DESIGN §3): an event, written in the same transaction as the change
/// that caused it. Each subscriber's relay keeps a position in it and a list of the events that
/// did not go through on the first try (retries, dead letters, skips); see `RelayQueries`.
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
            CREATE INDEX deliveries_open ON deliveries(subscriber, status, outbox_seq) WHERE status IN \
            ('pending','dead');
            CREATE TABLE relay_cursor(
                subscriber TEXT NOT NULL, partition_key TEXT NOT NULL, last_acked_seq INTEGER NOT NULL,
                PRIMARY KEY(subscriber, partition_key));
            CREATE TABLE outbox_audit(
                id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, uid INTEGER, action TEXT NOT NULL,
                subscriber TEXT, outbox_seq INTEGER, detail TEXT);
            """
        ),
        // Deliveries by position: no row per event and subscriber any more. What was open (or
        // skipped) moves to the exception list; each subscriber's position is the newest event.
        .init(
            2,
            """
            CREATE TABLE relay_acks(subscriber TEXT NOT NULL, seq INTEGER NOT NULL, at_ms INTEGER NOT NULL, PRIMARY \
            KEY(subscriber, seq))
                WITHOUT ROWID;
            CREATE TABLE delivery_exceptions(
                subscriber TEXT NOT NULL,
                outbox_seq INTEGER NOT NULL,
                partition_key TEXT NOT NULL,
                status TEXT NOT NULL CHECK(status IN ('pending','delivered','dead','skipped')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                updated_ms INTEGER NOT NULL,
                delivered_ms INTEGER,
                PRIMARY KEY(subscriber, outbox_seq)) WITHOUT ROWID;
            CREATE INDEX delivery_exceptions_open ON delivery_exceptions(subscriber, outbox_seq) WHERE status IN \
            ('pending','dead');
            CREATE INDEX delivery_exceptions_seq ON delivery_exceptions(outbox_seq);
            INSERT INTO delivery_exceptions(subscriber, outbox_seq, partition_key, status, attempts, next_attempt_ms, \
            last_error,
                updated_ms, delivered_ms)
                SELECT subscriber, outbox_seq, partition_key, status, attempts, next_attempt_ms, last_error, \
                updated_ms, delivered_ms
                FROM deliveries WHERE status IN ('pending','dead','skipped');
            INSERT INTO relay_acks(subscriber, seq, at_ms)
                SELECT subscriber, (SELECT coalesce(max(seq), 0) FROM outbox), coalesce(max(delivered_ms), \
                max(updated_ms))
                FROM deliveries GROUP BY subscriber;
            DROP TABLE deliveries;
            """
        ),
        // A restored subscriber's positions, page by page, until events.replay is done.
        .init(
            3,
            """
            CREATE TABLE relay_replay(subscriber TEXT NOT NULL, partition_key TEXT NOT NULL, sequence INTEGER NOT NULL,
                PRIMARY KEY(subscriber, partition_key)) WITHOUT ROWID;
            """
        ),
        // A purge rewrites its key's events still held: with eight days of them kept, finding
        // them by a scan of the whole outbox made each purge read it (16 purges/s on a
        // 100,000-visit home).
        .init(4, "CREATE INDEX outbox_by_key ON outbox(partition_key, seq);"),
    ]

    /// Appends an event whose `data` is already encoded (`dataJSON`, one JSON value), inside the
    /// caller's transaction, so that a producer can do that work before its write transaction;
    /// returns the event's id and per-key sequence. Events of one `partitionKey` (by default the
    /// subject) are delivered in order. `subscribers` (those that take the type) are woken when
    /// it commits.
    @discardableResult
    package static func append(
        _ db: Database,
        source: String,
        type: EventType,
        subject: String,
        partitionKey: String? = nil,
        dataJSON: [UInt8],
        subscribers: [String],
        dataVersion: Int? = nil,
        nowMillis: Int64 = wallClockMillis()
    ) throws -> (id: String, sequence: Int64) {
        precondition(db.inTransaction, "outbox rows are written in the change's own transaction")
        let key = partitionKey ?? subject
        // The key's next sequence, counted and read back in one statement.
        guard
            let keySeq: Int64 = try db.queryOne(
                """
                INSERT INTO outbox_keys(partition_key, last_seq) VALUES(?, 1) ON CONFLICT(partition_key) DO UPDATE SET \
                last_seq =
                    last_seq + 1 RETURNING last_seq
                """,
                [key]
            )?["last_seq"]
        else { throw StoreError(code: 2 /* SQLITE_INTERNAL */, message: "outbox_keys gave no sequence for \(key)") }
        // When it entered the outbox (latency counts from here), not the change's own time,
        // which was taken before the change waited for its turn to write.
        let entered = wallClockMillis()
        let id = IDs.ordered("evt", millis: entered)
        let event = CloudEvent.json(
            id: id,
            source: source,
            type: type.rawValue,
            subject: subject,
            time: Timestamp.rfc3339(millis: nowMillis),
            partitionkey: key,
            sequence: keySeq,
            dataversion: dataVersion ?? type.dataVersion,
            incarnation: db.lineage?.text,
            dataJSON: dataJSON
        )
        try db.run(
            "INSERT INTO outbox(id, type, partition_key, key_seq, created_ms, event) VALUES(?, ?, ?, ?, ?, ?)",
            [id, type.rawValue, key, keySeq, entered, event]
        )
        if !subscribers.isEmpty { db.announce(.outbox) }
        return (id, keySeq)
    }

    /// Replaces the data of every event of `partitionKey` still held in the outbox, in the
    /// caller's transaction (a purge: what is sent again, or redriven, carries no personal data).
    /// Their ids, sequences and delivery state stay.
    package static func rewrite(_ db: Database, partitionKey: String, dataJSON: [UInt8]) throws {
        precondition(db.inTransaction, "outbox rows are rewritten in the change's own transaction")
        let data = try JSONParser.parse(dataJSON)
        for row in try db.query("SELECT seq, event FROM outbox WHERE partition_key = ?", [partitionKey]) {
            guard case .object(var e) = try JSONParser.parse(try row["event"] as [UInt8]) else { continue }
            e["data"] = data
            try db.run(
                "UPDATE outbox SET event = ? WHERE seq = ?",
                [JSONWriter.string(.object(e)), try row["seq"] as Int64]
            )
        }
    }

    /// Raises `key`'s last sequence to `sequence` (a restored producer continuing after what its
    /// subscribers have seen); true when it was lower.
    package static func raiseSequence(_ db: Database, key: String, to sequence: Int64) throws -> Bool {
        let last: Int64 =
            try db.queryOne("SELECT last_seq FROM outbox_keys WHERE partition_key = ?", [key])?["last_seq"] ?? 0
        guard last < sequence else { return false }
        try db.run(
            """
            INSERT INTO outbox_keys(partition_key, last_seq) VALUES(?, ?)
            ON CONFLICT(partition_key) DO UPDATE SET last_seq = excluded.last_seq
            """,
            [key, sequence]
        )
        return true
    }
}
