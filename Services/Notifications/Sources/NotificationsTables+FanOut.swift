import LiaisonStore
import LiaisonJSON

/// What one event (or one due reminder) asks to be mailed to a visit's people.
enum FanOutKind: String {
    /// Confirmed: the schedule to everyone.
    case confirm
    /// Rescheduled while confirmed: an update to those whose sessions changed, a removal to those
    /// who lost some or left.
    case reschedule
    /// Details changed while confirmed: the schedule to newcomers, a removal to those who left.
    case details
    case cancel, postpone
    /// A reminder `days` before the start.
    case reminder
}

/// A visit's mail being queued in pieces (`FanOut`): the visit as the event described it, the
/// visit before it, and how far the queueing got.
struct FanOutJob {
    var id: Int64
    var subjectID: String
    var kind: FanOutKind
    var doc: [UInt8]
    var prev: [UInt8]?
    var days: Int?
    /// How many of the job's steps (one per recipient) are done.
    var step: Int
    /// Whether the first piece looked at what was held for this visit (`FanOut.prepare`).
    var prepared: Bool
    /// What the first piece noted.
    var state: FanOutState
    /// When the messages it queues for people with nothing held are handed over (0: at once).
    var untilMs: Int64
    /// The kind as stored when this release does not know it (a later release wrote the job,
    /// then this one was put back): the job is dropped and logged, never run as another kind.
    var unknownKind: String? = nil
}

/// What a job's first piece noted, for the pieces after it.
struct FanOutState: Codable, Equatable {
    /// A cancellation: everyone (lowercased address) who holds the schedule.
    var told: [String]?
    /// A change: the people whose held messages it took back, each with the basis they were
    /// derived from (the visit as they last heard of it) and when they were due.
    var held: [String: Held]?
    /// The basis of the messages to people with nothing held: the visit before this change.
    var basis: Int64?

    struct Held: Codable, Equatable {
        var basis: Int64?
        var until: Int64
    }
}

extension NotificationsTables {
    /// Jobs of mail to queue in pieces; the basis of the changes held for coalescing; and the
    /// indexes that count what went out, for the rate limits.
    static let fanOutSchema = """
        CREATE TABLE fanouts(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            subject_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            doc TEXT NOT NULL,
            prev TEXT,
            days INTEGER,
            step INTEGER NOT NULL DEFAULT 0,
            prepared INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT '{}',
            until_ms INTEGER NOT NULL DEFAULT 0,
            turn_ms INTEGER NOT NULL DEFAULT 0,
            created_ms INTEGER NOT NULL);
        CREATE INDEX fanouts_by_subject ON fanouts(subject_id, id);
        CREATE TABLE bases(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            subject_id TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX bases_by_subject ON bases(subject_id);
        ALTER TABLE messages ADD COLUMN basis INTEGER;
        CREATE INDEX messages_out_by_recipient ON messages(lower(recipient), updated_ms)
            WHERE status IN ('sent','sending');
        CREATE INDEX messages_out_by_subject ON messages(subject_id, updated_ms) WHERE status IN ('sent','sending');
        """

    // MARK: jobs

    @discardableResult
    static func addFanOut(
        _ db: Database,
        subjectID: String,
        kind: FanOutKind,
        doc: [UInt8],
        prev: [UInt8]?,
        days: Int? = nil,
        nowMillis: Int64
    ) throws -> Int64 {
        try db.run(
            "INSERT INTO fanouts(subject_id, kind, doc, prev, days, created_ms) VALUES(?,?,?,?,?,?)",
            [
                subjectID, kind.rawValue, String(decoding: doc, as: UTF8.self),
                prev.map { String(decoding: $0, as: UTF8.self) }, days, nowMillis,
            ]
        )
        return db.lastInsertRowID
    }

    /// A visit's oldest job; without a visit, the next job to run: each visit's oldest, the one
    /// whose visit waited longest for a piece first (a large visit takes turns with the others).
    static func firstFanOut(_ db: Database, subjectID: String? = nil) throws -> FanOutJob? {
        let row =
            try subjectID.map {
                try db.queryOne("SELECT * FROM fanouts WHERE subject_id = ? ORDER BY id LIMIT 1", [$0])
            }
            ?? db.queryOne(
                """
                SELECT * FROM fanouts f WHERE f.id = (SELECT min(id) FROM fanouts g WHERE g.subject_id = f.subject_id)
                ORDER BY turn_ms, id LIMIT 1
                """
            )
        guard let row else { return nil }
        let kind: String = try row["kind"], state: String = try row["state"]
        let prepared: Int = try row["prepared"]
        return FanOutJob(
            id: try row["id"],
            subjectID: try row["subject_id"],
            kind: FanOutKind(rawValue: kind) ?? .confirm,
            doc: try row["doc"],
            prev: try row["prev"],
            days: try row["days"],
            step: try row["step"],
            prepared: prepared != 0,
            state: (try? JSONDecoding.decode(FanOutState.self, from: Array(state.utf8))) ?? FanOutState(),
            untilMs: try row["until_ms"],
            unknownKind: FanOutKind(rawValue: kind) == nil ? kind : nil
        )
    }

    /// Saves how far a job got (and when it last had a turn).
    static func saveFanOut(_ db: Database, _ job: FanOutJob, nowMillis: Int64) throws {
        try db.run(
            "UPDATE fanouts SET step = ?, prepared = ?, state = ?, until_ms = ?, turn_ms = ? WHERE id = ?",
            [job.step, job.prepared ? 1 : 0, JSONEncoding.string(job.state), job.untilMs, nowMillis, job.id]
        )
    }

    /// Folds a change into the visit's last job when that is a change not yet begun: the job
    /// then goes from its own `prev` to this `doc` (a reschedule if either was). True when folded.
    static func foldIntoLastFanOut(_ db: Database, subjectID: String, kind: FanOutKind, doc: [UInt8]) throws -> Bool {
        guard
            let last = try db.queryOne(
                "SELECT id, kind FROM fanouts WHERE subject_id = ? AND prepared = 0 ORDER BY id DESC LIMIT 1",
                [subjectID]
            ),
            let first = try db.queryOne("SELECT min(id) AS id FROM fanouts WHERE subject_id = ?", [subjectID])
        else { return false }
        let id: Int64 = try last["id"], firstID: Int64 = try first["id"], was: String = try last["kind"]
        let changes: Set<String> = [FanOutKind.reschedule.rawValue, FanOutKind.details.rawValue]
        guard id != firstID, changes.contains(was), changes.contains(kind.rawValue) else { return false }
        let merged = was == FanOutKind.reschedule.rawValue ? was : kind.rawValue
        try db.run(
            "UPDATE fanouts SET doc = ?, kind = ? WHERE id = ?",
            [String(decoding: doc, as: UTF8.self), merged, id]
        )
        return true
    }

    static func dropFanOut(_ db: Database, id: Int64) throws { try db.run("DELETE FROM fanouts WHERE id = ?", [id]) }

    /// How many jobs are waiting, and how many people they still have to reach (an estimate).
    static func fanOutBacklog(_ db: Database) throws -> Int64 {
        try db.queryOne("SELECT count(*) AS n FROM fanouts")?["n"] ?? 0
    }

    // MARK: held changes

    /// A visit's messages queued for a change and not yet tried (held to be coalesced, or
    /// waiting their turn): id, lowercased recipient, the basis they were derived from, when due.
    static func heldMessages(_ db: Database, subjectID: String) throws -> [HeldMessage] {
        try db.query(
            """
            SELECT id, lower(recipient) AS r, basis, next_attempt_ms FROM messages WHERE subject_id = ?
                AND status = 'pending' AND attempts = 0 AND rule IN ('schedule','update','removal')
            """,
            [subjectID]
        ).map {
            HeldMessage(id: try $0["id"], address: try $0["r"], basis: try $0["basis"], due: try $0["next_attempt_ms"])
        }
    }

    /// Whether a job or held messages of the visit wait (a change of it then goes through them).
    static func mailWaits(_ db: Database, subjectID: String) throws -> Bool {
        try db.queryOne(
            """
            SELECT EXISTS(SELECT 1 FROM fanouts WHERE subject_id = ?1)
                OR EXISTS(SELECT 1 FROM messages WHERE subject_id = ?1 AND status = 'pending' AND attempts = 0
                    AND rule IN ('schedule','update','removal')) AS waits
            """,
            [subjectID]
        )?["waits"] == true
    }

    struct HeldMessage {
        var id: Int64
        var address: String
        var basis: Int64?
        var due: Int64
    }

    /// Takes back messages never tried (replaced by one that says it all).
    static func withdraw(_ db: Database, messages ids: [Int64]) throws {
        for id in ids { try db.run("DELETE FROM messages WHERE id = ? AND status = 'pending' AND attempts = 0", [id]) }
    }

    /// Keeps a version of a visit as a basis of held messages; returns its id.
    static func addBasis(_ db: Database, subjectID: String, doc: [UInt8]) throws -> Int64 {
        try db.run(
            "INSERT INTO bases(subject_id, doc) VALUES(?, ?)",
            [subjectID, String(decoding: doc, as: UTF8.self)]
        )
        return db.lastInsertRowID
    }

    static func basisDoc(_ db: Database, id: Int64) throws -> [UInt8]? {
        try db.queryOne("SELECT doc FROM bases WHERE id = ?", [id])?["doc"]
    }

    /// Forgets a visit's bases that no message waiting and none of `keep` refers to.
    static func dropUnusedBases(_ db: Database, subjectID: String, keep: Set<Int64>) throws {
        let used = Set(
            try db.query(
                "SELECT DISTINCT basis FROM messages WHERE subject_id = ? AND status = 'pending' AND basis IS NOT NULL",
                [subjectID]
            ).map { try $0["basis"] as Int64 }
        ).union(keep)
        for r in try db.query("SELECT id FROM bases WHERE subject_id = ?", [subjectID]) {
            let id: Int64 = try r["id"]
            if !used.contains(id) { try db.run("DELETE FROM bases WHERE id = ?", [id]) }
        }
    }

    // MARK: rate limits

    /// Messages handed over (or being handed over) to `address` since `sinceMs`: how many, and
    /// when the oldest of them went.
    static func outTo(_ db: Database, address: String, sinceMs: Int64) throws -> (Int, Int64?) {
        let r = try db.queryOne(
            """
            SELECT count(*) AS n, min(updated_ms) AS oldest FROM messages
            WHERE lower(recipient) = ? AND status IN ('sent','sending') AND updated_ms > ?
            """,
            [address.lowercased(), sinceMs]
        )
        return (try r?["n"] ?? 0, try r?["oldest"])
    }

    /// …of one visit.
    static func outOf(_ db: Database, subjectID: String, sinceMs: Int64) throws -> (Int, Int64?) {
        let r = try db.queryOne(
            """
            SELECT count(*) AS n, min(updated_ms) AS oldest FROM messages
            WHERE subject_id = ? AND status IN ('sent','sending') AND updated_ms > ?
            """,
            [subjectID, sinceMs]
        )
        return (try r?["n"] ?? 0, try r?["oldest"])
    }

    /// Puts a message off until `untilMs` (its turn under a rate limit), saying why.
    static func putOff(_ db: Database, message id: Int64, untilMs: Int64, why: String) throws {
        try db.run("UPDATE messages SET next_attempt_ms = ?, last_error = ? WHERE id = ?", [untilMs, why, id])
    }
}
