import Dispatch
import Glibc
import LiaisonStore
import LiaisonWire
import Synchronization

/// Delivers a producer's outbox (DESIGN §3): one thread per subscriber sends due deliveries in
/// batches as `events.deliver`, at most one batch in flight per subscriber, so one key's events
/// arrive in order; it wakes when a commit adds events, and polls as a fallback.
///
/// `@unchecked Sendable`: state shared with the subscriber threads is behind Mutexes/Atomics.
package final class EventRelay: @unchecked Sendable {
    let store: Store
    let source: String
    let settings: EventSettings
    let log: Logger
    /// Subscriber name → where it listens and the largest frame it takes.
    let subscribers: [String: Subscriber]

    /// A service this relay delivers to.
    package struct Subscriber: Sendable {
        package var socket: String
        package var maxFrame: Int
        package init(socket: String, maxFrame: Int) {
            self.socket = socket
            self.maxFrame = maxFrame
        }
    }
    private var wakers: [String: Waker] = [:]
    private let stopping = Atomic<Bool>(false)
    private let state = Mutex<[String: SubscriberState]>([:])
    private let running = Atomic<Int>(0)

    /// What the relay knows of a subscriber it cannot reach.
    struct SubscriberState: Sendable {
        var downSinceMs: Int64?
        var lastError: String?
        var retryAtMs: Int64 = 0
        var failures = 0
        var delivered: Int64 = 0
        var batches: Int64 = 0
    }

    final class Waker: Sendable {
        let sem = DispatchSemaphore(value: 0)
        let flagged = Atomic<Bool>(false)
        func wake() { if !flagged.exchange(true, ordering: .acquiringAndReleasing) { sem.signal() } }
        func wait(ms: Int) {
            _ = sem.wait(timeout: .now() + .milliseconds(max(ms, 1)))
            flagged.store(false, ordering: .releasing)
        }
    }

    package init(store: Store, source: String, subscribers: [String: Subscriber], settings: EventSettings, log: Logger) {
        self.store = store
        self.source = source
        self.subscribers = subscribers
        self.settings = settings
        self.log = log
        for name in subscribers.keys { wakers[name] = Waker() }
    }

    /// Starts a thread per subscriber; commits that add events wake them.
    package func start() throws {
        let wake: @Sendable () -> Void = { [self] in wakeAll() }
        try store.withWriter { db in db.outboxListener = wake }
        for (name, sub) in subscribers.sorted(by: { $0.key < $1.key }) {
            running.wrappingAdd(1, ordering: .relaxed)
            try OwnedThread.start(name: "relay-\(name)") { [self] in
                defer { running.wrappingAdd(-1, ordering: .relaxed) }
                loop(subscriber: name, path: sub.socket, maxBytes: sub.maxFrame - 256)
            }
        }
        log.info("relay.started", ["subscribers": subscribers.keys.sorted().joined(separator: ","), "batch": String(settings.batch)])
    }

    /// Wakes every subscriber thread (new events are committed).
    package func wakeAll() { for w in wakers.values { w.wake() } }

    /// Stops the threads after their current batch.
    package func stop() {
        stopping.store(true, ordering: .releasing)
        wakeAll()
        for _ in 0..<500 where running.load(ordering: .acquiring) > 0 { usleep(2000) }
    }

    /// Per-subscriber delivery state for `service.health`.
    package func health() -> JSONObject {
        let copy = state.withLock { $0 }
        var out = JSONObject()
        for name in subscribers.keys.sorted() {
            let s = copy[name] ?? SubscriberState()
            var o: JSONObject = ["reachable": .bool(s.downSinceMs == nil), "delivered": .int(s.delivered), "batches": .int(s.batches)]
            if let d = s.downSinceMs { o["down_since"] = .string(Logger.timestamp(millis: d)) }
            if let e = s.lastError { o["last_error"] = .string(e) }
            out[name] = .object(o)
        }
        return out
    }

    // MARK: the delivery loop

    private func loop(subscriber: String, path: String, maxBytes: Int) {
        let waker = wakers[subscriber]!
        var client: WireClient?
        var lastPrune: Int64 = 0
        while !stopping.load(ordering: .acquiring) {
            let now = wallClockMillis()
            let retryAt = state.withLock { $0[subscriber]?.retryAtMs ?? 0 }
            if retryAt > now {
                waker.wait(ms: Int(retryAt - now))
                continue
            }
            if subscriber == subscribers.keys.min(), now - lastPrune >= settings.pruneEveryMs {
                lastPrune = now
                prune(now: now)
            }
            let batch: DueBatch
            do { batch = try dueBatch(subscriber: subscriber, now: now, maxBytes: maxBytes) } catch {
                log.error("relay.read_failed", ["subscriber": subscriber, "error": "\(error)"])
                waker.wait(ms: settings.pollMs)
                continue
            }
            if batch.rows.isEmpty {
                waker.wait(ms: batch.nextDueMs.map { Int(max($0 - now, 1)) }.map { min($0, settings.pollMs) } ?? settings.pollMs)
                continue
            }
            do {
                if client == nil || client?.isOpen == false { client = try WireClient(path: path, timeoutMs: 2000) }
                var params = Array("{\"events\":".utf8)
                params += batch.payload
                params.append(UInt8(ascii: "}"))
                let reply = try client!.call("events.deliver", rawParams: params, timeoutMs: settings.callTimeoutMs)
                try record(subscriber: subscriber, batch: batch, reply: reply)
                state.withLock { s in
                    var st = s[subscriber] ?? SubscriberState()
                    if st.downSinceMs != nil { log.info("relay.subscriber_back", ["subscriber": subscriber]) }
                    st.downSinceMs = nil
                    st.lastError = nil
                    st.failures = 0
                    st.retryAtMs = 0
                    st.batches += 1
                    s[subscriber] = st
                }
            } catch {
                client?.close()
                client = nil
                unreachable(subscriber, error)
            }
        }
    }

    /// A subscriber that cannot be reached (or answered the whole call with an error): wait and
    /// try again, backing off to 2 s (a connect attempt costs microseconds, and a consumer that
    /// comes back should not wait long). Its deliveries stay pending, their attempts untouched.
    private func unreachable(_ subscriber: String, _ error: any Error) {
        let now = wallClockMillis()
        state.withLock { s in
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
        }
    }

    struct DueRow {
        var outboxSeq: Int64
        var key: String
        var keySeq: Int64
        var eventID: String
        var attempts: Int64
    }

    struct DueBatch {
        var rows: [DueRow] = []
        /// The `events` array, as JSON bytes, with `prevsequence` spliced into each event.
        var payload: [UInt8] = []
        var nextDueMs: Int64?
    }

    /// The due deliveries of `subscriber`, oldest first, skipping keys held by a dead delivery or
    /// one waiting for its retry; each key's events stay in order and consecutive.
    func dueBatch(subscriber: String, now: Int64, maxBytes: Int) throws -> DueBatch {
        let (batch, tooLarge) = try store.read { db in try collect(db, subscriber: subscriber, now: now, maxBytes: maxBytes) }
        if let big = tooLarge {
            // An event the subscriber can never take in one frame: dead at once, with the reason.
            let why = "event \(big.eventID) is larger than \(subscriber)'s max frame (\(maxBytes + 256) bytes)"
            try store.write { db in
                try db.run("UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_error = ?, updated_ms = ? WHERE subscriber = ? AND outbox_seq = ?",
                           [why, now, subscriber, big.outboxSeq])
            }
            log.error("relay.dead", ["detail": why])
        }
        return batch
    }

    private func collect(_ db: Database, subscriber: String, now: Int64, maxBytes: Int) throws -> (DueBatch, DueRow?) {
        do {
            let blocked = try db.query("""
                SELECT partition_key FROM deliveries WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'dead'
                UNION SELECT partition_key FROM deliveries WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'pending' AND next_attempt_ms > ?
                """, [subscriber, subscriber, now]).compactMap { $0.string(0) }
            var out = DueBatch()
            out.nextDueMs = try db.queryOne("SELECT min(next_attempt_ms) FROM deliveries WHERE subscriber = ? AND status IN ('pending','dead') AND status = 'pending' AND next_attempt_ms > ?",
                                            [subscriber, now])?.int(0)
            var sql = """
                SELECT d.outbox_seq, d.partition_key, o.key_seq, o.id, d.attempts, o.event FROM deliveries d JOIN outbox o ON o.seq = d.outbox_seq
                WHERE d.subscriber = ? AND d.status IN ('pending','dead') AND d.status = 'pending'
                """
            var args: [any SQLBindable] = [subscriber]
            if !blocked.isEmpty {
                sql += " AND d.partition_key NOT IN (\(blocked.map { _ in "?" }.joined(separator: ",")))"
                args += blocked
            }
            sql += " ORDER BY d.outbox_seq LIMIT ?"
            args.append(settings.batch)
            let rows = try db.query(sql, args)
            guard !rows.isEmpty else { return (out, nil) }
            var cursor: [String: Int64] = [:]
            let keys = Array(Set(rows.map { $0.string(1)! }))
            for chunk in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[chunk..<min(chunk + 500, keys.count)])
                for r in try db.query("SELECT partition_key, last_acked_seq FROM relay_cursor WHERE subscriber = ? AND partition_key IN (\(part.map { _ in "?" }.joined(separator: ",")))",
                                      [subscriber] + part) {
                    cursor[r.string(0)!] = r.int(1)!
                }
            }
            var w = JSONWriter(capacity: rows.count * 1024)
            w.raw("[")
            var stopped = Set<String>()
            for r in rows {
                let row = DueRow(outboxSeq: r.int(0)!, key: r.string(1)!, keySeq: r.int(2)!, eventID: r.string(3)!, attempts: r.int(4)!)
                let event = r.blob(5)!
                if stopped.contains(row.key) { continue }
                if w.bytes.count + event.count + 64 > maxBytes {
                    if out.rows.isEmpty { return (out, row) }
                    stopped.insert(row.key)  // this key continues in the next batch; keep its order
                    continue
                }
                let prev = cursor[row.key] ?? 0
                cursor[row.key] = row.keySeq
                if !out.rows.isEmpty { w.raw(",") }
                // {"prevsequence":N, + the stored event without its opening brace
                w.raw("{\"prevsequence\":")
                w.writeInt(prev)
                w.raw(",")
                w.raw(event.dropFirst())
                out.rows.append(row)
            }
            w.raw("]")
            out.payload = w.bytes
            return (out, nil)
        }
    }

    /// Records what the subscriber said about each event, in one transaction.
    private func record(subscriber: String, batch: DueBatch, reply: JSONValue) throws {
        guard let results = reply["results"]?.arrayValue, results.count == batch.rows.count else {
            throw ServiceError(.internal, "\(subscriber) answered events.deliver without one result per event")
        }
        let now = wallClockMillis()
        var delivered: Int64 = 0
        var events: [(String, String)] = []
        try store.write { [settings] db in
            for (row, r) in zip(batch.rows, results) {
                switch r["status"]?.stringValue {
                case "applied", "duplicate", "ignored":
                    try db.run("UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_error = NULL, updated_ms = ?, delivered_ms = ? WHERE subscriber = ? AND outbox_seq = ?",
                               [now, now, subscriber, row.outboxSeq])
                    try db.run("""
                        INSERT INTO relay_cursor(subscriber, partition_key, last_acked_seq) VALUES(?, ?, ?)
                        ON CONFLICT(subscriber, partition_key) DO UPDATE SET last_acked_seq = max(last_acked_seq, excluded.last_acked_seq)
                        """, [subscriber, row.key, row.keySeq])
                    delivered += 1
                case "failed":
                    let e = r["error"].flatMap { try? JSONDecoding.decode(ServiceError.self, from: $0) } ?? ServiceError(.internal, "failed without details")
                    let attempts = Int(row.attempts) + 1
                    if !e.retryable || attempts >= settings.maxAttempts {
                        let why = e.retryable ? "gave up after \(attempts) attempts: \(e.code): \(e.message)" : "\(e.code): \(e.message)"
                        try db.run("UPDATE deliveries SET status = 'dead', attempts = ?, last_error = ?, updated_ms = ? WHERE subscriber = ? AND outbox_seq = ?",
                                   [attempts, why, now, subscriber, row.outboxSeq])
                        events.append(("relay.dead", "\(row.eventID) → \(subscriber): \(why)"))
                    } else {
                        let next = now + Int64(settings.retryDelayMs(attempt: attempts, jitter: Double.random(in: -1...1)))
                        try db.run("UPDATE deliveries SET attempts = ?, next_attempt_ms = ?, last_error = ?, updated_ms = ? WHERE subscriber = ? AND outbox_seq = ?",
                                   [attempts, next, "\(e.code): \(e.message)", now, subscriber, row.outboxSeq])
                    }
                default:
                    break  // not tried: an earlier event of its key failed in this batch
                }
            }
        }
        for (event, detail) in events { log.warning(event, ["detail": detail]) }
        state.withLock { s in
            var st = s[subscriber] ?? SubscriberState()
            st.delivered += delivered
            s[subscriber] = st
        }
    }

    /// Deletes outbox rows whose every delivery is done and older than the retention.
    private func prune(now: Int64) {
        let cutoff = now - settings.pruneDeliveredAfterMs
        do {
            let n = try store.write { db in
                try db.run("""
                    DELETE FROM outbox WHERE seq IN (
                        SELECT o.seq FROM outbox o WHERE o.created_ms < ? AND NOT EXISTS (
                            SELECT 1 FROM deliveries d WHERE d.outbox_seq = o.seq AND d.status IN ('pending', 'dead'))
                        LIMIT 10000)
                    """, [cutoff])
            }
            if n > 0 { log.info("relay.pruned", ["rows": String(n)]) }
        } catch {
            log.error("relay.prune_failed", ["error": "\(error)"])
        }
    }
}

