import Glibc
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// What keeps the senders within bounds: the rate limits, a full disk waited out rather than
/// spun on, outcomes recorded however long the disk takes to free, and the fan-out loop that
/// queues large visits' mail a piece at a time.
extension MailSender {
    /// When `m` may go under the rate limits (and why it waits), or nil when it may go now.
    func rateLimit(_ m: DueMessage, _ db: Database, nowMillis t: Int64) throws -> (Int64, String)? {
        let hourAgo = t - 3_600_000
        let limits: [(Int, String, String, () throws -> (Int, Int64?))] = [
            (
                settings.perRecipientPerHour, "per_recipient_per_hour", "to \(m.recipient)",
                { try NotificationsTables.outTo(db, address: m.recipient, sinceMs: hourAgo) }
            ),
            (
                settings.perVisitPerHour, "per_visit_per_hour", "of \(m.subjectID)",
                { try NotificationsTables.outOf(db, subjectID: m.subjectID, sinceMs: hourAgo) }
            ),
        ]
        for (limit, setting, whose, count) in limits where limit > 0 {
            let (n, oldest) = try count()
            if n >= limit {
                return (
                    (oldest ?? t) + 3_600_001,
                    "\(n) messages \(whose) in the last hour (settings.mail.\(setting): \(limit)); waits its turn"
                )
            }
        }
        return nil
    }

    /// How long a loop waits after `error`: a full disk is said once in a while and waited out
    /// (5 s), anything else logged and tried again in a second.
    func waitAfter(_ error: any Error, _ event: String) -> BackgroundLoop.Sleep {
        if let e = error as? StoreError, e.isDiskFull {
            if let held = repeated.admit("disk_full", nowNanos: monotonicNanos()) {
                log.warning(
                    "mail.disk_full",
                    [
                        "error": "\(e)", "repeated": String(held),
                        "hint": "nothing is lost: queueing and sending wait until space is freed",
                    ]
                )
            }
            return .atMost(ms: 5000)
        }
        log.error(event, ["error": "\(error)"])
        return .atMost(ms: 1000)
    }

    /// Records a hand-over's outcome, trying again (a full disk, a busy database) until it is
    /// written or the service stops: a message handed over must never be left `sending`
    /// (it would become `possibly_sent` with a wrong reason).
    func recordDurably(_ c: Claim, _ outcome: SendOutcome, _ loop: BackgroundLoop) {
        var pause: UInt32 = 100_000
        while true {
            do {
                try record(c, outcome)
                return
            } catch {
                if let held = repeated.admit("record", nowNanos: monotonicNanos()) {
                    log.error(
                        "mail.record_failed",
                        ["message": String(c.id), "error": "\(error)", "repeated": String(held), "retrying": "true"]
                    )
                }
                // Stopping: the ledger holds the hand-over; the next start records it from there.
                if loop.isStopping { return }
                usleep(pause)
                pause = min(pause * 2, 5_000_000)
            }
        }
    }

    /// One piece of the oldest fan-out job, in its own transaction.
    func fanOutRound() -> BackgroundLoop.Sleep {
        do {
            guard let (queued, more) = try store.write({ [rules] db in try rules.runNextPiece(db) }) else {
                return .atMost(ms: 60_000)
            }
            if queued > 0 { wake() }
            return more ? .none : .atMost(ms: 60_000)
        } catch {
            return waitAfter(error, "mail.fanout_failed")
        }
    }
}
