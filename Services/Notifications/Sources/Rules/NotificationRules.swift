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

    /// Applies one delegation event; returns whether messages were queued (to wake the sender).
    func apply(_ event: CloudEvent, _ db: Database) throws -> Bool {
        let d: Delegation
        do { d = try JSONDecoding.decode(Delegation.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(
                field: error.path,
                "not a delegation this service understands: \(error.reason)"
            )
        }
        // The visit as the last event described it, decoded only when a rule needs it: an update
        // that leaves the people as they were (most of them) needs nothing of it.
        let stored = try NotificationsTables.visitDoc(db, id: d.id)
        let doc = JSONWriter.encode(event.data)
        func before() throws -> Delegation? { try stored.map { try JSONDecoding.decode(Delegation.self, from: $0) } }
        try NotificationsTables.keepVisit(db, d, doc: String(decoding: doc, as: UTF8.self), nowMillis: now())
        db.announce(.reminders)
        var queued = 0
        switch event.eventType {
        case .delegationConfirmed? where settings.sendSchedules:
            queued += try invite(d, db, rule: .schedule)
            try armReminders(d, db)
        case .delegationRescheduled?:
            if Self.scheduled.contains(d.status) {
                let previous = try before()
                if settings.sendUpdates { queued += try invite(d, db, rule: .update, before: previous) }
                queued += try removePeople(d, before: previous, db)
                try armReminders(d, db)
            } else {
                try NotificationsTables.drop(db, subjectID: d.id)
            }
        case .delegationUpdated? where Self.scheduled.contains(d.status) && settings.sendSchedules:
            // Details changed on a confirmed visit (or one under way): people added since get the
            // schedule; everyone else has theirs already (sent at this schedule version, or at an
            // earlier one that a reschedule left as it was for them).
            queued += try invite(d, db, rule: .schedule, onlyNew: true)
            if let stored, Self.samePeople(stored, doc) { break }
            queued += try removePeople(d, before: before(), db)
        case .delegationCancelled?, .delegationPostponed?:
            try NotificationsTables.drop(db, subjectID: d.id)
            if settings.sendCancellations {
                queued += try cancel(
                    d,
                    db,
                    rule: event.eventType == .delegationCancelled ? .cancel : .postpone
                )
            }
        default: break
        }
        return queued > 0
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

    /// The schedule (or update) for every recipient, at the current schedule version. An update
    /// goes to those whose own sessions (or the visit's dates) changed, saying what changed and
    /// why; sessions they lose are cancelled in a message of their own. `onlyNew`: only to those
    /// who do not hold its schedule (never sent it, or taken off the visit since).
    func invite(
        _ d: Delegation,
        _ db: Database,
        rule: MailRule,
        before: Delegation? = nil,
        onlyNew: Bool = false
    ) throws -> Int {
        var n = 0
        for r in ScheduleRenderer.recipients(of: d) {
            // Someone who does not hold this visit's schedule (never sent it, or taken off the visit
            // since) gets it whole, not as an "update".
            var key = "invite:\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)"
            let had: Bool
            switch try NotificationsTables.holding(db, subjectID: d.id, address: r.address) {
            case .holds: had = true
            case .never: had = false
            case .left(let told):
                had = false
                key += ":back-after-\(told)"
            }
            if had && onlyNew { continue }
            let effective: MailRule = rule == .update && !had ? .schedule : rule
            guard effective == .update, let before else {
                n += try queue(effective, d, r, key: key, db)
                continue
            }
            let c = PersonalSchedule.changes(from: before, to: d, for: r)
            if !c.requests.isEmpty || c.window != nil { n += try queue(.update, d, r, key: key, changes: c, db) }
            if !c.removed.isEmpty {
                n += try queue(
                    .removal,
                    d,
                    r,
                    key: "removal:\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)",
                    changes: c,
                    db
                )
            }
        }
        return n
    }

    /// Those who were sent the schedule and are no longer on the visit get a cancellation of
    /// every session they were expected at.
    func removePeople(_ d: Delegation, before: Delegation?, _ db: Database) throws -> Int {
        guard let before else { return 0 }
        let now = Set(ScheduleRenderer.recipients(of: d).map { $0.address.lowercased() })
        var n = 0
        for r in ScheduleRenderer.recipients(of: before) where !now.contains(r.address.lowercased()) {
            guard case .holds(let held) = try NotificationsTables.holding(db, subjectID: d.id, address: r.address)
            else { continue }
            var c = PersonalSchedule.Changes()
            c.removed = PersonalSchedule(before, for: r).mine
            c.leftVisit = true
            n += try queue(
                .removal,
                before,
                r,
                key: NotificationsTables.leaveKey(subjectID: d.id, address: r.address, held: held),
                changes: c,
                db
            )
        }
        return n
    }

    /// A cancellation to everyone who was sent the schedule (and everyone now on the visit).
    func cancel(_ d: Delegation, _ db: Database, rule: MailRule) throws -> Int {
        let told = try NotificationsTables.invited(db, subjectID: d.id)
        guard !told.isEmpty else { return 0 }  // nobody was invited: nothing to take back
        var recipients = ScheduleRenderer.recipients(of: d).filter { told.contains($0.address.lowercased()) }
        for addr in told where !recipients.contains(where: { $0.address.lowercased() == addr }) {
            if let (address, name, view) = try NotificationsTables.lastAddressing(db, subjectID: d.id, address: addr) {
                recipients.append(
                    Recipient(
                        name: name ?? address,
                        nameLocal: nil,
                        address: address,
                        view: RecipientView(rawValue: view) ?? .member
                    )
                )
            }
        }
        var n = 0
        for r in recipients {
            n += try queue(
                rule,
                d,
                r,
                key: "\(rule.rawValue):\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)",
                db
            )
        }
        return n
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
        _ db: Database
    ) throws -> Int {
        if try NotificationsTables.exists(db, key: key) { return 0 }
        let t = now()
        let date = Date(timeIntervalSince1970: Double(t) / 1000)
        let rendered = ScheduleRenderer.render(
            rule,
            d,
            for: r,
            settings: settings,
            reminderDays: reminderDays,
            now: date,
            changes: changes
        )
        return try insertMessage(
            key: key,
            rule: rule.rawValue,
            subjectID: d.id,
            subjectRef: d.ref,
            recipient: r,
            view: r.view.rawValue,
            version: d.scheduleVersion,
            at: t,
            db
        ) { messageID in
            MailMessage(
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
        _ db: Database,
        mail: (_ messageID: String) -> MailMessage
    ) throws -> Int {
        let messageID = "liaison.\(IDs.make("m").dropFirst(2))@\(settings.messageIDDomain)"
        let message = mail(messageID)
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
            createdMs: t
        )
        do { m.raw = try MessageBuilder.build(message, boundarySeed: String(messageID.prefix(24))) } catch {
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

    /// Fires the reminders due by now: a reminder message to each recipient of a visit still
    /// confirmed and not yet begun. Returns how many messages were queued.
    func fireDueReminders(_ db: Database) throws -> Int {
        let t = now()
        var n = 0
        for (id, days) in try NotificationsTables.dueReminders(db, nowMillis: t) {
            try NotificationsTables.fired(db, subjectID: id, days: days)
            guard let d = try? NotificationsTables.visit(db, id: id), d.status == .confirmed else { continue }
            guard d.draft.startsAt.epochSeconds(in: d.draft.zone) * 1000 > t else { continue }
            for rec in ScheduleRenderer.recipients(of: d) {
                n += try queue(
                    .reminder,
                    d,
                    rec,
                    key: "reminder:\(id):\(days):\(rec.address.lowercased()):\(d.scheduleVersion)",
                    reminderDays: days,
                    db
                )
            }
        }
        return n
    }

    /// When the next armed reminder is due.
    func nextReminderMs(_ db: Database) throws -> Int64? { try NotificationsTables.nextReminderMs(db) }
}
