import LiaisonStore
import LiaisonHost
import LiaisonJSON
import LiaisonWire

/// What a round leaves behind: each event's outcome written, the list kept, the position moved,
/// and old rows pruned.
extension RelayQueries {
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
            case .waitUpgrade(let next, let why):
                try waitUpgrade(db, subscriber, row, next: next, why: why, now: now)
            }
        }
        for (row, why) in batch.waitingUpgrade {
            try waitUpgrade(db, subscriber, row, next: now + upgradeRecheckMs, why: why, now: now)
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

    /// How long an event held for a subscriber's upgrade waits before it is looked at again
    /// (sooner when the relay connects to the subscriber anew: `recheckUpgrades`).
    static let upgradeRecheckMs: Int64 = 60_000
    /// …and one held because the subscriber's disk is full.
    static let diskFullRecheckMs: Int64 = 5_000

    /// Holds `row` for `subscriber`'s upgrade: pending, due at `next`, its attempts unchanged.
    private static func waitUpgrade(
        _ db: Database,
        _ subscriber: String,
        _ row: RelayRow,
        next: Int64,
        why: String,
        now: Int64
    ) throws {
        let marks = [upgradeNeededMark, producerBehindMark, diskFullMark]
        let text = marks.contains { why.hasPrefix($0) } ? why : upgradeNeededMark + why
        if row.listed {
            try db.run(
                """
                UPDATE delivery_exceptions SET next_attempt_ms = ?, last_error = ?, updated_ms = ?
                WHERE subscriber = ? AND outbox_seq = ?
                """,
                [next, text, now, subscriber, row.outboxSeq]
            )
        } else {
            try list(
                db,
                subscriber,
                row,
                status: .pending,
                attempts: Int(row.attempts),
                next: next,
                why: text,
                now: now
            )
        }
    }

    /// Makes the deliveries held for `subscriber`'s upgrade due now (it was connected to anew,
    /// perhaps as a newer release); returns how many.
    @discardableResult
    static func recheckUpgrades(_ db: Database, subscriber: String, now: Int64) throws -> Int {
        try db.run(
            """
            UPDATE delivery_exceptions SET next_attempt_ms = ?
            WHERE subscriber = ? AND status = 'pending' AND next_attempt_ms > ?
                AND (last_error LIKE ? OR last_error LIKE ?)
            """,
            [now, subscriber, now, upgradeNeededMark + "%", producerBehindMark + "%"]
        )
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
