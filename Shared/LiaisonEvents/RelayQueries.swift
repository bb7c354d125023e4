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

    /// A row of the relay's queries (`seq`, `partition_key`, `key_seq`, `id`, `attempts`).
    init(_ r: Row, listed: Bool) throws {
        (outboxSeq, key, keySeq) = (try r["seq"], try r["partition_key"], try r["key_seq"])
        (eventID, attempts, self.listed) = (try r["id"], try r["attempts"], listed)
    }
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
    /// Events of a version the subscriber does not read (and none it does can be made): set
    /// aside, with why, until it is upgraded. Their key waits behind them.
    var waitingUpgrade: [(row: RelayRow, why: String)] = []

    /// Whether settling this round writes anything even though nothing is sent.
    var movesWithoutSending: Bool { rows.isEmpty && (advanceTo != nil || !held.isEmpty || !waitingUpgrade.isEmpty) }
}

/// What the relay sends a subscriber of a stored event: the event (as stored, or turned into a
/// version the subscriber reads), or nothing until the subscriber is upgraded.
enum RelayForm {
    case send([UInt8])
    case waitUpgrade(String)
}

/// What `last_error` of a delivery held for a subscriber's upgrade starts with.
let upgradeNeededMark = "upgrade needed: "
/// …and of one held because the subscriber has this producer's sequence from another change
/// (the producer was restored behind it and has not recovered yet).
let producerBehindMark = "producer behind: "
/// …and of one held because the subscriber's disk is full.
let diskFullMark = "subscriber disk full: "

/// What became of one sent event.
enum RelayOutcome {
    case delivered
    case retry(attempts: Int, next: Int64, why: String)
    /// Dead with `attempts` as counted (nil: one more than before).
    case dead(attempts: Int?, why: String)
    /// Not tried: an earlier event of its key failed in the same call.
    case blocked
    /// The subscriber does not read it yet: held until it is upgraded, no attempt counted.
    case waitUpgrade(next: Int64, why: String)
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
        acked overlay: [String: Int64] = [:],
        form: (String, [UInt8]) throws -> RelayForm = { _, event in .send(event) }
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
        /// Events of these keys wait for the subscriber's upgrade in this round.
        var waitingKeys = Set<String>()
        /// Appends `stored` (as the subscriber reads it) when it fits; false when it does not.
        /// An event the subscriber cannot read yet is set aside instead (true).
        func add(_ row: RelayRow, type: String, _ stored: [UInt8]) throws -> Bool {
            let event: [UInt8]
            switch try form(type, stored) {
            case .send(let e): event = e
            case .waitUpgrade(let why):
                out.waitingUpgrade.append((row, why))
                waitingKeys.insert(row.key)
                return true
            }
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
                SELECT e.outbox_seq AS seq, e.partition_key, e.attempts, o.key_seq, o.id, o.type, o.event
                FROM delivery_exceptions e INDEXED BY delivery_exceptions_open JOIN outbox o ON o.seq = e.outbox_seq
                WHERE e.subscriber = ? AND e.status IN ('pending','dead') AND e.status = 'pending' ORDER BY \
                e.outbox_seq LIMIT ?
                """,
                [subscriber, limit]
            ) {
                let row = try RelayRow(r, listed: true)
                if stopped.contains(row.key) || waitingKeys.contains(row.key) { continue }
                if try !add(row, type: try r["type"], try r["event"]) {
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
            "SELECT seq, partition_key, key_seq, id, type, event, 0 AS attempts FROM outbox WHERE seq > ? "
                + "ORDER BY seq LIMIT ?",
            [position, room]
        ) {
            let row = try RelayRow(r, listed: false)
            let type: String = try r["type"]
            if !skippedAhead.contains(row.outboxSeq) && takes(type) {
                if openKeys.contains(row.key) || waitingKeys.contains(row.key) {
                    out.held.append(row)
                } else if try !add(row, type: type, try r["event"]) {
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
}
