import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// Operators' statements over a producer's outbox: redrive, skip, the audit trail, and what was
/// produced and how fast it was delivered.
enum OutboxOps {
    /// Makes dead deliveries pending again (one, or every dead one); returns how many.
    static func redrive(_ db: Database, outboxSeq: Int64?, subscriber: String?, uid: UInt32, now: Int64 = wallClockMillis()) throws -> Int {
        var sql =
            "UPDATE delivery_exceptions SET status = 'pending', attempts = 0, next_attempt_ms = 0, updated_ms = ? WHERE status = 'dead'"
        var args: [any SQLBindable] = [now]
        if let outboxSeq { sql += " AND outbox_seq = ?"; args.append(outboxSeq) }
        if let subscriber { sql += " AND subscriber = ?"; args.append(subscriber) }
        let n = try db.run(sql, args)
        if n > 0 {
            try audit(
                db, uid: uid, action: "redrive", subscriber: subscriber, outboxSeq: outboxSeq,
                detail: outboxSeq == nil ? "all dead (\(n))" : "\(n) delivery(ies)", now: now)
        }
        return n
    }

    /// Gives up on one pending or dead delivery (listed, or not yet sent); false when there is none.
    static func skip(
        _ db: Database, outboxSeq: Int64, subscriber: String, reason: String, uid: UInt32, subscriptions: Subscriptions,
        sent: Int64 = 0, now: Int64 = wallClockMillis()
    ) throws -> Bool {
        var n = try db.run(
            """
            UPDATE delivery_exceptions SET status = 'skipped', updated_ms = ? WHERE outbox_seq = ? AND subscriber = ? AND status IN (
                'pending', 'dead')
            """, [now, outboxSeq, subscriber])
        // Not listed: an event past the position (and past what the relay has sent but not yet
        // recorded) is skipped before it is sent.
        if n == 0, outboxSeq > max(try RelayQueries.position(db, subscriber), sent),
            let key: String = try db.queryOne("SELECT partition_key FROM outbox WHERE seq = ?", [outboxSeq])?["partition_key"],
            let type: String = try db.queryOne("SELECT type FROM outbox WHERE seq = ?", [outboxSeq])?["type"],
            subscriptions.takes(subscriber, type)
        {
            n = try db.run(
                """
                INSERT INTO delivery_exceptions(subscriber, outbox_seq, partition_key, status, updated_ms) VALUES(?, ?, ?, 'skipped', ?)
                ON CONFLICT(subscriber, outbox_seq) DO NOTHING
                """, [subscriber, outboxSeq, key, now])
        }
        guard n == 1 else { return false }
        try audit(db, uid: uid, action: "skip", subscriber: subscriber, outboxSeq: outboxSeq, detail: reason, now: now)
        return true
    }

    static func audit(
        _ db: Database, uid: UInt32, action: String, subscriber: String?, outboxSeq: Int64?, detail: String, now: Int64
    ) throws {
        try db.run(
            "INSERT INTO outbox_audit(at_ms, uid, action, subscriber, outbox_seq, detail) VALUES(?,?,?,?,?,?)",
            [now, Int64(uid), action, subscriber, outboxSeq, detail])
    }

    /// The audit trail, newest first.
    static func audit(_ db: Database, limit: Int) throws -> [AuditEntry] {
        try db.query(
            """
            SELECT \(SQLExpression.timestamp("at_ms")) AS at, coalesce(uid, -1) AS uid, action, subscriber, outbox_seq, coalesce(detail,
                '') AS detail
            FROM outbox_audit ORDER BY id DESC LIMIT ?
            """, [limit]
        ).map { try $0.decode() }
    }

    /// Produced events after `after`, oldest first.
    static func events(_ db: Database, after: Int64, limit: Int) throws -> [ProducedEvent] {
        try db.query(
            "SELECT seq, id, type, partition_key, key_seq AS sequence FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", [after, limit]
        )
        .map { try $0.decode() }
    }

    /// The newest event's outbox sequence.
    static func lastSeq(_ db: Database) throws -> Int64 { try db.queryOne("SELECT max(seq) AS s FROM outbox")?["s"] ?? 0 }
}

/// One operator action on the outbox.
struct AuditEntry: Codable, Sendable {
    var at: String
    var uid: Int64
    var action: String
    var subscriber: String?
    var outboxSeq: Int64?
    var detail: String
    enum CodingKeys: String, CodingKey { case at, uid, action, subscriber, outboxSeq = "outbox_seq", detail }

    static var schema: Schema {
        .object([
            .req("at", .string(format: "date-time")), .req("uid", .integer()), .req("action", .string(values: ["redrive", "skip"])),
            .opt("subscriber", .string()), .opt("outbox_seq", .integer()), .req("detail", .string()),
        ])
    }
}

struct AuditResult: Encodable, Sendable, Schematic {
    var items: [AuditEntry]
    static var schema: Schema { .object([.req("items", .array(AuditEntry.schema))]) }
}

/// An event as the outbox holds it.
struct ProducedEvent: Codable, Sendable {
    var seq: Int64
    var id, type, partitionKey: String
    var sequence: Int64
    enum CodingKeys: String, CodingKey { case seq, id, type, partitionKey = "partition_key", sequence }
}

extension ProducedEvent: Schematic {
    static var schema: Schema {
        .object([
            .req("seq", .integer()), .req("id", .string()), .req("type", .string()), .req("partition_key", .string()),
            .req("sequence", .integer()),
        ])
    }
}

struct OutboxResult: Encodable, Sendable, Schematic {
    var page: Page<ProducedEvent>
    /// The newest event's outbox sequence (0 when none is left).
    var lastSeq: Int64

    func encode(to encoder: any Encoder) throws {
        try page.encode(to: encoder)
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(lastSeq, forKey: NameKey("last_seq"))
    }

    static var schema: Schema {
        guard case .object(let fields) = Page<ProducedEvent>.schema else { return Page<ProducedEvent>.schema }
        return .object(fields + [.req("last_seq", .integer(), "The newest event's outbox seq (0 when none is left).")])
    }
}

/// `events.latency`'s answer.
struct LatencyResult: Codable, Sendable, Schematic {
    var events, undelivered, lastSeq: Int64
    var firstCreatedMs, lastDeliveredMs: Int64?
    var p50Ms, p99Ms, maxMs: Double
    enum CodingKeys: String, CodingKey {
        case events, undelivered, lastSeq = "last_seq", firstCreatedMs = "first_created_ms", lastDeliveredMs = "last_delivered_ms"
        case p50Ms = "p50_ms", p99Ms = "p99_ms", maxMs = "max_ms"
    }
    static var schema: Schema {
        .object([
            .req("events", .integer()), .req("undelivered", .integer()), .req("last_seq", .integer()), .opt("first_created_ms", .integer()),
            .opt("last_delivered_ms", .integer()), .req("p50_ms", .number), .req("p99_ms", .number), .req("max_ms", .number),
        ])
    }
}
