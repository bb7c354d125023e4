import Dispatch
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// Delivers a producer's outbox (DESIGN §3): a background loop per subscriber sends the events
/// past its position (and due ones on its exception list) in batches as `events.deliver`, at
/// most one batch in flight per subscriber, so one key's events arrive in order. Commits that
/// append events wake it; retries wake it when due.
package final class EventRelay: Component {
    package let name = "relay"
    let store: Store
    let source: String
    let settings: EventSettings
    let log: Logger
    let subscriptions: Subscriptions
    /// Which versions of each type's data this producer can send.
    let versions: EventVersions
    private let loops = Locked<[String: BackgroundLoop]>([:])
    let slots = Locked<[ClientSlot]>([])
    let state = Locked<[String: SubscriberState]>([:])
    private let lastPruneMs = Atomic<Int64>(0)

    /// What the relay knows of a subscriber.
    struct SubscriberState: Sendable {
        var downSinceMs: Int64?
        var lastError: String?
        var retryAtMs: Int64 = 0
        var failures = 0
        var delivered: Int64 = 0
        var batches: Int64 = 0
    }

    package init(
        store: Store,
        source: String,
        subscriptions: Subscriptions,
        settings: EventSettings,
        log: Logger,
        versions: EventVersions = .release
    ) {
        self.store = store
        self.source = source
        self.subscriptions = subscriptions
        self.settings = settings
        self.log = log
        self.versions = versions
    }

    /// Starts a loop per subscriber; commits that append events wake them.
    package func start() throws {
        store.observe(.outbox) { [weak self] in
            if EventTrace.enabled, let self { EventTrace.mark(self.log, "committed") }
            self?.wakeAll()
        }
        var started: [String: BackgroundLoop] = [:]
        for sub in subscriptions.subscribers.values.sorted(by: { $0.name < $1.name }) {
            let client = ClientSlot(name: sub.name)
            let loop = BackgroundLoop(name: "relay-\(sub.name)") { [unowned self] _ in self.round(sub, client) }
            started[sub.name] = loop
            slots.withLock { $0.append(client) }
        }
        loops.withLock { $0 = started }
        for l in started.values { try l.start() }
        log.info(
            "relay.started",
            ["subscribers": started.keys.sorted().joined(separator: ","), "batch": String(settings.batch)]
        )
    }

    package func stop(deadline: UInt64) {
        let all = Array(loops.withLock { $0 }.values)
        for l in all { _ = l.stop(timeoutMs: 0) }
        for l in all { l.stop(timeoutMs: Components.millisLeft(until: deadline)) }
        for s in slots.withLock({ $0 }) { s.settles.sync {} }  // what was delivered is written before the store closes
    }

    /// Wakes every subscriber's loop (new events are committed, or dead ones redriven).
    package func wakeAll() { for l in loops.withLock({ Array($0.values) }) { l.wake() } }

    /// How far the relay has sent to `subscriber` and had acknowledged, perhaps ahead of what
    /// the database records yet (0 when it has not sent anything since it started).
    func sentPosition(_ subscriber: String) -> Int64 {
        slots.withLock { s in s.first { $0.name == subscriber } }?.sent.load(ordering: .relaxed) ?? 0
    }

    /// Per-subscriber delivery state.
    package func health() -> [String: SubscriberHealth] {
        let copy = state.withLock { $0 }
        var out: [String: SubscriberHealth] = [:]
        for name in subscriptions.subscribers.keys {
            let s = copy[name] ?? SubscriberState()
            out[name] = SubscriberHealth(
                reachable: s.downSinceMs == nil,
                delivered: s.delivered,
                batches: s.batches,
                downSince: s.downSinceMs.map { Timestamp.rfc3339(millis: $0) },
                lastError: s.lastError
            )
        }
        return out
    }

    // MARK: one round of a subscriber's loop

    /// What a subscriber's loop keeps between rounds. `@unchecked Sendable`: its variables are
    /// touched only by its own loop's thread; `sent` and `stale` are atomics that other threads
    /// read (`events.skip`) or set (a write behind that failed).
    final class ClientSlot: @unchecked Sendable {
        let name: String
        init(name: String) { self.name = name }
        var client: WireClient?
        /// The subscriber's frame limit as it says (`service.describe`, or a `frame_too_large`
        /// answer); until then the mesh file's.
        var maxFrame: Int?
        /// The versions of each type's data the subscriber reads, as its `service.describe`
        /// says (nil until learned, or from a release that predates versions: version 1).
        var reads: [String: [Int]]?
        /// Where the subscriber is, ahead of the database: a round whose every event went
        /// through is written without the loop waiting for it (on `settles`, in order), and the
        /// next round starts from here. A crash before it is written only sends those events
        /// again, which the subscriber's inbox answers as duplicates.
        var position: Int64?
        /// The furthest position sent and acknowledged, for other threads (`events.skip`).
        let sent = Atomic<Int64>(0)
        /// Each key's last acknowledged sequence, ahead of the database likewise.
        var acked: [String: Int64] = [:]
        let settles = DispatchQueue(label: "liaison.relay.settle")
        /// A write on `settles` failed: start again from what the database holds.
        let stale = Atomic<Bool>(false)

        /// Waits for the rounds written ahead, then reads from the database again.
        func catchUp() {
            settles.sync {}
            position = nil
            acked = [:]
            stale.store(false, ordering: .relaxed)
        }

        func drop() {
            client?.close()
            client = nil
        }
    }

    /// Room for events in one call to `sub`: its frame limit less the envelope around them.
    private func budget(_ sub: Subscriptions.Subscriber, _ slot: ClientSlot) -> Int {
        (slot.maxFrame ?? sub.maxFrame) - 256
    }

    /// Connects to `sub` and learns its frame limit and the versions it reads from
    /// `service.describe`; deliveries held for its upgrade are looked at again at once (it may
    /// be the upgraded release).
    private func connect(_ sub: Subscriptions.Subscriber, _ slot: ClientSlot) throws {
        let c = try WireClient(path: sub.socket, timeoutMs: 2000)
        // Read leniently: a subscriber of any release (or a test's) says what it says.
        if let d = try? c.call(ServiceAPI.describe.name, timeoutMs: 2000) {
            if let limit = d["limits"]?["max_frame_bytes"]?.intValue.map(Int.init) {
                if limit != slot.maxFrame ?? sub.maxFrame {
                    log.info("relay.subscriber_limit", ["subscriber": sub.name, "max_frame_bytes": String(limit)])
                }
                slot.maxFrame = limit
            }
            let reads = d["events"]?["reads"].flatMap { try? JSONDecoding.decode([String: [Int]].self, from: $0) }
            if reads != slot.reads {
                log.info(
                    "relay.subscriber_reads",
                    [
                        "subscriber": sub.name, "version": d["version"]?.stringValue ?? "?",
                        "reads": reads.map { "\($0.count) types" } ?? "version 1 of each",
                    ]
                )
            }
            slot.reads = reads
        }
        slot.client = c
        let now = wallClockMillis()
        if let n = try? store.write({ db in try RelayQueries.recheckUpgrades(db, subscriber: sub.name, now: now) }),
            n > 0
        {
            log.info("relay.upgrade_recheck", ["subscriber": sub.name, "events": String(n)])
            slot.catchUp()
        }
    }

    private func round(_ sub: Subscriptions.Subscriber, _ slot: ClientSlot) -> BackgroundLoop.Sleep {
        let now = wallClockMillis()
        let retryAt = state.withLock { $0[sub.name]?.retryAtMs ?? 0 }
        if retryAt > now { return .atMost(ms: retryAt - now) }
        pruneIfDue(now: now)
        if slot.stale.load(ordering: .relaxed) || slot.acked.count > 50_000 { slot.catchUp() }
        var batch: RelayBatch
        do {
            batch = try dueBatch(subscriber: sub.name, slot, now: now, maxBytes: budget(sub, slot))
            if !(batch.rows.isEmpty && batch.waitingUpgrade.isEmpty) && slot.client?.isOpen != true {
                let before = budget(sub, slot), reads = slot.reads
                try connect(sub, slot)
                if budget(sub, slot) < before || slot.reads != reads {
                    batch = try dueBatch(subscriber: sub.name, slot, now: now, maxBytes: budget(sub, slot))
                }
            }
        } catch let e as ServiceError {
            slot.drop()
            return unreachable(sub.name, e)
        } catch {
            log.error("relay.read_failed", ["subscriber": sub.name, "error": "\(error)"])
            return .atMost(ms: Int64(settings.pollMs))
        }
        if batch.rows.isEmpty {
            // After a dead letter, or a round that only moved the position, go on at once.
            if batch.deadLettered || batch.movesWithoutSending { return .none }
            let untilDue = batch.nextDueMs.map { max($0 - now, 1) } ?? Int64(settings.pollMs)
            return .atMost(ms: min(untilDue, Int64(settings.pollMs)))
        }
        let seqs = EventTrace.enabled ? "\(batch.rows[0].outboxSeq)-\(batch.rows[batch.rows.count - 1].outboxSeq)" : ""
        EventTrace.mark(log, "read", ["subscriber": sub.name, "seq": seqs, "count": String(batch.rows.count)])
        do {
            var params = Array("{\"events\":".utf8)
            params += batch.payload
            params.append(UInt8(ascii: "}"))
            EventTrace.mark(log, "sent", ["subscriber": sub.name, "seq": seqs, "bytes": String(params.count)])
            let reply = try slot.client!.call(
                "events.deliver",
                rawParams: params,
                timeoutMs: settings.callTimeoutMs,
                idempotent: true
            )
            EventTrace.mark(log, "answered", ["subscriber": sub.name, "seq": seqs])
            try record(subscriber: sub.name, slot, batch: batch, reply: reply)
            EventTrace.mark(log, "acked", ["subscriber": sub.name, "seq": seqs])
            state.withLock { s in
                var st = s[sub.name] ?? SubscriberState()
                if st.downSinceMs != nil { log.info("relay.subscriber_back", ["subscriber": sub.name]) }
                st.downSinceMs = nil
                st.lastError = nil
                st.failures = 0
                st.retryAtMs = 0
                st.batches += 1
                s[sub.name] = st
            }
            return .none
        } catch let e as ServiceError where e.code == .frameTooLarge && e.details?["limit"]?.intValue != nil {
            slot.drop()
            return tooLarge(sub, slot, batch, limit: Int(e.details?["limit"]?.intValue ?? 0))
        } catch {
            slot.drop()
            return unreachable(sub.name, error)
        }
    }

    /// The subscriber refused the call as larger than its frame limit (lowered since the relay
    /// learned it): take the new limit; a lone event over it is dead at once, a batch is made
    /// again smaller. Either way the loop goes on at once.
    private func tooLarge(
        _ sub: Subscriptions.Subscriber,
        _ slot: ClientSlot,
        _ batch: RelayBatch,
        limit: Int
    ) -> BackgroundLoop.Sleep {
        log.info("relay.subscriber_limit", ["subscriber": sub.name, "max_frame_bytes": String(limit)])
        slot.maxFrame = limit
        // A batch that fits the limit it names was refused for some other reason: back off.
        if batch.payload.count <= budget(sub, slot) {
            return unreachable(
                sub.name,
                ServiceError(.frameTooLarge, "\(sub.name) refused \(batch.payload.count) bytes under its limit")
            )
        }
        guard batch.rows.count == 1, let row = batch.rows.first else { return .none }
        let why = "event \(row.eventID) is larger than \(sub.name)'s max frame (\(limit) bytes)"
        do {
            slot.catchUp()
            try store.write { db in
                try RelayQueries.settle(
                    db,
                    subscriber: sub.name,
                    batch: batch,
                    outcomes: [.dead(attempts: nil, why: why)],
                    now: wallClockMillis()
                )
            }
            log.error("relay.dead", ["detail": why])
        } catch {
            log.error("relay.write_failed", ["subscriber": sub.name, "error": "\(error)"])
            return .atMost(ms: Int64(settings.pollMs))
        }
        return .none
    }

    /// A subscriber that cannot be reached (or answered the whole call with an error): wait and
    /// try again, backing off to 2 s (a connect attempt costs microseconds, and a consumer that
    /// comes back should not wait long). Its deliveries stay pending, their attempts untouched.
    private func unreachable(_ subscriber: String, _ error: any Error) -> BackgroundLoop.Sleep {
        let now = wallClockMillis()
        let retryAt = state.withLock { s -> Int64 in
            var st = s[subscriber] ?? SubscriberState()
            if st.downSinceMs == nil {
                st.downSinceMs = now
                log.warning("relay.subscriber_unreachable", ["subscriber": subscriber, "error": "\(error)"])
            }
            st.failures += 1
            st.lastError = "\(error)"
            let delay = min(50 * (1 << min(st.failures, 6)), 2000)
            st.retryAtMs = now + Int64(Double(delay) * Double.random(in: 0.8...1.2))
            s[subscriber] = st
            return st.retryAtMs
        }
        return .atMost(ms: max(retryAt - now, 1))
    }

    /// The next batch for `subscriber`; an event too large for the subscriber's frames is dead
    /// at once, with the reason. A round that sends nothing but moves the position (events it
    /// does not take, or held behind an open one of their key) is written here.
    private func dueBatch(subscriber: String, _ slot: ClientSlot, now: Int64, maxBytes: Int) throws -> RelayBatch {
        var (batch, tooLarge) = try store.read { [subscriptions] db in
            try RelayQueries.collect(
                db,
                subscriber: subscriber,
                takes: { subscriptions.takes(subscriber, $0) },
                now: now,
                maxBytes: maxBytes,
                limit: settings.batch,
                position: slot.position,
                acked: slot.acked,
                form: form(for: subscriber, reads: slot.reads)
            )
        }
        if tooLarge != nil || batch.movesWithoutSending { slot.catchUp() }
        if let big = tooLarge {
            let why = "event \(big.eventID) is larger than \(subscriber)'s max frame (\(maxBytes + 256) bytes)"
            batch.rows = [big]
            try store.write { [batch] db in
                try RelayQueries.settle(
                    db,
                    subscriber: subscriber,
                    batch: batch,
                    outcomes: [.dead(attempts: nil, why: why)],
                    now: now
                )
            }
            log.error("relay.dead", ["detail": why])
            return RelayBatch(deadLettered: true)
        }
        if batch.movesWithoutSending {
            try store.write { [batch] db in
                try RelayQueries.settle(db, subscriber: subscriber, batch: batch, outcomes: [], now: now)
            }
        }
        return batch
    }

    /// once per `pruneEveryMs` across all subscribers' loops.
    private func pruneIfDue(now: Int64) {
        let last = lastPruneMs.load(ordering: .acquiring)
        guard now - last >= settings.pruneEveryMs,
            lastPruneMs.compareExchange(expected: last, desired: now, ordering: .acquiringAndReleasing).exchanged
        else { return }
        do {
            let cutoff = now - settings.pruneDeliveredAfterMs
            let names = subscriptions.subscribers.keys.sorted()
            let n = try store.write { db in try RelayQueries.prune(db, before: cutoff, subscribers: names) }
            if n > 0 { log.info("relay.pruned", ["rows": String(n)]) }
        } catch {
            log.error("relay.prune_failed", ["error": "\(error)"])
        }
    }
}
