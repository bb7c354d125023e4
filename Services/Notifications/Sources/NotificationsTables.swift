import LiaisonHost
import LiaisonAPI
import LiaisonEvents
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The notifications service's tables and every statement over them: the journal of events,
/// the visits as events last described them, messages with their attempts, and reminders.
enum NotificationsTables {
    static let migrations: [Database.Migration] = [
        .init(
            1,
            """
            CREATE TABLE jobs(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                source TEXT NOT NULL,
                partition_key TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                delegation_id TEXT NOT NULL,
                schedule_version INTEGER NOT NULL,
                status TEXT NOT NULL DEFAULT 'recorded',
                received_ms INTEGER NOT NULL,
                data TEXT NOT NULL);
            CREATE INDEX jobs_by_delegation ON jobs(delegation_id, id);
            CREATE TABLE visits(
                id TEXT PRIMARY KEY,
                doc TEXT NOT NULL,
                status TEXT NOT NULL,
                schedule_version INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL);
            CREATE TABLE messages(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                idem_key TEXT NOT NULL UNIQUE,
                rule TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                subject_ref TEXT NOT NULL,
                recipient TEXT NOT NULL,
                recipient_name TEXT,
                view TEXT NOT NULL,
                version INTEGER NOT NULL,
                status TEXT NOT NULL CHECK(status IN ('pending','sending','sent','dead','possibly_sent')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms INTEGER NOT NULL DEFAULT 0,
                message_id TEXT NOT NULL,
                subject TEXT NOT NULL,
                raw BLOB,
                last_error TEXT,
                mta_output TEXT,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL,
                sent_ms INTEGER);
            CREATE INDEX messages_due ON messages(status, next_attempt_ms, id) WHERE status = 'pending';
            CREATE INDEX messages_by_subject ON messages(subject_id, id);
            CREATE INDEX messages_by_status ON messages(status, id);
            CREATE TABLE attempts(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                message INTEGER NOT NULL REFERENCES messages(id),
                started_ms INTEGER NOT NULL,
                finished_ms INTEGER,
                outcome TEXT,
                detail TEXT);
            CREATE INDEX attempts_by_message ON attempts(message, id);
            CREATE TABLE reminders(
                subject_id TEXT NOT NULL,
                days INTEGER NOT NULL,
                due_ms INTEGER NOT NULL,
                version INTEGER NOT NULL,
                status TEXT NOT NULL CHECK(status IN ('armed','fired','dropped')),
                PRIMARY KEY(subject_id, days));
            CREATE INDEX reminders_due ON reminders(status, due_ms);
            """
        ),
        // The journal kept each event's whole delegation (people included), which nothing read:
        // the visit's copy is in `visits`. Two kilobytes of personal data per event, gone.
        .init(2, "ALTER TABLE jobs DROP COLUMN data;"),
        .init(3, fanOutSchema),
        .init(4, answersSchema),
    ]

    // MARK: the journal and the visits

    /// Records a delegation event as received (what and when, not the delegation: that is in `visits`).
    static func journal(
        _ db: Database,
        _ e: CloudEvent,
        delegationID: String,
        scheduleVersion: Int64,
        nowMillis: Int64
    ) throws {
        try db.run(
            """
            INSERT INTO jobs(event_id, event_type, source, partition_key, sequence, delegation_id, schedule_version, \
            received_ms)
            VALUES(?,?,?,?,?,?,?,?)
            """,
            [e.id, e.type, e.source, e.partitionkey, e.sequence, delegationID, scheduleVersion, nowMillis]
        )
    }

    /// Received events after `afterID`, oldest first.
    static func jobs(_ db: Database, delegationID: String?, afterID: Int64, limit: Int) throws -> [Job] {
        var sql = """
            SELECT id, event_id, event_type AS type, partition_key, sequence, delegation_id, schedule_version,
                \(SQLExpression.timestamp("received_ms")) AS received_at
            FROM jobs WHERE id > ?
            """
        var args: [any SQLBindable] = [afterID]
        if let d = delegationID { sql += " AND delegation_id = ?"; args.append(d) }
        sql += " ORDER BY id LIMIT ?"
        args.append(limit)
        return try db.query(sql, args).map { try $0.decode() }
    }

    /// Keeps the visit as the latest event describes it.
    static func keepVisit(_ db: Database, _ d: Delegation, doc: String, nowMillis: Int64) throws {
        try db.run(
            """
            INSERT INTO visits(id, doc, status, schedule_version, updated_ms) VALUES(?,?,?,?,?)
            ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, status = excluded.status, schedule_version = \
            excluded.schedule_version,
                updated_ms = excluded.updated_ms
            """,
            [d.id, doc, d.status.rawValue, d.scheduleVersion, nowMillis]
        )
    }

    /// The visit with this id as events last described it.
    static func visit(_ db: Database, id: String) throws -> Delegation? {
        try visitDoc(db, id: id).map { try JSONDecoding.decode(Delegation.self, from: $0) }
    }

    /// …as the JSON text it was stored as.
    static func visitDoc(_ db: Database, id: String) throws -> [UInt8]? {
        try db.queryOne("SELECT doc FROM visits WHERE id = ?", [id])?["doc"]
    }

    // MARK: messages

    /// Whether a message with this idempotency key exists.
    static func exists(_ db: Database, key: String) throws -> Bool {
        try db.queryOne("SELECT 1 FROM messages WHERE idem_key = ?", [key]) != nil
    }

    /// Stores a message (its `raw` nil when it could not be built: then it is dead with the reason).
    static func insert(_ db: Database, _ m: NewMessage) throws {
        try db.run(
            """
            INSERT INTO messages(idem_key, rule, subject_id, subject_ref, recipient, recipient_name, view, version, \
            status, message_id,
                subject, raw,
                last_error, created_ms, updated_ms, next_attempt_ms, basis) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """,
            [
                m.key, m.rule, m.subjectID, m.subjectRef, m.recipient, m.recipientName, m.view, m.version,
                m.status.rawValue, m.messageID,
                m.subject, m.raw.map { SQLValue.blob($0) } ?? .null, m.lastError, m.createdMs, m.createdMs,
                m.notBeforeMs, m.basis,
            ]
        )
    }

    /// Where someone stands with a visit's schedule, by the messages they were sent.
    enum Holding: Equatable {
        /// Never sent it.
        case never
        /// Holds it: the id of the last schedule or update they were sent.
        case holds(Int64)
        /// Taken off the visit since: the id of the message that told them.
        case left(Int64)
    }

    /// The key of the message telling `address` they are no longer on the visit, once they held
    /// the schedule sent as message `held` (keys before `held` was added end at "person").
    static func leaveKey(subjectID: String, address: String, held: Int64? = nil) -> String {
        "removal:\(subjectID):\(address.lowercased()):person" + (held.map { ":\($0)" } ?? "")
    }

    static func holding(_ db: Database, subjectID: String, address: String) throws -> Holding {
        let leave = leaveKey(subjectID: subjectID, address: address)
        guard
            let r = try db.queryOne(
                """
                SELECT id, rule FROM messages WHERE subject_id = ? AND lower(recipient) = ?
                AND (rule IN ('schedule','update') OR (rule = 'removal' AND substr(idem_key, 1, length(?)) = ?))
                ORDER BY id DESC LIMIT 1
                """,
                [subjectID, address.lowercased(), leave, leave]
            )
        else { return .never }
        let id: Int64 = try r["id"], rule: String = try r["rule"]
        return rule == "removal" ? .left(id) : .holds(id)
    }

    /// Everyone (lowercased) who holds this visit's schedule: sent it, and not taken off since.
    static func invited(_ db: Database, subjectID: String) throws -> [String] {
        try db.query(
            "SELECT DISTINCT lower(recipient) AS r FROM messages WHERE subject_id = ? AND rule IN "
                + "('schedule','update')",
            [subjectID]
        )
        .map { try $0["r"] }
        .filter { if case .holds = try holding(db, subjectID: subjectID, address: $0) { true } else { false } }
    }

    /// How the last message of a visit to `address` addressed them: (address, name, view).
    static func lastAddressing(_ db: Database, subjectID: String, address: String) throws -> (String, String?, String)?
    {
        guard
            let r = try db.queryOne(
                """
                SELECT recipient, recipient_name, view FROM messages WHERE subject_id = ? AND lower(recipient) = ? \
                ORDER BY id DESC LIMIT 1
                """,
                [subjectID, address]
            )
        else { return nil }
        return (try r["recipient"], try r["recipient_name"], try r["view"])
    }

    /// Messages by status.
    static func counts(_ db: Database, _ filter: MessageQuery = MessageQuery()) throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        var (clause, args) = filter.sql
        clause = "SELECT status, count(*) AS n FROM messages WHERE " + clause + " GROUP BY status"
        for r in try db.query(clause, args) { counts[try r["status"]] = try r["n"] }
        return counts
    }

    /// Messages matching `filter` (and `status`), newest first, older than message `before`.
    static func messages(
        _ db: Database,
        _ filter: MessageQuery,
        status: MessageStatus?,
        before: Int64?,
        limit: Int
    ) throws -> [MessageRow] {
        var (clause, args) = filter.sql
        var sql = "SELECT \(messageColumns) FROM messages WHERE " + clause
        if let st = status { sql += " AND status = ?"; args.append(st.rawValue) }
        if let before { sql += " AND id < ?"; args.append(before) }
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return try db.query(sql, args).map { try $0.decode() }
    }

    /// One message with its headers and parts (and its raw text when asked).
    static func message(_ db: Database, id: Int64) throws -> (MessageRow, raw: [UInt8]?)? {
        guard let r = try db.queryOne("SELECT \(messageColumns), mta_output, raw FROM messages WHERE id = ?", [id])
        else { return nil }
        var m: MessageRow = try r.decode()
        m.raw = nil  // given only when asked for
        let raw: [UInt8]? = try r["raw"]
        if let raw { m.describe(raw: raw) }
        return (m, raw)
    }

    /// Every attempt to hand a message over.
    static func attempts(_ db: Database, message id: Int64) throws -> [Attempt] {
        try db.query(
            """
            SELECT \(SQLExpression.timestamp("started_ms")) AS started_at, \(SQLExpression.timestamp("finished_ms")) \
            AS finished_at,
                coalesce(outcome, 'in progress') AS outcome, detail
            FROM attempts WHERE message = ? ORDER BY id
            """,
            [id]
        ).map { try $0.decode() }
    }

    /// A message's status.
    static func status(_ db: Database, message id: Int64) throws -> MessageStatus? {
        guard let s: String = try db.queryOne("SELECT status FROM messages WHERE id = ?", [id])?["status"] else {
            return nil
        }
        return MessageStatus(rawValue: s)
    }

    /// Queues a built message again; false when it was never built.
    static func requeue(_ db: Database, message id: Int64, nowMillis: Int64) throws -> Bool {
        try db.run(
            """
            UPDATE messages SET status = 'pending', next_attempt_ms = 0, attempts = 0, updated_ms = ?, last_error = \
            NULL WHERE id = ? AND
                raw IS NOT NULL
            """,
            [nowMillis, id]
        ) == 1
    }

    /// A message's columns as `MessageRow` reads them.
    static let messageColumns = """
        id, rule, subject_id AS delegation_id, subject_ref AS ref, recipient, recipient_name, view, version AS \
        schedule_version, status,
        attempts, message_id, subject, last_error, \(SQLExpression.timestamp("created_ms")) AS created_at,
        \(SQLExpression.timestamp("sent_ms")) AS sent_at,
        CASE WHEN status = 'pending' AND next_attempt_ms > 0 THEN \(SQLExpression.timestamp("next_attempt_ms")) END AS \
        next_attempt_at
        """
}

/// Which messages a list or a count is about: one delegation's, one recipient's.
struct MessageQuery {
    var subject: String?
    var recipient: String?

    /// The WHERE clause and its arguments.
    var sql: (String, [any SQLBindable]) {
        var clause = "1=1"
        var args: [any SQLBindable] = []
        if let d = subject { clause += " AND (subject_id = ? OR subject_ref = ?)"; args += [d, d] }
        if let r = recipient { clause += " AND lower(recipient) = ?"; args.append(r.lowercased()) }
        return (clause, args)
    }
}
