import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// What a consumer's handler did with an event.
package enum EventDisposition: Sendable {
    /// It changed something.
    case applied
    /// The service does not act on this type; acknowledged all the same.
    case ignored
}

/// A service that consumes events: what it does with one, inside the inbox's transaction.
package protocol EventConsumer: Sendable {
    /// Applies one event; throw `ServiceError` to refuse it (retryable or not). Types it does not
    /// act on return `.ignored`.
    func handle(event: CloudEvent, db: Database) throws -> EventDisposition
}

/// The idempotent inbox (DESIGN §3): in one transaction per delivered batch, each event is
/// checked against the (source, id) ids seen and the per-key sequence watermark, applied by the
/// service's handler in its own savepoint, and recorded — then the call is answered.
package enum Inbox {
    /// The inbox's tables, migrated as the `inbox` component of a consumer's database.
    package static let migrations: [Database.Migration] = [
        .init(
            1,
            """
            CREATE TABLE inbox_seen(source TEXT NOT NULL, id TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY \
            KEY(source, id));
            CREATE INDEX inbox_seen_by_time ON inbox_seen(seen_ms);
            CREATE TABLE inbox_watermarks(source TEXT NOT NULL, partition_key TEXT NOT NULL, last_seq INTEGER NOT \
            NULL, updated_ms
                INTEGER NOT NULL,
                PRIMARY KEY(source, partition_key));
            """
        ),
        // The last event of each key, whole (every event carries its whole record): what a
        // producer restored from a backup recovers from its subscribers, and how a sequence it
        // reuses is told from a duplicate. Which database each source is (identity, incarnation).
        .init(
            2,
            """
            CREATE TABLE inbox_last(
                source TEXT NOT NULL, partition_key TEXT NOT NULL, sequence INTEGER NOT NULL, event_id TEXT NOT NULL,
                time TEXT NOT NULL, event TEXT NOT NULL, at_ms INTEGER NOT NULL,
                PRIMARY KEY(source, partition_key)) WITHOUT ROWID;
            CREATE TABLE inbox_origins(
                source TEXT PRIMARY KEY, identity TEXT NOT NULL, incarnation INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL,
                behind TEXT);
            """
        ),
        // The record each last event carries, by id and version, beside it (audit verify compares
        // them with the producer's records without moving the events), and by time (what was
        // applied since the last verify). The table is rebuilt with a rowid: a WITHOUT ROWID row
        // over about 200 bytes spills into an overflow page of its own, so each ~1 KB event took
        // 4 KB (456 MB for 110,000 events).
        .init(
            3,
            """
            CREATE TABLE inbox_last_3(
                source TEXT NOT NULL, partition_key TEXT NOT NULL, sequence INTEGER NOT NULL, event_id TEXT NOT NULL,
                time TEXT NOT NULL, event TEXT NOT NULL, at_ms INTEGER NOT NULL, type TEXT NOT NULL DEFAULT '',
                record_id TEXT NOT NULL DEFAULT '', record_version INTEGER NOT NULL DEFAULT 0,
                UNIQUE(source, partition_key));
            INSERT INTO inbox_last_3(source, partition_key, sequence, event_id, time, event, at_ms, type, record_id,
                record_version)
                SELECT source, partition_key, sequence, event_id, time, event, at_ms,
                    CASE WHEN json_valid(event) THEN coalesce(json_extract(event, '$.type'), '') ELSE '' END,
                    CASE WHEN json_valid(event) THEN coalesce(json_extract(event, '$.data.id'), '') ELSE '' END,
                    CASE WHEN json_valid(event) THEN coalesce(json_extract(event, '$.data.version'), 0) ELSE 0 END
                FROM inbox_last ORDER BY source, partition_key;
            DROP TABLE inbox_last;
            ALTER TABLE inbox_last_3 RENAME TO inbox_last;
            CREATE INDEX inbox_last_heads ON inbox_last(source, partition_key, type, record_id, record_version, at_ms);
            CREATE INDEX inbox_last_by_time ON inbox_last(source, at_ms);
            """
        ),
    ]

    /// An event as delivered: the CloudEvent plus the sequence of the previous event of its key
    /// that the producer delivered to this consumer (absent from producers that do not track it).
    struct Delivered: Decodable {
        var event: CloudEvent
        var prevsequence: Int64?

        init(from decoder: any Decoder) throws {
            event = try CloudEvent(from: decoder)
            let c = try decoder.container(keyedBy: NameKey.self)
            prevsequence = try c.decodeIfPresent(Int64.self, forKey: NameKey("prevsequence"))
        }
    }

    /// Who may hand this consumer which events: the producers the caller speaks for (nil: any,
    /// as root or the mesh's own account in a dev home) and which types each source emits (nil:
    /// not checked, as in tests of the inbox alone).
    package struct Rights: Sendable {
        /// Who delivers (named only in a refusal's log line: the account lookup costs).
        var caller: PeerCredentials?
        var sources: Set<String>?
        var ownership: (@Sendable (_ source: String, _ type: String) -> String?)?

        package init(
            caller: PeerCredentials?,
            sources: Set<String>?,
            ownership: (@Sendable (_ source: String, _ type: String) -> String?)?
        ) {
            (self.caller, self.sources, self.ownership) = (caller, sources, ownership)
        }

        package static let unchecked = Rights(caller: nil, sources: nil, ownership: nil)
    }

    /// Refused events, said once per caller, source and type every 10 s with a count.
    static let refusedLines = RepeatedLines()

    /// An event the caller may not hand over: from a source it does not speak for, or of a type
    /// its source does not emit.
    static func forged(_ raw: JSONValue, _ i: Int, _ rights: Rights) -> ServiceError? {
        guard let source = raw["source"]?.stringValue else { return nil }
        let why: String, field: String
        if let sources = rights.sources, !sources.contains(source) {
            let speaks = sources.isEmpty ? "no service" : sources.sorted().joined(separator: ", ")
            (why, field) = ("events[\(i)].source: the caller speaks for \(speaks), not \(source)", "source")
        } else if let type = raw["type"]?.stringValue, let wrong = rights.ownership?(source, type) {
            (why, field) = ("events[\(i)].type: \(wrong)", "type")
        } else {
            return nil
        }
        return ServiceError(
            .permissionDenied,
            why + "; event not applied",
            retryable: false,
            details: ["field": .string("events[\(i)].\(field)"), "rule": "access.deliver"]
        )
    }

    /// Applies `events` in order and returns one result per event. A failure blocks the rest of
    /// its key in this batch (they come again, in order).
    /// `rights` say which producers the caller speaks for and what each emits: any other event is
    /// refused (`permission_denied`), not applied, and logged.
    package static func deliver(
        _ events: [JSONValue],
        store: Store,
        log: Logger,
        consumer: any EventConsumer,
        rights: Rights = .unchecked,
        reads: [String: [Int]]? = nil
    ) throws -> [DeliveryResult] {
        try store.write { db in
            let now = wallClockMillis()
            var blocked = Set<String>()
            var results: [DeliveryResult] = []
            results.reserveCapacity(events.count)
            for (i, raw) in events.enumerated() {
                // Each event of a batch is checked on its own, so that one bad event fails alone.
                let refused = forged(raw, i, rights)
                if let refused {
                    let source = raw["source"]?.stringValue ?? "", type = raw["type"]?.stringValue ?? ""
                    if let held = refusedLines.admit(
                        "\(rights.caller?.uid ?? 0) \(source) \(type)",
                        nowNanos: monotonicNanos()
                    ) {
                        log.warning(
                            "event.refused",
                            [
                                "caller": rights.caller.map(AccessPolicy.who) ?? "in-process", "source": source,
                                "type": type, "id": raw["id"]?.stringValue ?? "", "why": refused.message,
                                "repeated": String(held),
                            ]
                        )
                    }
                }
                if let bad = CloudEvent.schema.violation(raw, path: "events[\(i)]")?.serviceError ?? refused {
                    results.append(DeliveryResult(id: raw["id"]?.stringValue, status: .failed, error: bad))
                    if let s = raw["source"]?.stringValue, let k = raw["partitionkey"]?.stringValue {
                        blocked.insert(s + "\u{0}" + k)
                    }
                    continue
                }
                let d: Delivered
                do throws(JSONDecodeError) {
                    d = try JSONDecoding.decode(Delivered.self, from: raw, path: [NameKey("events"), IndexKey(i)])
                } catch {
                    results.append(
                        DeliveryResult(id: raw["id"]?.stringValue, status: .failed, error: .invalidParams(error))
                    )
                    if let s = raw["source"]?.stringValue, let k = raw["partitionkey"]?.stringValue {
                        blocked.insert(s + "\u{0}" + k)
                    }
                    continue
                }
                let e = d.event
                let blockKey = e.source + "\u{0}" + e.partitionkey
                if blocked.contains(blockKey) {
                    results.append(DeliveryResult(id: e.id, status: .blocked))
                    continue
                }
                if try InboxTables.seen(db, source: e.source, id: e.id) {
                    results.append(DeliveryResult(id: e.id, status: .duplicate))
                    continue
                }
                let wm = try InboxTables.watermark(db, source: e.source, key: e.partitionkey)
                let moved = try InboxTables.noteOrigin(db, e, nowMillis: now)
                if e.sequence <= wm {
                    if let behind = try producerBehind(db, e, watermark: wm, restored: moved) {
                        results.append(DeliveryResult(id: e.id, status: .failed, error: behind))
                        blocked.insert(blockKey)
                        continue
                    }
                    results.append(DeliveryResult(id: e.id, status: .duplicate))
                    continue
                }
                if let reads, let newer = upgradeNeeded(e, reads: reads) {
                    // Held by the producer until this service reads it (it comes again then).
                    results.append(DeliveryResult(id: e.id, status: .failed, error: newer))
                    blocked.insert(blockKey)
                    continue
                }
                let expectedPrev = d.prevsequence ?? e.sequence - 1
                if expectedPrev != wm {
                    let err = ServiceError(
                        .failedPrecondition,
                        "sequence gap on \(e.partitionkey): event #\(e.sequence) follows #\(expectedPrev) but #\(wm) "
                            + "is the last applied",
                        retryable: true,
                        details: ["watermark": .int(wm), "previous": .int(expectedPrev)]
                    )
                    results.append(DeliveryResult(id: e.id, status: .failed, error: err))
                    blocked.insert(blockKey)
                    continue
                }
                do {
                    let disposition = try db.savepoint { db in try consumer.handle(event: e, db: db) }
                    try InboxTables.record(db, e, raw: raw, nowMillis: now)
                    results.append(DeliveryResult(id: e.id, status: disposition == .applied ? .applied : .ignored))
                } catch {
                    let err = wireError(error, log: log, method: "events.deliver(\(e.type))")
                    results.append(DeliveryResult(id: e.id, status: .failed, error: err))
                    blocked.insert(blockKey)
                    log.warning(
                        "inbox.handler_failed",
                        ["event": e.id, "type": e.type, "key": e.partitionkey, "error": err.description]
                    )
                }
            }
            return results
        }
    }

    /// Removes ids older than `keepMs` (the watermarks stay: they alone catch late duplicates).
    @discardableResult
    package static func prune(store: Store, keepMs: Int64, now: Int64 = wallClockMillis()) throws -> Int {
        try store.write { db in try db.run("DELETE FROM inbox_seen WHERE seen_ms < ?", [now - keepMs]) }
    }
}

/// The inbox's statements.
enum InboxTables {
    static func seen(_ db: Database, source: String, id: String) throws -> Bool {
        try db.queryOne("SELECT 1 FROM inbox_seen WHERE source = ? AND id = ?", [source, id]) != nil
    }

    static func watermark(_ db: Database, source: String, key: String) throws -> Int64 {
        try db.queryOne(
            "SELECT last_seq FROM inbox_watermarks WHERE source = ? AND partition_key = ?",
            [source, key]
        )?["last_seq"] ?? 0
    }

    static func record(_ db: Database, _ e: CloudEvent, raw: JSONValue, nowMillis now: Int64) throws {
        try db.run("INSERT INTO inbox_seen(source, id, seen_ms) VALUES(?, ?, ?)", [e.source, e.id, now])
        try db.run(
            """
            INSERT INTO inbox_last(source, partition_key, sequence, event_id, time, event, at_ms, type, record_id,
                record_version) VALUES(?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(source, partition_key) DO UPDATE SET sequence = excluded.sequence, event_id = excluded.event_id,
                time = excluded.time, event = excluded.event, at_ms = excluded.at_ms, type = excluded.type,
                record_id = excluded.record_id, record_version = excluded.record_version
            """,
            [
                e.source, e.partitionkey, e.sequence, e.id, e.time, JSONWriter.string(raw), now, e.type,
                e.data["id"]?.stringValue ?? "", e.data["version"]?.intValue ?? 0,
            ]
        )
        // Applied in order again: whatever made the source look behind is over.
        try db.run("UPDATE inbox_origins SET behind = NULL WHERE source = ? AND behind IS NOT NULL", [e.source])
        try db.run(
            """
            INSERT INTO inbox_watermarks(source, partition_key, last_seq, updated_ms) VALUES(?, ?, ?, ?)
            ON CONFLICT(source, partition_key) DO UPDATE SET last_seq = excluded.last_seq, updated_ms = \
            excluded.updated_ms
            """,
            [e.source, e.partitionkey, e.sequence, now]
        )
    }
}

extension CloudEvent {
    /// The type as this release knows it; nil for a type of a newer release (ignored, so that a
    /// mesh upgraded one service at a time keeps working). Consumers switch over this, never
    /// over the text.
    package var eventType: EventType? { EventType(rawValue: type) }
}

extension Inbox {
    /// The error answered for an event newer than this release reads (`reads`: the versions of
    /// each type it reads): a type it does not know, or a version of its data it does not read.
    /// Retryable, with `reason: upgrade_needed`: the producer holds it (counting no attempt)
    /// until this service is upgraded, instead of dead-lettering it.
    static func upgradeNeeded(_ e: CloudEvent, reads: [String: [Int]]) -> ServiceError? {
        let version = e.dataversion ?? 1
        if let versions = reads[e.type], versions.contains(version) { return nil }
        let what =
            reads[e.type] == nil
            ? "\(e.type) is an event type this release (\(liaisonVersion)) does not know"
            : "\(e.type) version \(version) is newer than this release (\(liaisonVersion)) reads"
        return ServiceError(
            .failedPrecondition,
            "\(what): it waits for this service's upgrade",
            retryable: true,
            details: [
                "reason": "upgrade_needed",
                "reads": JSONEncoding.encode(reads[e.type] ?? []),
            ]
        )
    }
}
