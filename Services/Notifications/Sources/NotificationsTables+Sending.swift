import LiaisonAPI
import LiaisonStore

/// The statements of sending and of reminders.
extension NotificationsTables {
    // MARK: sending

    /// Why a message is `possibly_sent`.
    static let possiblySentReason =
        "the service stopped while this message was being handed to the MTA; it may have been sent. "
        + "Not sent again without an operator retry."

    /// Marks messages left `sending` by a stop `possibly_sent`; returns how many.
    static func recoverSending(_ db: Database, nowMillis: Int64) throws -> Int {
        try db.run(
            "UPDATE messages SET status = 'possibly_sent', updated_ms = ?, last_error = ? WHERE status = 'sending'",
            [nowMillis, Self.possiblySentReason]
        )
    }

    /// The oldest message due now: (id, raw, recipient, message id, attempts so far, created).
    static func nextDue(_ db: Database, nowMillis: Int64) throws -> DueMessage? {
        try db.queryOne(
            """
            SELECT id, raw, recipient, message_id, subject_id, attempts, created_ms FROM messages
            WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT 1
            """,
            [nowMillis]
        ).map { try $0.decode() }
    }

    /// When the next pending message is due.
    static func nextPendingMs(_ db: Database) throws -> Int64? {
        try db.queryOne("SELECT min(next_attempt_ms) AS due FROM messages WHERE status = 'pending'")?["due"]
    }

    /// Gives up on a message that waited too long.
    static func expire(_ db: Database, message id: Int64, why: String, nowMillis: Int64) throws {
        try db.run(
            "UPDATE messages SET status = 'dead', last_error = coalesce(last_error || '; ', '') || ?, updated_ms = ? "
                + "WHERE id = ?",
            [why, nowMillis, id]
        )
    }

    /// Marks a message `sending` and opens its attempt; returns the attempt's row id.
    static func claim(_ db: Database, message id: Int64, nowMillis: Int64) throws -> Int64 {
        try db.run(
            "UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_ms = ? WHERE id = ?",
            [nowMillis, id]
        )
        try db.run("INSERT INTO attempts(message, started_ms) VALUES(?, ?)", [id, nowMillis])
        return db.lastInsertRowID
    }

    /// How one hand-over to the MTA ended, as the message and its attempt record it.
    enum Ending {
        /// Handed over.
        case sent
        /// To be tried again at `next`.
        case retry(next: Int64, why: String)
        /// Never going to work.
        case dead(why: String)
        /// A hand-over whose end is unknown (the MTA killed at the timeout, or ended by a signal):
        /// it may have been sent, so it is not sent again without an operator's retry.
        case possiblySent(why: String)
    }

    /// Records how the attempt `attempt` of message `id` ended, with the MTA's `output`.
    static func finish(
        _ db: Database,
        message id: Int64,
        attempt: Int64,
        _ ending: Ending,
        output: String,
        nowMillis t: Int64
    ) throws {
        let outcome: String, detail: String
        switch ending {
        case .sent:
            try db.run(
                "UPDATE messages SET status = 'sent', sent_ms = ?, updated_ms = ?, mta_output = ?, last_error = NULL "
                    + "WHERE id = ?",
                [t, t, output, id]
            )
            (outcome, detail) = ("sent", output)
        case .retry(let next, let why):
            try db.run(
                "UPDATE messages SET status = 'pending', next_attempt_ms = ?, updated_ms = ?, mta_output = ?, "
                    + "last_error = ? WHERE id = ?",
                [next, t, output, why, id]
            )
            (outcome, detail) = ("retry", why)
        case .dead(let why):
            try db.run(
                "UPDATE messages SET status = 'dead', updated_ms = ?, mta_output = ?, last_error = ? WHERE id = ?",
                [t, output, why, id]
            )
            (outcome, detail) = ("dead", why)
        case .possiblySent(let why):
            try db.run(
                "UPDATE messages SET status = 'possibly_sent', updated_ms = ?, mta_output = ?, last_error = ? "
                    + "WHERE id = ?",
                [t, output, why + "; it may have been sent. Not sent again without an operator retry.", id]
            )
            (outcome, detail) = ("possibly_sent", why)
        }
        let said = outcome == "sent" || output.isEmpty ? detail : detail + ": " + output
        try db.run(
            "UPDATE attempts SET finished_ms = ?, outcome = ?, detail = ? WHERE id = ?",
            [t, outcome, said, attempt]
        )
    }

    // MARK: reminders

    /// Arms (or re-arms) a reminder `days` before a visit; one already sent for this schedule
    /// version stays sent.
    static func arm(_ db: Database, subjectID: String, days: Int, dueMs: Int64, version: Int) throws {
        try db.run(
            """
            INSERT INTO reminders(subject_id, days, due_ms, version, status) VALUES(?,?,?,?,'armed')
            ON CONFLICT(subject_id, days) DO UPDATE SET due_ms = excluded.due_ms, version = excluded.version,
                status = CASE WHEN reminders.version = excluded.version AND reminders.status = 'fired' THEN 'fired' \
                ELSE 'armed' END
            """,
            [subjectID, days, dueMs, version]
        )
    }

    /// Drops armed reminders of a visit (one lead time, or all).
    static func drop(_ db: Database, subjectID: String, days: Int? = nil) throws {
        if let days {
            try db.run(
                "UPDATE reminders SET status = 'dropped' WHERE subject_id = ? AND days = ? AND status = 'armed'",
                [subjectID, days]
            )
        } else {
            try db.run("UPDATE reminders SET status = 'dropped' WHERE subject_id = ? AND status = 'armed'", [subjectID])
        }
    }

    /// Armed reminders due by `nowMillis`, oldest first: (visit id, days).
    static func dueReminders(_ db: Database, nowMillis: Int64, limit: Int = 100) throws -> [(String, Int)] {
        try db.query(
            "SELECT subject_id, days FROM reminders WHERE status = 'armed' AND due_ms <= ? ORDER BY due_ms LIMIT ?",
            [nowMillis, limit]
        )
        .map { (try $0["subject_id"], try $0["days"]) }
    }

    static func fired(_ db: Database, subjectID: String, days: Int) throws {
        try db.run("UPDATE reminders SET status = 'fired' WHERE subject_id = ? AND days = ?", [subjectID, days])
    }

    /// When the next armed reminder is due.
    static func nextReminderMs(_ db: Database) throws -> Int64? {
        try db.queryOne("SELECT min(due_ms) AS due FROM reminders WHERE status = 'armed'")?["due"]
    }

    /// Armed reminders due by `untilMs`, with the visit's reference, title and start.
    static func upcomingReminders(_ db: Database, untilMs: Int64) throws -> [UpcomingReminder] {
        try db.query(
            """
            SELECT r.subject_id AS delegation_id, r.days AS days_before, \(SQLExpression.timestamp("r.due_ms")) AS \
            due_at,
                r.version AS schedule_version, json_extract(v.doc, '$.ref') AS ref, json_extract(v.doc, '$.title') AS \
                title,
                json_extract(v.doc, '$.starts_at') AS starts_at
            FROM reminders r JOIN visits v ON v.id = r.subject_id
            WHERE r.status = 'armed' AND r.due_ms <= ? AND json_extract(v.doc, '$.status') = 'confirmed' ORDER BY \
            r.due_ms
            """,
            [untilMs]
        ).map { try $0.decode() }
    }
}

extension NotificationsTables {
    /// The keys of messages left `sending`.
    static func sendingKeys(_ db: Database) throws -> Set<String> {
        Set(try db.query("SELECT idem_key FROM messages WHERE status = 'sending'").map { try $0["idem_key"] })
    }
}
