import Dispatch
import Glibc
import LiaisonRuntime
import LiaisonStore
import LiaisonWire
import Synchronization

/// Sends queued messages: `concurrency` threads each claim one due message (recording the attempt
/// and marking it `sending` in a committed transaction *before* running sendmail), hand it over,
/// and record the outcome. A message found `sending` at start may or may not have been handed
/// over before a crash: it becomes `possibly_sent` and is not sent again without an operator's retry.
/// A further thread fires due reminders.
final class MailSender: Sendable {
    let store: Store
    let settings: NotificationSettings
    let rules: NotificationRules
    let transport: Transport
    let log: Logger
    let now: @Sendable () -> Int64
    private let wakeSend = DispatchSemaphore(value: 0)
    private let wakeReminders = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)
    let counters = Mutex((sent: 0, retried: 0, dead: 0))

    init(store: Store, settings: NotificationSettings, rules: NotificationRules, log: Logger, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.settings = settings
        self.rules = rules
        transport = Transport(settings: settings)
        self.log = log
        self.now = now
    }

    /// Marks interrupted hand-overs `possibly_sent`; returns how many.
    @discardableResult
    func recover() throws -> Int {
        let t = now()
        return try store.write { db in
            try db.run("""
                UPDATE messages SET status = 'possibly_sent', updated_ms = ?,
                    last_error = 'the service stopped while this message was being handed to the MTA; it may have been sent. Not sent again without an operator retry.'
                WHERE status = 'sending'
                """, [t])
        }
    }

    func start() throws {
        let n = try recover()
        if n > 0 { log.warning("mail.possibly_sent", ["messages": String(n), "hint": "liaison notification list --status possibly_sent; retry ID to send again"]) }
        for i in 0..<settings.concurrency {
            running.wrappingAdd(1, ordering: .relaxed)
            try OwnedThread.start(name: "mail-\(i)") { [self] in
                defer { running.wrappingAdd(-1, ordering: .relaxed) }
                sendLoop()
            }
        }
        running.wrappingAdd(1, ordering: .relaxed)
        try OwnedThread.start(name: "reminders") { [self] in
            defer { running.wrappingAdd(-1, ordering: .relaxed) }
            reminderLoop()
        }
    }

    func wake() {
        for _ in 0..<settings.concurrency { wakeSend.signal() }
    }

    func wakeReminderThread() { wakeReminders.signal() }

    func stop() {
        stopping.store(true, ordering: .releasing)
        for _ in 0..<(settings.concurrency + 1) { wakeSend.signal() }
        wakeReminders.signal()
        // A sendmail in progress is allowed to finish (its outcome is recorded).
        for _ in 0..<(settings.timeoutMs / 5 + 200) where running.load(ordering: .acquiring) > 0 { usleep(5000) }
    }

    struct Claim {
        var id: Int64
        var raw: [UInt8]
        var recipient: String
        var messageID: String
        var attempts: Int
        var attemptRow: Int64
    }

    private func sendLoop() {
        while !stopping.load(ordering: .acquiring) {
            let claim: Claim?
            var nextDue: Int64? = nil
            do {
                (claim, nextDue) = try self.claim()
            } catch {
                log.error("mail.claim_failed", ["error": "\(error)"])
                _ = wakeSend.wait(timeout: .now() + .seconds(1))
                continue
            }
            guard let claim else {
                // New messages, reminders that fire and operator retries all wake the senders;
                // the cap is a safety net that keeps an idle service from waking.
                let waitMs = nextDue.map { max(1, min($0 - now(), 60_000)) } ?? 60_000
                _ = wakeSend.wait(timeout: .now() + .milliseconds(Int(waitMs)))
                continue
            }
            let outcome = transport.send(raw: claim.raw, recipient: claim.recipient, messageID: claim.messageID)
            do { try record(claim, outcome) } catch { log.error("mail.record_failed", ["message": String(claim.id), "error": "\(error)"]) }
        }
    }

    /// Takes the oldest due message, marking it `sending` and recording the attempt, committed
    /// before anything is handed to the MTA.
    func claim() throws -> (Claim?, Int64?) {
        let t = now()
        return try store.write { [settings] db -> (Claim?, Int64?) in
            while true {
                guard let r = try db.queryOne("""
                    SELECT id, raw, recipient, message_id, attempts, created_ms FROM messages
                    WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT 1
                    """, [t]) else {
                    return (nil, try db.queryOne("SELECT min(next_attempt_ms) FROM messages WHERE status = 'pending'")?.int(0))
                }
                let id = r.int(0)!
                if t - r.int(5)! > settings.maxAgeMs {
                    try db.run("UPDATE messages SET status = 'dead', last_error = coalesce(last_error || '; ', '') || ?, updated_ms = ? WHERE id = ?",
                               ["not handed over within \(settings.maxAgeMs / 1000) s of being queued", t, id])
                    continue
                }
                try db.run("UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_ms = ? WHERE id = ?", [t, id])
                try db.run("INSERT INTO attempts(message, started_ms) VALUES(?, ?)", [id, t])
                return (Claim(id: id, raw: r.blob(1) ?? [], recipient: r.string(2)!, messageID: r.string(3)!, attempts: Int(r.int(4)!) + 1,
                              attemptRow: db.lastInsertRowID), nil)
            }
        }
    }

    func record(_ c: Claim, _ outcome: SendOutcome) throws {
        let t = now()
        try store.write { [settings] db in
            switch outcome {
            case .sent(let out):
                try db.run("UPDATE messages SET status = 'sent', sent_ms = ?, updated_ms = ?, mta_output = ?, last_error = NULL WHERE id = ?", [t, t, out, c.id])
                try db.run("UPDATE attempts SET finished_ms = ?, outcome = 'sent', detail = ? WHERE id = ?", [t, out, c.attemptRow])
            case .retry(let why, let out):
                if c.attempts >= settings.maxAttempts {
                    try db.run("UPDATE messages SET status = 'dead', updated_ms = ?, mta_output = ?, last_error = ? WHERE id = ?",
                               [t, out, "gave up after \(c.attempts) attempts: \(why)", c.id])
                } else {
                    try db.run("UPDATE messages SET status = 'pending', next_attempt_ms = ?, updated_ms = ?, mta_output = ?, last_error = ? WHERE id = ?",
                               [t + settings.retryDelayMs(afterAttempt: c.attempts), t, out, why, c.id])
                }
                try db.run("UPDATE attempts SET finished_ms = ?, outcome = 'retry', detail = ? WHERE id = ?", [t, why + (out.isEmpty ? "" : ": " + out), c.attemptRow])
            case .dead(let why, let out):
                try db.run("UPDATE messages SET status = 'dead', updated_ms = ?, mta_output = ?, last_error = ? WHERE id = ?", [t, out, why, c.id])
                try db.run("UPDATE attempts SET finished_ms = ?, outcome = 'dead', detail = ? WHERE id = ?", [t, why + (out.isEmpty ? "" : ": " + out), c.attemptRow])
            }
        }
        counters.withLock { x in
            switch outcome {
            case .sent: x.sent += 1
            case .retry: x.retried += 1
            case .dead: x.dead += 1
            }
        }
        switch outcome {
        case .sent: log.debug("mail.sent", ["message": String(c.id), "to": c.recipient])
        case .retry(let why, _): log.notice("mail.retry", ["message": String(c.id), "attempt": String(c.attempts), "reason": why])
        case .dead(let why, let out): log.warning("mail.dead", ["message": String(c.id), "reason": why, "mta": String(out.prefix(300))])
        }
    }

    private func reminderLoop() {
        while !stopping.load(ordering: .acquiring) {
            var next: Int64? = nil
            do {
                // Every delegation event wakes this thread; only a reminder that is due costs a write.
                next = try store.read { [rules] db in try rules.nextReminderMs(db) }
                if let due = next, due <= now() {
                    let fired = try store.write { [rules] db in try rules.fireDueReminders(db) }
                    if fired > 0 {
                        log.info("reminders.fired", ["messages": String(fired)])
                        wake()
                    }
                    next = try store.read { [rules] db in try rules.nextReminderMs(db) }
                }
            } catch {
                log.error("reminders.failed", ["error": "\(error)"])
            }
            let waitMs = next.map { max(1, min($0 - now(), 3_600_000)) } ?? 3_600_000
            _ = wakeReminders.wait(timeout: .now() + .milliseconds(Int(waitMs)))
        }
    }
}
