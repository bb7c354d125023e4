import LiaisonStore
import LiaisonHost
import LiaisonJSON
import LiaisonWire

/// An event the relay sends: one past the subscriber's position (new), or one on its exception
/// list (retried, redriven, or held behind an earlier event of its key).
struct RelayRow {
    var outboxSeq: Int64
    var key: String
    var keySeq: Int64
    var eventID: String
    var attempts: Int64
    /// On the exception list (else new: past the position).
    var listed: Bool
}

/// One round of a subscriber's relay: what one `events.deliver` call carries, the new events
/// set aside behind an open exception of their key, and how far the position moves.
struct RelayBatch {
    var rows: [RelayRow] = []
    /// The `events` array, as JSON bytes, with `prevsequence` spliced into each event.
    var payload: [UInt8] = []
    /// New events whose key has an open exception: they join the list behind it, in order.
    var held: [RelayRow] = []
    /// The position after this round: every event up to it is sent, held, listed, or not one
    /// the subscriber takes. Nil: unchanged.
    var advanceTo: Int64?
    /// When the next delivery held for a retry is due.
    var nextDueMs: Int64?
    /// Whether an event too large for the subscriber was dead-lettered instead of sent.
    var deadLettered = false

    /// Whether settling this round writes anything even though nothing is sent.
    var movesWithoutSending: Bool { rows.isEmpty && (advanceTo != nil || !held.isEmpty) }
}

/// What became of one sent event.
enum RelayOutcome {
    case delivered
    case retry(attempts: Int, next: Int64, why: String)
    /// Dead with `attempts` as counted (nil: one more than before).
    case dead(attempts: Int?, why: String)
    /// Not tried: an earlier event of its key failed in the same call.
    case blocked
}

/// The relay's statements over the outbox (DESIGN §3): each subscriber has a position in the
/// outbox (`relay_acks`: one row per round that moved it, with the time, which is also how
/// latency is measured) and an exception list (`delivery_exceptions`) of the events that did
/// not go through on the first try. A delivered event costs no row of its own.
enum RelayQueries {
    /// How far `subscriber` has got: every event up to it is delivered or on its exception list
    /// (0 before its first delivery: it starts at the oldest event the outbox holds).
    static func position(_ db: Database, _ subscriber: String) throws -> Int64 {
        try db.queryOne("SELECT max(seq) AS s FROM relay_acks WHERE subscriber = ?", [subscriber])?["s"] ?? 0
    }

    /// The next batch for `subscriber`: due listed events first (oldest first, skipping keys
    /// held by a dead one or one waiting for its retry), then new events of the types it takes,
    /// each key's events in order. Returns, instead of a batch to send, the event that cannot
    /// fit a frame of `maxBytes` when it would lead the batch.
    /// `position` and `acked`, when given, are the relay's own, ahead of the database.
    static func collect(
        _ db: Database,
        subscriber: String,
        takes: (String) -> Bool,
        now: Int64,
        maxBytes: Int,
        limit: Int,
        position known: Int64? = nil,
        acked overlay: [String: Int64] = [:]
    ) throws -> (RelayBatch, RelayRow?) {
        var out = RelayBatch()
        let openKeys = Set<String>(
            try db.query(
                """
                SELECT DISTINCT partition_key FROM delivery_exceptions INDEXED BY delivery_exceptions_open
                WHERE subscriber = ? AND status IN ('pending','dead')
                """,
                [subscriber]
            ).map { try $0["partition_key"] }
        )
        var w = JSONWriter(capacity: 64 * 1024)
        w.raw("[")
        var cursor: [String: Int64] = [:]
        var looked = Set<String>()
        /// Appends `event` when it fits; false when it does not.
        func add(_ row: RelayRow, _ event: [UInt8]) throws -> Bool {
            if w.bytes.count + event.count + 64 > maxBytes { return false }
            if looked.insert(row.key).inserted,
                let acked = try overlay[row.key] ?? acked(db, subscriber: subscriber, key: row.key)
            {
                cursor[row.key] = acked
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
            return true
        }
        if !openKeys.isEmpty {
            let blocked = Set<String>(
                try db.query(
                    """
                    SELECT DISTINCT partition_key FROM delivery_exceptions INDEXED BY delivery_exceptions_open
                    WHERE subscriber = ? AND status IN ('pending','dead') AND (status = 'dead' OR next_attempt_ms > ?)
                    """,
                    [subscriber, now]
                ).map { try $0["partition_key"] }
            )
            out.nextDueMs = try db.queryOne(
                """
                SELECT min(next_attempt_ms) AS due FROM delivery_exceptions INDEXED BY delivery_exceptions_open
                WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'pending' AND next_attempt_ms > ?
                """,
                [subscriber, now]
            )?["due"]
            var stopped = blocked
            for r in try db.query(
                """
                SELECT e.outbox_seq, e.partition_key, e.attempts, o.key_seq, o.id, o.event
                FROM delivery_exceptions e INDEXED BY delivery_exceptions_open JOIN outbox o ON o.seq = e.outbox_seq
                WHERE e.subscriber = ? AND e.status IN ('pending','dead') AND e.status = 'pending' ORDER BY \
                e.outbox_seq LIMIT ?
                """,
                [subscriber, limit]
            ) {
                let row = RelayRow(
                    outboxSeq: try r["outbox_seq"],
                    key: try r["partition_key"],
                    keySeq: try r["key_seq"],
                    eventID: try r["id"],
                    attempts: try r["attempts"],
                    listed: true
                )
                if stopped.contains(row.key) { continue }
                if try !add(row, try r["event"]) {
                    if out.rows.isEmpty { return (out, row) }
                    stopped.insert(row.key)  // this key continues in the next batch; keep its order
                }
            }
        }
        let room = limit - out.rows.count
        guard room > 0 else { return finish(&out, &w) }
        let position = try known ?? position(db, subscriber)
        // Events past the position an operator already skipped.
        let skippedAhead = Set<Int64>(
            try db.query(
                "SELECT outbox_seq FROM delivery_exceptions WHERE subscriber = ? AND outbox_seq > ?",
                [subscriber, position]
            )
            .map { try $0["outbox_seq"] }
        )
        for r in try db.query(
            "SELECT seq, partition_key, key_seq, id, type, event FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
            [position, room]
        ) {
            let row = RelayRow(
                outboxSeq: try r["seq"],
                key: try r["partition_key"],
                keySeq: try r["key_seq"],
                eventID: try r["id"],
                attempts: 0,
                listed: false
            )
            let type: String = try r["type"]
            if !skippedAhead.contains(row.outboxSeq) && takes(type) {
                if openKeys.contains(row.key) {
                    out.held.append(row)
                } else if try !add(row, try r["event"]) {
                    if out.rows.isEmpty {
                        out.advanceTo = row.outboxSeq
                        return (out, row)
                    }
                    break  // the position stops before it: it leads the next batch
                }
            }
            out.advanceTo = row.outboxSeq
        }
        return finish(&out, &w)
    }

    private static func finish(_ out: inout RelayBatch, _ w: inout JSONWriter) -> (RelayBatch, RelayRow?) {
        w.raw("]")
        out.payload = w.bytes
        return (out, nil)
    }

    /// The last sequence of `key` that `subscriber` acknowledged.
    static func acked(_ db: Database, subscriber: String, key: String) throws -> Int64? {
        try db.queryOne(
            "SELECT last_acked_seq FROM relay_cursor WHERE subscriber = ? AND partition_key = ?",
            [subscriber, key]
        )?[
            "last_acked_seq"
        ]
    }

    /// Writes what became of a round, in the caller's transaction: listed events updated, new
    /// ones that did not go through (and those held) put on the list, each key's last
    /// acknowledged sequence, and the new position.
    static func settle(
        _ db: Database,
        subscriber: String,
        batch: RelayBatch,
        outcomes: [RelayOutcome],
        now: Int64
    ) throws {
        var ackedKeys: [String: Int64] = [:]
        for (row, outcome) in zip(batch.rows, outcomes) {
            switch outcome {
            case .delivered:
                ackedKeys[row.key] = max(ackedKeys[row.key] ?? 0, row.keySeq)
                if row.listed {
                    try db.run(
                        """
                        UPDATE delivery_exceptions SET status = 'delivered', attempts = attempts + 1, last_error = \
                        NULL, updated_ms = ?,
                            delivered_ms = ?
                        WHERE subscriber = ? AND outbox_seq = ?
                        """,
                        [now, now, subscriber, row.outboxSeq]
                    )
                }
            case .retry(let attempts, let next, let why):
                if row.listed {
                    try db.run(
                        """
                        UPDATE delivery_exceptions SET attempts = ?, next_attempt_ms = ?, last_error = ?, updated_ms = ?
                        WHERE subscriber = ? AND outbox_seq = ?
                        """,
                        [attempts, next, why, now, subscriber, row.outboxSeq]
                    )
                } else {
                    try list(db, subscriber, row, status: .pending, attempts: attempts, next: next, why: why, now: now)
                }
            case .dead(let attempts, let why):
                if row.listed {
                    try db.run(
                        """
                        UPDATE delivery_exceptions SET status = 'dead', attempts = coalesce(?, attempts + 1), \
                        last_error = ?, updated_ms = ?
                        WHERE subscriber = ? AND outbox_seq = ?
                        """,
                        [attempts, why, now, subscriber, row.outboxSeq]
                    )
                } else {
                    try list(db, subscriber, row, status: .dead, attempts: attempts ?? 1, next: 0, why: why, now: now)
                }
            case .blocked:
                if !row.listed {
                    try list(db, subscriber, row, status: .pending, attempts: 0, next: 0, why: nil, now: now)
                }
            }
        }
        for row in batch.held {
            try list(db, subscriber, row, status: .pending, attempts: 0, next: 0, why: nil, now: now)
        }
        for (key, seq) in ackedKeys {
            try db.run(
                """
                INSERT INTO relay_cursor(subscriber, partition_key, last_acked_seq) VALUES(?, ?, ?)
                ON CONFLICT(subscriber, partition_key) DO UPDATE SET last_acked_seq = max(last_acked_seq, \
                excluded.last_acked_seq)
                """,
                [subscriber, key, seq]
            )
        }
        if let to = batch.advanceTo {
            try db.run(
                "INSERT INTO relay_acks(subscriber, seq, at_ms) VALUES(?, ?, ?) ON CONFLICT(subscriber, seq) DO "
                    + "NOTHING",
                [subscriber, to, now]
            )
        }
    }

    private static func list(
        _ db: Database,
        _ subscriber: String,
        _ row: RelayRow,
        status: DeliveryState,
        attempts: Int,
        next: Int64,
        why: String?,
        now: Int64
    ) throws {
        try db.run(
            """
            INSERT INTO delivery_exceptions(
                subscriber, outbox_seq, partition_key, status, attempts, next_attempt_ms, last_error, updated_ms)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [subscriber, row.outboxSeq, row.key, status.rawValue, attempts, next, why, now]
        )
    }

    /// Deletes outbox rows created before `cutoff` that every one of `subscribers` has passed
    /// and none holds open, with the finished exceptions and old position marks that refer to
    /// them; returns how many events went.
    static func prune(_ db: Database, before cutoff: Int64, subscribers: [String]) throws -> Int {
        var floor: Int64 = try db.queryOne("SELECT max(seq) AS s FROM outbox")?["s"] ?? 0
        for s in subscribers { floor = min(floor, try position(db, s)) }
        let n = try db.run(
            """
            DELETE FROM outbox WHERE seq IN (
                SELECT o.seq FROM outbox o WHERE o.created_ms < ? AND o.seq <= ? AND NOT EXISTS (
                    SELECT 1 FROM delivery_exceptions e WHERE e.outbox_seq = o.seq AND e.status IN ('pending', 'dead'))
                LIMIT 10000)
            """,
            [cutoff, floor]
        )
        guard n > 0 else { return 0 }
        try db.run(
            """
            DELETE FROM delivery_exceptions WHERE status IN ('delivered', 'skipped') AND NOT EXISTS (
                SELECT 1 FROM outbox o WHERE o.seq = delivery_exceptions.outbox_seq)
            """
        )
        // Each subscriber's latest mark is its position: it stays.
        try db.run(
            """
            DELETE FROM relay_acks WHERE at_ms < ? AND seq < (
                SELECT max(a.seq) FROM relay_acks a WHERE a.subscriber = relay_acks.subscriber)
            """,
            [cutoff]
        )
        return n
    }
}
