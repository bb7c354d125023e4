import LiaisonHost
import LiaisonStore

/// Sending a restored subscriber again what it lacks: its positions arrive page by page
/// (`relay_replay`), then the subscriber's cursors become those positions and its position in
/// the outbox goes back to the first event it has not applied.
extension RelayQueries {
    static func addReplayPositions(_ db: Database, subscriber: String, _ positions: [KeyPosition]) throws {
        for p in positions {
            try db.run(
                """
                INSERT INTO relay_replay(subscriber, partition_key, sequence) VALUES(?, ?, ?)
                ON CONFLICT(subscriber, partition_key) DO UPDATE SET sequence = excluded.sequence
                """,
                [subscriber, p.partitionKey, p.sequence]
            )
        }
    }

    /// Rewinds `subscriber` to the positions given: returns how many events will go again, and
    /// the keys whose events after the subscriber's position are no longer in the outbox (pruned,
    /// or lost when this producer was itself restored: it holds the record, not its events).
    /// `keyTaken` says whether the subscriber takes events of a key's kind (`delegation/…`).
    static func rewind(
        _ db: Database,
        subscriber: String,
        takes: (String) -> Bool,
        keyTaken: (String) -> Bool,
        now: Int64
    ) throws -> ReplayResult {
        var marks: [String: Int64] = [:]
        for r in try db.query("SELECT partition_key, sequence FROM relay_replay WHERE subscriber = ?", [subscriber]) {
            marks[try r["partition_key"]] = try r["sequence"]
        }
        var first: Int64?
        var count = 0
        var lowest: [String: Int64] = [:]
        for r in try db.query("SELECT seq, partition_key, key_seq, type FROM outbox ORDER BY seq") {
            let type: String = try r["type"]
            guard takes(type) else { continue }
            let key: String = try r["partition_key"], keySeq: Int64 = try r["key_seq"]
            lowest[key] = min(lowest[key] ?? keySeq, keySeq)
            if keySeq > marks[key] ?? 0 {
                count += 1
                if first == nil { first = try r["seq"] }
            }
        }
        var gaps: [String] = []
        for r in try db.query("SELECT partition_key, last_seq FROM outbox_keys ORDER BY partition_key") {
            let key: String = try r["partition_key"], last: Int64 = try r["last_seq"]
            let mark = marks[key] ?? 0
            guard last > mark, keyTaken(key) else { continue }
            let first = lowest[key] ?? last + 1
            if first > mark + 1 { gaps.append("\(key): events #\(mark + 1)–#\(first - 1) are no longer held") }
        }
        try db.run("DELETE FROM relay_cursor WHERE subscriber = ?", [subscriber])
        for (key, seq) in marks where seq > 0 {
            try db.run(
                "INSERT INTO relay_cursor(subscriber, partition_key, last_acked_seq) VALUES(?, ?, ?)",
                [subscriber, key, seq]
            )
        }
        if let first {
            try db.run("DELETE FROM relay_acks WHERE subscriber = ? AND seq >= ?", [subscriber, first])
            try db.run(
                "INSERT INTO relay_acks(subscriber, seq, at_ms) VALUES(?, ?, ?) "
                    + "ON CONFLICT(subscriber, seq) DO NOTHING",
                [subscriber, first - 1, now]
            )
            try db.run("DELETE FROM delivery_exceptions WHERE subscriber = ? AND outbox_seq >= ?", [subscriber, first])
        }
        try db.run("DELETE FROM relay_replay WHERE subscriber = ?", [subscriber])
        return ReplayResult(events: count, gaps: gaps)
    }
}
