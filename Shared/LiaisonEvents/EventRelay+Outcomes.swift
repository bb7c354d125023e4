import Dispatch
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// What a subscriber said of a batch: each event delivered, to be retried (with backoff) or
/// dead-lettered; a batch that all went through moves the position at once and is written behind.
extension EventRelay {
    /// Records what the subscriber said about each event, in one transaction.
    func record(subscriber: String, _ slot: ClientSlot, batch: RelayBatch, reply: JSONValue) throws {
        let results: [DeliveryResult]
        do { results = try JSONDecoding.decode([DeliveryResult].self, from: reply["results"] ?? .null) } catch {
            throw ServiceError(.internal, "\(subscriber) answered events.deliver without results: \(error)")
        }
        guard results.count == batch.rows.count else {
            throw ServiceError(
                .internal,
                "\(subscriber) answered events.deliver with \(results.count) results for \(batch.rows.count) events"
            )
        }
        let now = wallClockMillis()
        var delivered: Int64 = 0
        var dead: [String] = []
        var waiting: [String] = []
        var diskFull: [String] = []
        var outcomes: [RelayOutcome] = []
        outcomes.reserveCapacity(results.count)
        for (row, r) in zip(batch.rows, results) {
            switch r.status {
            case .applied, .duplicate, .ignored:
                outcomes.append(.delivered)
                delivered += 1
            case .failed:
                let e = r.error ?? ServiceError(.internal, "failed without details")
                let attempts = Int(row.attempts) + 1
                if e.details?["reason"]?.stringValue == "disk_full" {
                    // The subscriber's disk is full: held, counting nothing (it is not the
                    // event's fault), and offered again every few seconds until space is freed.
                    outcomes.append(
                        .waitUpgrade(next: now + RelayQueries.diskFullRecheckMs, why: diskFullMark + e.message)
                    )
                    diskFull.append("\(row.eventID) → \(subscriber): \(e.message)")
                } else if let reason = e.details?["reason"]?.stringValue,
                    reason == "upgrade_needed" || reason == "producer_behind"
                {
                    // Newer than the subscriber reads, or a sequence it has from another change:
                    // held (counting nothing) until the upgrade, or this producer's recovery.
                    let mark = reason == "upgrade_needed" ? upgradeNeededMark : producerBehindMark
                    outcomes.append(.waitUpgrade(next: now + RelayQueries.upgradeRecheckMs, why: mark + e.message))
                    waiting.append("\(row.eventID) → \(subscriber): \(e.message)")
                } else if !e.retryable || attempts >= settings.maxAttempts {
                    let why =
                        e.retryable
                        ? "gave up after \(attempts) attempts: \(e.code): \(e.message)" : "\(e.code): \(e.message)"
                    outcomes.append(.dead(attempts: attempts, why: why))
                    dead.append("\(row.eventID) → \(subscriber): \(why)")
                } else {
                    let next = now + Int64(settings.retryDelayMs(attempt: attempts, jitter: Double.random(in: -1...1)))
                    outcomes.append(.retry(attempts: attempts, next: next, why: "\(e.code): \(e.message)"))
                }
            case .blocked:
                outcomes.append(.blocked)  // not tried: an earlier event of its key failed in this batch
            }
        }
        if delivered == batch.rows.count && batch.held.isEmpty && batch.waitingUpgrade.isEmpty
            && !batch.rows.contains(where: \.listed)
        {
            // Every event went through: go on from here at once; the round is written behind.
            if let to = batch.advanceTo {
                slot.position = to
                slot.sent.max(to, ordering: .relaxed)
            }
            for row in batch.rows { slot.acked[row.key] = max(slot.acked[row.key] ?? 0, row.keySeq) }
            var written = batch
            written.payload = []
            slot.settles.async { [store, log, written, outcomes] in
                do {
                    try store.write { db in
                        try RelayQueries.settle(
                            db,
                            subscriber: subscriber,
                            batch: written,
                            outcomes: outcomes,
                            now: now
                        )
                    }
                } catch {
                    log.error("relay.write_failed", ["subscriber": subscriber, "error": "\(error)"])
                    slot.stale.store(true, ordering: .relaxed)
                }
            }
        } else {
            slot.catchUp()
            try store.write { [outcomes] db in
                try RelayQueries.settle(db, subscriber: subscriber, batch: batch, outcomes: outcomes, now: now)
            }
        }
        for d in dead { log.warning("relay.dead", ["detail": d]) }
        for w in waiting { log.warning("relay.waiting_upgrade", ["detail": w]) }
        if let first = diskFull.first {
            log.warning("relay.waiting_disk", ["detail": first, "events": String(diskFull.count), "recheck_s": "5"])
        }
        state.withLock { s in s[subscriber, default: SubscriberState()].delivered += delivered }
    }

    /// Deletes outbox rows whose every delivery is done and older than the retention, at most
}
