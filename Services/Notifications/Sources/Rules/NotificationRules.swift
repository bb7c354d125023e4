import Foundation
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// Turns delegation events into messages (and reminders into due messages), inside the inbox
/// transaction. Every message has an idempotency key — (rule, delegation, recipient, schedule
/// version) — so a redelivered event or a restart never creates the same mail twice.
struct NotificationRules {
    let settings: NotificationSettings
    let log: Logger
    let now: @Sendable () -> Int64

    /// Applies one delegation event; returns whether messages were queued (to wake the sender).
    func apply(_ event: CloudEvent, _ db: Database) throws -> Bool {
        let d: Delegation
        do { d = try JSONDecoding.decode(Delegation.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(field: error.path, "not a delegation this service understands: \(error.reason)")
        }
        let t = now()
        try db.run("""
            INSERT INTO visits(id, doc, status, schedule_version, updated_ms) VALUES(?,?,?,?,?)
            ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, status = excluded.status, schedule_version = excluded.schedule_version, updated_ms = excluded.updated_ms
            """, [d.id, JSONWriter.string(event.data), d.status.rawValue, d.scheduleVersion, t])
        var queued = 0
        switch event.type {
        case "delegation.confirmed" where settings.sendSchedules:
            queued += try invite(d, db, rule: .schedule)
            try armReminders(d, db)
        case "delegation.rescheduled":
            if d.status == .confirmed {
                if settings.sendUpdates { queued += try invite(d, db, rule: .update) }
                try armReminders(d, db)
            } else {
                try dropReminders(d.id, db)
            }
        case "delegation.updated" where d.status == .confirmed && settings.sendSchedules:
            // Details changed on a confirmed visit: people added since get the schedule (the keys
            // keep everyone else from getting it twice).
            queued += try invite(d, db, rule: .schedule)
        case "delegation.cancelled", "delegation.postponed":
            try dropReminders(d.id, db)
            if settings.sendCancellations { queued += try cancel(d, db, rule: event.type == "delegation.cancelled" ? .cancel : .postpone) }
        default: break
        }
        return queued > 0
    }

    /// The schedule (or update) for every recipient, at the current schedule version.
    func invite(_ d: Delegation, _ db: Database, rule: MailRule) throws -> Int {
        var n = 0
        for r in ScheduleRenderer.recipients(of: d) {
            // Someone who never got this visit's schedule gets it whole, not as an "update".
            let had = try db.queryOne("SELECT 1 FROM messages WHERE subject_id = ? AND lower(recipient) = ? AND rule IN ('schedule','update') LIMIT 1",
                                      [d.id, r.address.lowercased()]) != nil
            let effective: MailRule = rule == .update && !had ? .schedule : rule
            n += try queue(effective, d, r, key: "invite:\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)", db)
        }
        return n
    }

    /// A cancellation to everyone who was sent the schedule (and everyone now on the visit).
    func cancel(_ d: Delegation, _ db: Database, rule: MailRule) throws -> Int {
        let told = try db.query("SELECT DISTINCT lower(recipient) FROM messages WHERE subject_id = ? AND rule IN ('schedule','update')", [d.id])
            .compactMap { $0.string(0) }
        guard !told.isEmpty else { return 0 }  // nobody was invited: nothing to take back
        var recipients = ScheduleRenderer.recipients(of: d).filter { told.contains($0.address.lowercased()) }
        for addr in told where !recipients.contains(where: { $0.address.lowercased() == addr }) {
            let row = try db.queryOne("SELECT recipient, recipient_name, view FROM messages WHERE subject_id = ? AND lower(recipient) = ? ORDER BY id DESC LIMIT 1",
                                      [d.id, addr])
            if let row { recipients.append(Recipient(name: row.string(1) ?? row.string(0)!, nameLocal: nil, address: row.string(0)!,
                                                     view: RecipientView(rawValue: row.string(2)!) ?? .member)) }
        }
        var n = 0
        for r in recipients { n += try queue(rule, d, r, key: "\(rule.rawValue):\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)", db) }
        return n
    }

    /// Inserts one message unless its key exists; a message that cannot be built safely is
    /// stored dead with the reason (it never reaches the MTA).
    func queue(_ rule: MailRule, _ d: Delegation, _ r: Recipient, key: String, reminderDays: Int? = nil, _ db: Database) throws -> Int {
        if try db.queryOne("SELECT 1 FROM messages WHERE idem_key = ?", [key]) != nil { return 0 }
        let t = now()
        let messageID = "liaison.\(IDs.make("m").dropFirst(2))@\(settings.messageIDDomain)"
        let rendered = ScheduleRenderer.render(rule, d, for: r, settings: settings, reminderDays: reminderDays, now: Date(timeIntervalSince1970: Double(t) / 1000))
        let mail = MailMessage(from: settings.from, to: [r.mailbox], replyTo: settings.replyTo, subject: rendered.subject,
                               date: Date(timeIntervalSince1970: Double(t) / 1000), messageID: messageID, text: rendered.text, html: rendered.html,
                               calendar: rendered.calendar)
        var raw: [UInt8]? = nil
        var status = "pending"
        var lastError: String? = nil
        do { raw = try MessageBuilder.build(mail, boundarySeed: String(messageID.prefix(24))) } catch {
            status = "dead"
            lastError = "not built: \(error)"
            log.warning("message.refused", ["delegation": d.id, "rule": rule.rawValue, "reason": "\(error)"])
        }
        try db.run("""
            INSERT INTO messages(idem_key, rule, subject_id, subject_ref, recipient, recipient_name, view, version, status, message_id, subject, raw,
                last_error, created_ms, updated_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, [key, rule.rawValue, d.id, d.ref, r.address, r.displayName, r.view.rawValue, d.scheduleVersion, status, messageID, rendered.subject,
                  raw.map { SQLValue.blob($0) } ?? .null, lastError, t, t])
        return status == "pending" ? 1 : 0
    }

    // MARK: reminders

    /// (Re)arms the reminders of a confirmed visit at its current start; lead times already past
    /// are not armed (a reminder is never sent for a past date).
    func armReminders(_ d: Delegation, _ db: Database) throws {
        let start = d.draft.startsAt.epochSeconds(in: d.draft.zone) * 1000
        let t = now()
        for days in settings.reminderDays {
            let due = start - Int64(days) * 86_400_000
            if due <= t {
                try db.run("UPDATE reminders SET status = 'dropped' WHERE subject_id = ? AND days = ? AND status = 'armed'", [d.id, days])
                continue
            }
            try db.run("""
                INSERT INTO reminders(subject_id, days, due_ms, version, status) VALUES(?,?,?,?,'armed')
                ON CONFLICT(subject_id, days) DO UPDATE SET due_ms = excluded.due_ms, version = excluded.version,
                    status = CASE WHEN reminders.version = excluded.version AND reminders.status = 'fired' THEN 'fired' ELSE 'armed' END
                """, [d.id, days, due, d.scheduleVersion])
        }
    }

    func dropReminders(_ id: String, _ db: Database) throws {
        try db.run("UPDATE reminders SET status = 'dropped' WHERE subject_id = ? AND status = 'armed'", [id])
    }

    /// Fires the reminders due by now: a reminder message to each recipient of a visit still
    /// confirmed and not yet begun. Returns how many messages were queued.
    func fireDueReminders(_ db: Database) throws -> Int {
        let t = now()
        var n = 0
        for r in try db.query("SELECT subject_id, days, version FROM reminders WHERE status = 'armed' AND due_ms <= ? ORDER BY due_ms LIMIT 100", [t]) {
            let id = r.string(0)!, days = Int(r.int(1)!)
            try db.run("UPDATE reminders SET status = 'fired' WHERE subject_id = ? AND days = ?", [id, days])
            guard let doc = try db.queryOne("SELECT doc FROM visits WHERE id = ?", [id])?.blob(0),
                  let d = try? JSONDecoding.decode(Delegation.self, from: doc), d.status == .confirmed else { continue }
            guard d.draft.startsAt.epochSeconds(in: d.draft.zone) * 1000 > t else { continue }
            for rec in ScheduleRenderer.recipients(of: d) {
                n += try queue(.reminder, d, rec, key: "reminder:\(id):\(days):\(rec.address.lowercased()):\(d.scheduleVersion)", reminderDays: days, db)
            }
        }
        return n
    }

    /// When the next armed reminder is due.
    func nextReminderMs(_ db: Database) throws -> Int64? {
        try db.queryOne("SELECT min(due_ms) FROM reminders WHERE status = 'armed'")?.int(0)
    }
}
