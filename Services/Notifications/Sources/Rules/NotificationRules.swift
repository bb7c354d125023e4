import Foundation
import LiaisonModels
import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// Turns delegation events into messages (and reminders into due messages), inside the inbox
/// transaction. Every message has an idempotency key — (rule, delegation, recipient, schedule
/// version) — so a redelivered event or a restart never creates the same mail twice.
struct NotificationRules {
    let settings: NotificationsSettings
    let log: Logger
    let now: @Sendable () -> Int64

    /// Applies one delegation event: keeps the visit as it describes it, (re)arms its reminders,
    /// and queues what it asks to be mailed as a job (`FanOut`), the first piece at once.
    /// Returns whether messages were queued (to wake the sender).
    func apply(_ event: CloudEvent, _ db: Database) throws -> Bool {
        let d: Delegation
        do { d = try JSONDecoding.decode(Delegation.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(
                field: error.path,
                "not a delegation this service understands: \(error.reason)"
            )
        }
        let stored = try NotificationsTables.visitDoc(db, id: d.id)
        let doc = JSONWriter.encode(event.data)
        try NotificationsTables.keepVisit(db, d, doc: String(decoding: doc, as: UTF8.self), nowMillis: now())
        db.announce(.reminders)
        let kind: FanOutKind?
        switch event.eventType {
        case .delegationConfirmed? where settings.sendSchedules:
            kind = .confirm
            try armReminders(d, db)
        case .delegationRescheduled? where Self.scheduled.contains(d.status):
            try armReminders(d, db)
            kind = settings.sendUpdates ? .reschedule : .details
        case .delegationRescheduled?:
            try NotificationsTables.drop(db, subjectID: d.id)
            kind = nil
        case .delegationUpdated? where Self.scheduled.contains(d.status) && settings.sendSchedules:
            // Details changed on a confirmed visit (or one under way): people added since get the
            // schedule, people gone are told; nothing else changed for anyone (unless changes are
            // held for them: those are told again, as one).
            kind = .details
        case .delegationCancelled?, .delegationPostponed?:
            try NotificationsTables.drop(db, subjectID: d.id)
            kind = settings.sendCancellations ? (event.eventType == .delegationCancelled ? .cancel : .postpone) : nil
        default: kind = nil
        }
        guard let kind else { return false }
        // A change of details of a visit with nobody to tell (no member or host with an address,
        // now or before: its people the same, byte for byte) queues nothing unless a job or held
        // messages of it wait: no job is made (one copied both versions of the visit in and out
        // of the database for nothing: half of this service's time per event under load).
        if kind == .details, ScheduleRenderer.recipients(of: d).isEmpty, let stored, Self.samePeople(stored, doc),
            try !NotificationsTables.mailWaits(db, subjectID: d.id)
        {
            return false
        }
        return try enqueue(kind, subjectID: d.id, doc: doc, prev: stored, db) > 0
    }

    /// The states in which a visit's people hold its schedule: a change to it is mailed to them.
    static let scheduled: Set<DelegationStatus> = [.confirmed, .inProgress]

    /// Whether two texts of a visit name the same people (members and hosts byte for byte: the
    /// same writer wrote both), so that nobody can have left it; false when either cannot be split.
    static func samePeople(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard let x = JSONMembers.split(a), let y = JSONMembers.split(b) else { return false }
        func people(_ text: [UInt8], _ members: [(key: Range<Int>, value: Range<Int>)]) -> [String: ArraySlice<UInt8>] {
            var out: [String: ArraySlice<UInt8>] = [:]
            for m in members {
                let key = String(decoding: text[m.key], as: UTF8.self)
                if key == "members" || key == "hosts" { out[key] = text[m.value] }
            }
            return out
        }
        let p = people(a, x), q = people(b, y)
        return p.count == q.count && p.allSatisfy { k, v in q[k].map { $0.elementsEqual(v) } ?? false }
    }

    /// Inserts one message unless its key exists; a message that cannot be built safely is
    /// stored dead with the reason (it never reaches the MTA).
    func queue(
        _ rule: MailRule,
        _ d: Delegation,
        _ r: Recipient,
        key: String,
        reminderDays: Int? = nil,
        changes: PersonalSchedule.Changes? = nil,
        notBefore: Int64 = 0,
        basis: Int64? = nil,
        _ db: Database
    ) throws -> Int {
        if try NotificationsTables.exists(db, key: key) { return 0 }
        let t = now()
        let date = Date(timeIntervalSince1970: Double(t) / 1000)
        // A host's briefing counts the answers to the invitations of the sessions they host.
        var answers: [String: [String: Int]] = [:]
        if r.view == .host, case let stored = try NotificationsTables.answers(db, subjectID: d.id), !stored.isEmpty {
            for s in ReplyIntake.attendance(d, answers: stored).sessions { answers[s.itemID] = s.counts }
        }
        func render(short: Bool) -> RenderedMail {
            ScheduleRenderer.render(
                rule,
                d,
                for: r,
                settings: settings,
                reminderDays: reminderDays,
                now: date,
                changes: changes,
                short: short,
                answers: answers
            )
        }
        return try insertMessage(
            key: key,
            rule: rule.rawValue,
            subjectID: d.id,
            subjectRef: d.ref,
            recipient: r,
            view: r.view.rawValue,
            version: d.scheduleVersion,
            at: t,
            notBefore: notBefore,
            basis: basis,
            db
        ) { messageID, short in
            let rendered = render(short: short)
            return MailMessage(
                from: settings.from,
                to: [r.mailbox],
                replyTo: settings.replyTo,
                subject: rendered.subject,
                date: date,
                messageID: messageID,
                text: rendered.text,
                html: rendered.html,
                calendar: rendered.calendar
            )
        }
    }

    /// Builds the message `mail` makes with a fresh Message-ID and stores it under `key`: pending,
    /// or dead with the reason when it cannot be built safely. Returns 1 when it will be sent.
    func insertMessage(
        key: String,
        rule: String,
        subjectID: String,
        subjectRef: String,
        recipient r: Recipient,
        view: String,
        version: Int,
        at t: Int64,
        notBefore: Int64 = 0,
        basis: Int64? = nil,
        _ db: Database,
        mail: (_ messageID: String, _ short: Bool) -> MailMessage
    ) throws -> Int {
        let messageID = "liaison.\(IDs.make("m").dropFirst(2))@\(settings.messageIDDomain)"
        var message = mail(messageID, false)
        var m = NewMessage(
            key: key,
            rule: rule,
            subjectID: subjectID,
            subjectRef: subjectRef,
            recipient: r.address,
            recipientName: r.displayName,
            view: view,
            version: version,
            status: .pending,
            messageID: messageID,
            subject: message.subject,
            raw: nil,
            lastError: nil,
            createdMs: t,
            notBeforeMs: notBefore,
            basis: basis
        )
        do {
            let seed = String(messageID.prefix(24))
            var raw = try MessageBuilder.build(message, boundarySeed: seed)
            if raw.count > settings.maxMessageBytes {
                // Long notes and lists go in full once (the schedule); a copy this large says less.
                message = mail(messageID, true)
                raw = try MessageBuilder.build(message, boundarySeed: seed)
                m.subject = message.subject
            }
            guard raw.count <= settings.maxMessageBytes else {
                throw MeshError(
                    "the message is \(raw.count / 1024) KB even in its short form, over settings.mail.max_message_kb "
                        + "(\(settings.maxMessageBytes / 1024))"
                )
            }
            m.raw = raw
        } catch {
            m.status = .dead
            m.lastError = "not built: \(error)"
            log.warning("message.refused", ["subject": subjectID, "rule": rule, "reason": "\(error)"])
        }
        try NotificationsTables.insert(db, m)
        guard m.status == .pending else { return 0 }
        db.announce(.mail)
        return 1
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
                try NotificationsTables.drop(db, subjectID: d.id, days: days)
                continue
            }
            try NotificationsTables.arm(db, subjectID: d.id, days: days, dueMs: due, version: d.scheduleVersion)
        }
    }

    /// Fires the reminders due by now: a job of reminder messages to each recipient of a visit
    /// still confirmed and not yet begun. Returns how many messages were queued at once.
    func fireDueReminders(_ db: Database) throws -> Int {
        let t = now()
        var n = 0
        for (id, days) in try NotificationsTables.dueReminders(db, nowMillis: t) {
            try NotificationsTables.fired(db, subjectID: id, days: days)
            guard let doc = try NotificationsTables.visitDoc(db, id: id),
                let d = try? JSONDecoding.decode(Delegation.self, from: doc), d.status == .confirmed
            else { continue }
            guard d.draft.startsAt.epochSeconds(in: d.draft.zone) * 1000 > t else { continue }
            n += try enqueue(.reminder, subjectID: id, doc: doc, prev: nil, days: days, db)
        }
        return n
    }

    /// When the next armed reminder is due.
    func nextReminderMs(_ db: Database) throws -> Int64? { try NotificationsTables.nextReminderMs(db) }
}
