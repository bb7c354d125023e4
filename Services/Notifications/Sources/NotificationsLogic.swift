import LiaisonAPI
import Foundation
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonLocale
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The notifications service's handlers, callable without sockets; the statements are
/// `NotificationsTables`'.
final class NotificationsLogic: Sendable {
    let store: Store
    let settings: NotificationsSettings
    let now: @Sendable () -> Int64
    let rules: NotificationRules

    init(store: Store, settings: NotificationsSettings, rules: NotificationRules, now: @escaping @Sendable () -> Int64)
    {
        self.store = store
        self.settings = settings
        self.rules = rules
        self.now = now
    }

    func jobs(_ p: JobFilter) throws -> Page<Job> {
        let limit = p.limit ?? 100, after = try idCursor(p.cursor) ?? 0
        let rows = try store.read { db in
            try NotificationsTables.jobs(db, delegationID: p.delegationID, afterID: after, limit: limit + 1)
        }
        return Page(rows, limit: limit) { String($0.id) }
    }

    func list(_ p: MessageFilter) throws -> MessageList {
        let limit = p.limit ?? 100, before = try idCursor(p.cursor)
        let filter = MessageQuery(subject: p.delegationID, recipient: p.recipient)
        return try store.read { db in
            let rows = try NotificationsTables.messages(db, filter, status: p.status, before: before, limit: limit + 1)
            return MessageList(
                page: Page(rows, limit: limit) { String($0.id) },
                counts: try NotificationsTables.counts(db, filter)
            )
        }
    }

    func show(_ p: MessageID) throws -> MessageRow {
        try store.read { db in
            guard let (found, raw) = try NotificationsTables.message(db, id: p.id) else {
                throw ServiceError.notFound("message", String(p.id))
            }
            var m = found
            m.attemptLog = try NotificationsTables.attempts(db, message: p.id)
            if p.raw == true, let raw { m.raw = String(decoding: raw, as: UTF8.self) }
            return m
        }
    }

    /// Queues a dead or possibly-sent message again (an operator's decision).
    func retry(_ p: MessageID, uid: UInt32, log: Logger) throws -> RetryResult {
        let t = now()
        let queued = try store.write { db -> Bool in
            guard let st = try NotificationsTables.status(db, message: p.id) else {
                throw ServiceError.notFound("message", String(p.id))
            }
            guard st == .dead || st == .possiblySent else {
                throw ServiceError(
                    .failedPrecondition,
                    "message \(p.id) is \(st.rawValue); only dead or possibly_sent messages are retried",
                    retryable: false,
                    details: ["current_state": .string(st.rawValue), "requested_state": "pending"]
                )
            }
            let done = try NotificationsTables.requeue(db, message: p.id, nowMillis: t)
            if done { db.announce(.mail) }
            return done
        }
        guard queued else {
            throw ServiceError(
                .failedPrecondition,
                "message \(p.id) could not be built (see its error); fix the delegation instead",
                retryable: false
            )
        }
        log.notice("mail.retry_requested", ["message": String(p.id), "uid": String(uid)])
        return RetryResult(id: p.id, status: .pending)
    }

    /// The emails the rules would send now for a delegation, rendered, nothing sent.
    func preview(_ p: PreviewParams) throws -> Preview {
        if let a = p.agreement { return try rules.previewAgreement(a, rule: p.rule?.rawValue) }
        var d: Delegation
        if let given = p.delegation {
            d = given
        } else if let id = p.delegationID {
            guard let stored = try store.read({ db in try NotificationsTables.visit(db, id: id) }) else {
                throw ServiceError(
                    .notFound,
                    "delegation \(id) has sent no events here yet; pass the delegation itself",
                    retryable: false
                )
            }
            d = stored
        } else {
            throw ServiceError.invalidParams(field: "delegation", "give delegation (the object) or delegation_id")
        }
        if let r = p.rule, MailRule(rawValue: r.rawValue) == nil {
            throw ServiceError.invalidParams(
                field: "rule",
                "\(r.rawValue) is an agreement notice: give agreement, or one of \(MailRule.allCases.map(\.rawValue))"
            )
        }
        let rule =
            p.rule.flatMap { MailRule(rawValue: $0.rawValue) }
            ?? (d.status == .cancelled ? .cancel : d.scheduleVersion > 1 ? .update : .schedule)
        if d.status == .proposed { d.status = .confirmed }  // what confirming would send
        var language: Catalogue? = nil
        if let code = p.language {
            guard let c = Catalogue.named(code) else {
                throw ServiceError.invalidParams(
                    field: "language",
                    "Liaison has no catalogue for \(code): give one of "
                        + Catalogue.all.keys.sorted().joined(separator: ", ")
                )
            }
            language = c
        }
        let now = Date()
        let messages = ScheduleRenderer.recipients(of: d).map { r in
            let m = ScheduleRenderer.render(
                rule,
                d,
                for: r,
                settings: settings,
                reminderDays: settings.reminderDays.last,
                now: now,
                language: language
            )
            var out = Preview.Message(
                to: "\(r.displayName) <\(r.address)>",
                view: r.view.rawValue,
                subject: m.subject,
                text: m.text,
                calendar: nil,
                size: nil,
                refused: nil
            )
            if let c = m.calendar { out.calendar = Preview.Calendar(method: c.method, content: c.content) }
            let mail = MailMessage(
                from: settings.from,
                to: [r.mailbox],
                replyTo: settings.replyTo,
                subject: m.subject,
                date: now,
                messageID: "preview@\(settings.messageIDDomain)",
                text: m.text,
                html: m.html,
                calendar: m.calendar
            )
            do { out.size = try MessageBuilder.build(mail, boundarySeed: "preview").count } catch {
                out.refused = "\(error)"
            }
            return out
        }
        return Preview(rule: MessageRule(rawValue: rule.rawValue) ?? .schedule, subjectID: d.id, messages: messages)
    }

    /// Reminders armed to go out within the next `days` days.
    func due(_ p: DueParams) throws -> DueList {
        let until = now() + Int64(p.days ?? 30) * 86_400_000
        return try store.read { db in DueList(items: try NotificationsTables.upcomingReminders(db, untilMs: until)) }
    }

    /// Messages by status, for `service.health`.
    /// Messages by status, for `service.health` (on the store's control reader).
    func counts() -> [String: Int64]? { try? store.readForControl { db in try NotificationsTables.counts(db) } }
}

/// A message-id cursor (lists of jobs and messages are ordered by id).
func idCursor(_ cursor: String?) throws -> Int64? {
    guard let cursor else { return nil }
    guard let id = Int64(cursor), id >= 0 else {
        throw ServiceError.invalidParams(
            field: "cursor",
            "not a cursor from a previous page (expected next_cursor as given)"
        )
    }
    return id
}
