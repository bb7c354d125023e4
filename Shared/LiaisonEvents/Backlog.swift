import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// What each subscriber has still to receive, read from its position and exception list: the
/// queue as `liaison queue` shows it, the counts in `service.health` and the metrics, and how
/// fast events were delivered.
enum Backlog {
    /// One subscriber's open deliveries.
    struct Counts {
        var pending: Int64 = 0
        var dead: Int64 = 0
        /// When the oldest pending event was committed.
        var oldestPendingMs: Int64?
    }

    /// The open deliveries of `subscriber`: listed pending and dead ones, and the events past its
    /// position of the types it takes.
    static func counts(_ db: Database, subscriber: String, subscriptions: Subscriptions) throws -> Counts {
        var c = Counts()
        for r in try db.query(
            """
            SELECT e.status, count(*) AS n, min(o.created_ms) AS oldest
            FROM delivery_exceptions e INDEXED BY delivery_exceptions_open JOIN outbox o ON o.seq = e.outbox_seq
            WHERE e.subscriber = ? AND e.status IN ('pending','dead') GROUP BY e.status
            """,
            [subscriber]
        ) {
            let status: String = try r["status"], n: Int64 = try r["n"]
            if status == DeliveryState.dead.rawValue {
                c.dead = n
            } else {
                c.pending += n
                c.oldestPendingMs = try r["oldest"]
            }
        }
        let position = try RelayQueries.position(db, subscriber)
        // Nothing past the position (the usual case): no more to count.
        guard (try db.queryOne("SELECT max(seq) AS s FROM outbox")?["s"] ?? 0) > position else { return c }
        for r in try db.query(
            "SELECT type, count(*) AS n, min(created_ms) AS oldest FROM outbox WHERE seq > ? GROUP BY type",
            [position]
        )
        where subscriptions.takes(subscriber, try r["type"]) {
            c.pending += try r["n"]
            let oldest: Int64 = try r["oldest"]
            c.oldestPendingMs = min(c.oldestPendingMs ?? oldest, oldest)
        }
        // Events past the position that an operator skipped before they were sent.
        c.pending -=
            try db.queryOne(
                "SELECT count(*) AS n FROM delivery_exceptions WHERE subscriber = ? AND outbox_seq > ?",
                [subscriber, position]
            )?["n"] ?? 0
        return c
    }

    /// Pending and dead deliveries over every subscriber, and each one's backlog.
    static func summary(
        _ db: Database,
        subscriptions: Subscriptions,
        nowMillis: Int64 = wallClockMillis()
    ) throws -> OutboxSummary {
        var s = OutboxSummary(pending: 0, dead: 0, subscribers: [:])
        for name in subscriptions.subscribers.keys.sorted() {
            let c = try counts(db, subscriber: name, subscriptions: subscriptions)
            s.pending += c.pending
            s.dead += c.dead
            if c.pending > 0 {
                s.subscribers[name] = OutboxSummary.Lag(
                    pending: c.pending,
                    oldestPendingAgeMs: nowMillis - (c.oldestPendingMs ?? nowMillis)
                )
            }
        }
        return s
    }

    /// Deliveries in `states` (oldest first), at most `limit`: listed ones as the list has them,
    /// the others (pending past a position, delivered before it) as the outbox and position say.
    static func deliveries(
        _ db: Database,
        states: [DeliveryState],
        subscriber: String?,
        limit: Int,
        subscriptions: Subscriptions
    ) throws -> [DeliveryRow] {
        let marks = states.map { _ in "?" }.joined(separator: ",")
        var args: [any SQLBindable] = states.map(\.rawValue)
        var sql = """
            SELECT e.outbox_seq, o.id AS event_id, o.type, e.partition_key, o.key_seq AS sequence, e.subscriber, \
            e.status, e.attempts,
                e.last_error, \(SQLExpression.timestamp("o.created_ms")) AS created_at,
                CASE WHEN e.status = 'pending' AND e.next_attempt_ms > 0 THEN \
                \(SQLExpression.timestamp("e.next_attempt_ms")) END AS
                    next_attempt_at
            FROM delivery_exceptions e JOIN outbox o ON o.seq = e.outbox_seq WHERE e.status IN (\(marks))
            """
        if let subscriber { sql += " AND e.subscriber = ?"; args.append(subscriber) }
        sql += " ORDER BY e.outbox_seq LIMIT ?"
        args.append(limit)
        var rows: [DeliveryRow] = try db.query(sql, args).map { try $0.decode() }
        let names = subscriber.map { [$0] } ?? subscriptions.subscribers.keys.sorted()
        for name in names {
            let position = try RelayQueries.position(db, name)
            if states.contains(.pending) {
                rows += try unlisted(
                    db,
                    name,
                    after: position,
                    through: nil,
                    status: .pending,
                    limit: limit,
                    subscriptions
                )
            }
            if states.contains(.delivered) {
                rows += try unlisted(
                    db,
                    name,
                    after: 0,
                    through: position,
                    status: .delivered,
                    limit: limit,
                    subscriptions
                )
            }
        }
        rows.sort { ($0.outboxSeq, $0.subscriber) < ($1.outboxSeq, $1.subscriber) }
        return Array(rows.prefix(limit))
    }

    /// Events in (`after`, `through`] that `subscriber` takes and has not listed, as deliveries in `status`.
    private static func unlisted(
        _ db: Database,
        _ subscriber: String,
        after: Int64,
        through: Int64?,
        status: DeliveryState,
        limit: Int,
        _ subscriptions: Subscriptions
    ) throws -> [DeliveryRow] {
        var out: [DeliveryRow] = []
        var from = after
        while out.count < limit {
            let page = try db.query(
                """
                SELECT seq, id, type, partition_key, key_seq, \(SQLExpression.timestamp("created_ms")) AS created_at \
                FROM outbox
                WHERE seq > ? AND seq <= ? AND NOT EXISTS (
                    SELECT 1 FROM delivery_exceptions e WHERE e.subscriber = ? AND e.outbox_seq = outbox.seq)
                ORDER BY seq LIMIT 500
                """,
                [from, through ?? Int64.max, subscriber]
            )
            for r in page where out.count < limit {
                let type: String = try r["type"]
                guard subscriptions.takes(subscriber, type) else { continue }
                out.append(
                    DeliveryRow(
                        outboxSeq: try r["seq"],
                        eventID: try r["id"],
                        type: type,
                        partitionKey: try r["partition_key"],
                        sequence: try r["key_seq"],
                        subscriber: subscriber,
                        status: status,
                        attempts: status == .delivered ? 1 : 0,
                        lastError: nil,
                        createdAt: try r["created_at"],
                        nextAttemptAt: nil
                    )
                )
            }
            guard page.count == 500, let last = page.last else { break }
            from = try last["seq"]
        }
        return out
    }

    /// How fast the events after `after` reached every subscriber that takes them: an event's
    /// time is its commit to the last subscriber's (the round that moved that subscriber's
    /// position past it, or its listed delivery).
    static func latency(_ db: Database, after: Int64, subscriptions: Subscriptions) throws -> LatencyResult {
        struct Mark {
            var position: Int64
            var acks: [(seq: Int64, at: Int64)]
            var listed: [Int64: (status: String, at: Int64?)]
        }
        var marks: [String: Mark] = [:]
        for name in subscriptions.subscribers.keys {
            let acks = try db.query(
                "SELECT seq, at_ms FROM relay_acks WHERE subscriber = ? AND seq > ? ORDER BY seq",
                [name, after]
            )
            .map { (seq: try $0["seq"] as Int64, at: try $0["at_ms"] as Int64) }
            var listed: [Int64: (status: String, at: Int64?)] = [:]
            for r in try db.query(
                "SELECT outbox_seq, status, delivered_ms FROM delivery_exceptions WHERE subscriber = ? AND outbox_seq "
                    + "> ?",
                [name, after]
            ) {
                listed[try r["outbox_seq"]] = (try r["status"], try r["delivered_ms"])
            }
            marks[name] = Mark(position: try RelayQueries.position(db, name), acks: acks, listed: listed)
        }
        var h = LatencyHistogram()
        var events: Int64 = 0, pending: Int64 = 0
        var first: Int64 = .max, last: Int64 = 0
        for r in try db.query("SELECT seq, type, created_ms FROM outbox WHERE seq > ? ORDER BY seq", [after]) {
            let seq: Int64 = try r["seq"], type: String = try r["type"], created: Int64 = try r["created_ms"]
            var done = created, open = false, taken = false
            for (name, m) in marks where subscriptions.takes(name, type) {
                taken = true
                if let l = m.listed[seq] {
                    if l.status == DeliveryState.delivered.rawValue, let at = l.at {
                        done = max(done, at)
                    } else {
                        open = true
                    }
                } else if seq <= m.position, let at = firstAck(m.acks, atOrAfter: seq) {
                    done = max(done, at)
                } else {
                    open = true
                }
            }
            guard taken else { continue }
            events += 1
            if open { pending += 1; continue }
            first = min(first, created)
            last = max(last, done)
            h.record(micros: UInt64(max(done - created, 0)) * 1000)
        }
        return LatencyResult(
            events: events,
            undelivered: pending,
            lastSeq: try OutboxOps.lastSeq(db),
            firstCreatedMs: first == .max ? nil : first,
            lastDeliveredMs: last == 0 ? nil : last,
            p50Ms: h.milliseconds(0.5),
            p99Ms: h.milliseconds(0.99),
            maxMs: Double(h.maxMicros) / 1000
        )
    }

    /// When the first mark at or past `seq` was made (marks sorted by seq).
    private static func firstAck(_ acks: [(seq: Int64, at: Int64)], atOrAfter seq: Int64) -> Int64? {
        var lo = 0, hi = acks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if acks[mid].seq < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo < acks.count ? acks[lo].at : nil
    }
}
