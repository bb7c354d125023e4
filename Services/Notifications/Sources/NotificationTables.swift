import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The notifications service's tables.
enum NotificationTables {
    static let migrations: [Database.Migration] = [
        .init(1, """
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
        """),
    ]

    /// A message row as `notification list/show` reports it.
    static func messageJSON(_ r: Row, full: Bool) -> JSONValue {
        var o: JSONObject = [
            "id": .int(r.int(0)!), "rule": .string(r.string(1)!), "delegation_id": .string(r.string(2)!), "ref": .string(r.string(3)!),
            "recipient": .string(r.string(4)!), "recipient_name": r.string(5).map { .string($0) } ?? .null, "view": .string(r.string(6)!),
            "schedule_version": .int(r.int(7)!), "status": .string(r.string(8)!), "attempts": .int(r.int(9)!),
            "message_id": .string(r.string(10)!), "subject": .string(r.string(11)!),
            "created_at": .string(Logger.timestamp(millis: r.int(14)!)),
        ]
        if let e = r.string(12) { o["last_error"] = .string(e) }
        if let s = r.int(15) { o["sent_at"] = .string(Logger.timestamp(millis: s)) }
        if r.string(8) == "pending", let n = r.int(16), n > 0 { o["next_attempt_at"] = .string(Logger.timestamp(millis: n)) }
        if full {
            if let m = r.string(13) { o["mta_output"] = .string(m) }
            if let raw = r.blob(17) {
                let p = ParsedMessage.parse(raw)
                o["headers"] = .array(p.headers.map { ["name": .string($0.name), "value": .string($0.value)] })
                o["parts"] = .array(p.parts.map { ["type": .string($0.type), "bytes": .int(Int64($0.body.count))] })
                o["size"] = .int(Int64(raw.count))
            }
        }
        return .object(o)
    }

    static let messageColumns = """
        id, rule, subject_id, subject_ref, recipient, recipient_name, view, version, status, attempts, message_id, subject, last_error, mta_output,
        created_ms, sent_ms, next_attempt_ms
        """
}
