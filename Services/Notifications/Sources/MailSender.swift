import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

extension CommitTopic {
    /// A commit queued messages (or made one due again): the senders wake.
    static let mail = CommitTopic("mail")
    /// A commit changed a visit: reminders may be due at another time.
    static let reminders = CommitTopic("reminders")
}

/// Sends queued messages: `concurrency` loops each claim one due message (recording the attempt
/// and marking it `sending` in a committed transaction *before* running sendmail), hand it over,
/// and record the outcome. A message found `sending` at start may or may not have been handed
/// over before a crash: it becomes `possibly_sent` and is not sent again without an operator's
/// retry. A further loop fires due reminders. Commits announcing `.mail` or `.reminders` wake them.
final class MailSender: Component {
    let name = "mail"
    let store: Store
    let settings: NotificationsSettings
    let rules: NotificationRules
    let transport: Transport
    let log: Logger
    let now: @Sendable () -> Int64
    /// Every hand-over, outside the database (what a restore takes back).
    let ledger: MailLedger
    private let senders = Locked<[BackgroundLoop]>([])
    private let reminders = Locked<BackgroundLoop?>(nil)
    let fanOut = Locked<BackgroundLoop?>(nil)
    /// Lines said once in a while however often they happen (a full disk, a rate limit).
    let repeated = RepeatedLines(intervalMs: 10_000)

    init(
        store: Store,
        settings: NotificationsSettings,
        rules: NotificationRules,
        log: Logger,
        ledger: MailLedger,
        now: @escaping @Sendable () -> Int64
    ) {
        self.ledger = ledger
        self.store = store
        self.settings = settings
        self.rules = rules
        transport = Transport(settings: settings)
        self.log = log
        self.now = now
    }

    /// Settles hand-overs a stop interrupted: those the ledger says went out are `sent` (the
    /// service stopped, or the disk was full, before it could record so), the rest
    /// `possibly_sent`. Returns how many are possibly sent.
    @discardableResult
    func recover() throws -> Int {
        let t = now()
        let sending = try store.read { db in try NotificationsTables.sendingKeys(db) }
        let out = sending.isEmpty ? [] : ledger.entries().filter { $0.state == "sent" && sending.contains($0.key) }
        return try store.write { [log] db in
            if !out.isEmpty {
                let (_, updated) = try NotificationsTables.reconcile(db, out, nowMillis: t)
                log.notice("mail.recorded_from_ledger", ["messages": String(updated)])
            }
            return try NotificationsTables.recoverSending(db, nowMillis: t)
        }
    }

    func start() throws {
        switch settings.transport {
        case .sendmail(let path):
            log.info(
                "mail.transport",
                ["transport": "sendmail", "path": path, "concurrency": String(settings.concurrency)]
            )
        case .file(let dir) where settings.fellBackToFile:
            log.warning(
                "mail.transport",
                [
                    "transport": "file", "dir": dir,
                    "reason": "no sendmail at /usr/sbin/sendmail: messages are written as .eml files, not sent",
                ]
            )
        case .file(let dir): log.info("mail.transport", ["transport": "file", "dir": dir])
        }
        let n = try recover()
        if n > 0 {
            log.warning(
                "mail.possibly_sent",
                [
                    "messages": String(n),
                    "hint": "liaison notification list --status possibly_sent; retry ID to send again",
                ]
            )
        }
        let loops = (0..<settings.concurrency).map { i in
            BackgroundLoop(name: "mail-\(i)") { [unowned self] loop in sendRound(loop) }
        }
        let reminder = BackgroundLoop(name: "reminders") { [unowned self] _ in reminderRound() }
        let pieces = BackgroundLoop(name: "fanout") { [unowned self] _ in fanOutRound() }
        senders.withLock { $0 = loops }
        reminders.withLock { $0 = reminder }
        fanOut.withLock { $0 = pieces }
        store.observe(.mail) { [weak self] in self?.wake() }
        store.observe(.reminders) { [weak self] in self?.wakeReminders() }
        store.observe(.fanOut) { [weak self] in self?.fanOut.withLock { $0 }?.wake() }
        for l in loops { try l.start() }
        try reminder.start()
        try pieces.start()
    }

    /// Wakes every sender (messages are queued).
    func wake() { for l in senders.withLock({ $0 }) { l.wake() } }

    /// Wakes the reminder loop (a visit changed).
    func wakeReminders() { reminders.withLock { $0 }?.wake() }

    /// Stops the loops; a sendmail in progress is allowed to finish (its outcome is recorded),
    /// up to the deadline.
    func stop(deadline: UInt64) {
        let all = senders.withLock { $0 } + [reminders.withLock { $0 }, fanOut.withLock { $0 }].compactMap { $0 }
        for l in all { _ = l.stop(timeoutMs: 0) }
        for l in all { l.stop(timeoutMs: Components.millisLeft(until: deadline)) }
    }

    struct Claim {
        var id: Int64
        var raw: [UInt8]
        var recipient, messageID: String
        var attempts: Int
        var attemptRow: Int64
        /// Its line in the ledger.
        var entry: MailLedger.Entry?
    }

    private func sendRound(_ loop: BackgroundLoop) -> BackgroundLoop.Sleep {
        let claim: Claim?
        let nextDue: Int64?
        do {
            (claim, nextDue) = try self.claim()
        } catch {
            return waitAfter(error, "mail.claim_failed")
        }
        guard let claim else {
            // New messages, reminders that fire and operator retries all wake the senders; the
            // cap is a safety net that keeps an idle service from waking.
            return .atMost(ms: nextDue.map { max(1, min($0 - now(), 60_000)) } ?? 60_000)
        }
        // Written before the hand-over, as the attempt is: a database restored from a backup
        // learns from it that this message may be out.
        if var entry = claim.entry {
            do { try ledger.append(entry) } catch {
                log.error("mail.ledger_failed", ["message": String(claim.id), "error": "\(error)"])
            }
            entry.state = "sent"
            let outcome = transport.send(raw: claim.raw, recipient: claim.recipient, messageID: claim.messageID)
            if case .sent = outcome {
                entry.at = now()
                do { try ledger.append(entry) } catch {
                    log.error("mail.ledger_failed", ["message": String(claim.id), "error": "\(error)"])
                }
            }
            recordDurably(claim, outcome, loop)
            return .none
        }
        let outcome = transport.send(raw: claim.raw, recipient: claim.recipient, messageID: claim.messageID)
        recordDurably(claim, outcome, loop)
        return .none
    }

    /// Takes the oldest due message, marking it `sending` and recording the attempt, committed
    /// before anything is handed to the MTA.
    func claim() throws -> (Claim?, Int64?) {
        let t = now()
        return try store.write { [self, settings] db -> (Claim?, Int64?) in
            while true {
                guard let m = try NotificationsTables.nextDue(db, nowMillis: t) else {
                    return (nil, try NotificationsTables.nextPendingMs(db))
                }
                if t - m.createdMs > settings.maxAgeMs {
                    try NotificationsTables.expire(
                        db,
                        message: m.id,
                        why: "not handed over within \(settings.maxAgeMs / 1000) s of being queued",
                        nowMillis: t
                    )
                    continue
                }
                if let (turn, why) = try rateLimit(m, db, nowMillis: t) {
                    try NotificationsTables.putOff(db, message: m.id, untilMs: turn, why: why)
                    if let held = repeated.admit("rate:" + why.prefix(40), nowNanos: monotonicNanos()) {
                        log.notice(
                            "mail.rate_limited",
                            ["message": String(m.id), "reason": why, "repeated": String(held)]
                        )
                    }
                    continue
                }
                let attempt = try NotificationsTables.claim(db, message: m.id, nowMillis: t)
                return (
                    Claim(
                        id: m.id,
                        raw: m.raw,
                        recipient: m.recipient,
                        messageID: m.messageID,
                        attempts: m.attempts + 1,
                        attemptRow: attempt,
                        entry: try NotificationsTables.ledgerEntry(db, message: m.id, nowMillis: t)
                    ),
                    nil
                )
            }
        }
    }

    func record(_ c: Claim, _ outcome: SendOutcome) throws {
        let t = now()
        let ending: NotificationsTables.Ending
        switch outcome {
        case .sent: ending = .sent
        case .retry(let why, _) where c.attempts >= settings.maxAttempts:
            ending = .dead(why: "gave up after \(c.attempts) attempts: \(why)")
        case .retry(let why, _): ending = .retry(next: t + settings.retryDelayMs(afterAttempt: c.attempts), why: why)
        case .dead(let why, _): ending = .dead(why: why)
        case .uncertain(let why, _): ending = .possiblySent(why: why)
        }
        try store.write { db in
            try NotificationsTables.finish(
                db,
                message: c.id,
                attempt: c.attemptRow,
                ending,
                output: outcome.output,
                nowMillis: t
            )
        }
        switch outcome {
        case .sent: log.info("mail.sent", ["message": String(c.id), "to": c.recipient])
        case .retry(let why, _):
            log.notice("mail.retry", ["message": String(c.id), "attempt": String(c.attempts), "reason": why])
        case .dead(let why, let out):
            log.warning("mail.dead", ["message": String(c.id), "reason": why, "mta": String(out.prefix(300))])
        case .uncertain(let why, _):
            log.warning(
                "mail.possibly_sent",
                [
                    "message": String(c.id), "reason": why,
                    "hint": "liaison notification list --status possibly_sent; retry ID to send again",
                ]
            )
        }
    }

    private func reminderRound() -> BackgroundLoop.Sleep {
        var next: Int64? = nil
        do {
            // Every delegation event wakes this loop; only a reminder that is due costs a write.
            next = try store.read { db in try NotificationsTables.nextReminderMs(db) }
            if let due = next, due <= now() {
                let fired = try store.write { [rules] db in try rules.fireDueReminders(db) }
                if fired > 0 {
                    log.info("reminders.fired", ["messages": String(fired)])
                    wake()
                }
                next = try store.read { db in try NotificationsTables.nextReminderMs(db) }
            }
        } catch {
            log.error("reminders.failed", ["error": "\(error)"])
        }
        return .atMost(ms: next.map { max(1, min($0 - now(), 3_600_000)) } ?? 3_600_000)
    }
}
