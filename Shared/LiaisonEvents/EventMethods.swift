import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The `events.*` methods: a producer's queue, redrive, skip, audit, outbox and latency, and a
/// consumer's `events.deliver`.
package enum EventMethods {
    /// Registers the producer's methods.
    package static func registerProducer(_ t: inout MethodTable, store: Store, source: String, relay: EventRelay) {
        t.add(EventsAPI.queue) { p, _ in
            let states: [DeliveryState] =
                switch p.status {
                case nil: [.pending, .dead]
                case "all"?: DeliveryState.allCases
                case let s?: [DeliveryState(rawValue: s) ?? .pending]
                }
            return try store.read { db in
                QueueResult(
                    service: source,
                    summary: try Backlog.summary(db, subscriptions: relay.subscriptions),
                    relay: relay.health(),
                    deliveries: try Backlog.deliveries(
                        db,
                        states: states,
                        subscriber: p.subscriber,
                        limit: p.limit ?? 100,
                        subscriptions: relay.subscriptions
                    )
                )
            }
        }
        t.add(EventsAPI.redrive) { p, ctx in
            guard p.allDead == true || p.outboxSeq != nil else {
                throw ServiceError.invalidParams(
                    field: "outbox_seq",
                    "give outbox_seq (and subscriber), or all_dead: true"
                )
            }
            let n = try store.write { db -> Int in
                let n = try OutboxOps.redrive(db, outboxSeq: p.outboxSeq, subscriber: p.subscriber, uid: ctx.callerUID)
                if n == 0, let seq = p.outboxSeq {
                    throw ServiceError(
                        .notFound,
                        "no dead delivery with outbox_seq \(seq)\(p.subscriber.map { " for \($0)" } ?? "")",
                        retryable: false
                    )
                }
                return n
            }
            relay.wakeAll()
            ctx.log.notice("events.redriven", ["count": String(n), "uid": String(ctx.callerUID)])
            return RedriveResult(redriven: n)
        }
        t.add(EventsAPI.skip) { p, ctx in
            try store.write { db in
                guard
                    try OutboxOps.skip(
                        db,
                        outboxSeq: p.outboxSeq,
                        subscriber: p.subscriber,
                        reason: p.reason ?? "",
                        uid: ctx.callerUID,
                        subscriptions: relay.subscriptions,
                        sent: relay.sentPosition(p.subscriber)
                    )
                else {
                    throw ServiceError(
                        .notFound,
                        "no pending or dead delivery with outbox_seq \(p.outboxSeq) for \(p.subscriber)",
                        retryable: false
                    )
                }
            }
            relay.wakeAll()
            ctx.log.notice(
                "events.skipped",
                ["outbox_seq": String(p.outboxSeq), "subscriber": p.subscriber, "uid": String(ctx.callerUID)]
            )
            return SkipResult(skipped: 1)
        }
        t.add(EventsAPI.audit) { p, _ in
            try store.read { db in OutboxAudit(items: try OutboxOps.audit(db, limit: p.limit ?? 100)) }
        }
        t.add(EventsAPI.outbox) { p, _ in
            let limit = p.limit ?? 1000
            var after = p.afterSeq ?? 0
            if let c = p.cursor {
                guard let seq = Int64(c), seq >= 0 else {
                    throw ServiceError.invalidParams(
                        field: "cursor",
                        "not a cursor from a previous page (expected next_cursor as given)"
                    )
                }
                after = seq
            }
            return try store.read { db in
                let rows = try OutboxOps.events(db, after: after, limit: limit + 1)
                return OutboxResult(
                    page: Page(rows, limit: limit) { String($0.seq) },
                    lastSeq: try OutboxOps.lastSeq(db)
                )
            }
        }
        t.add(EventsAPI.latency) { p, _ in
            try store.read { db in try Backlog.latency(db, after: p.afterSeq ?? 0, subscriptions: relay.subscriptions) }
        }
    }

    /// Registers `events.deliver` for a consumer; `rights` says which producers a caller speaks
    /// for and what each emits, from the access policy.
    package static func registerConsumer(
        _ t: inout MethodTable,
        store: Store,
        consumer: any EventConsumer,
        log: Logger,
        counters: InboxCounters = InboxCounters(),
        reads: [String: [Int]]? = nil,
        rights: @escaping @Sendable (PeerCredentials) -> Inbox.Rights = { _ in .unchecked }
    ) {
        t.add(EventsAPI.deliver) { p, ctx in
            guard let events = p.event.map({ [$0] }) ?? p.events else {
                throw ServiceError.invalidParams(
                    field: "events",
                    "give event (one CloudEvent) or events (an array of them)"
                )
            }
            EventTrace.mark(log, "received", ["count": String(events.count)])
            let results: [DeliveryResult]
            do {
                results = try Inbox.deliver(
                    events,
                    store: store,
                    log: log,
                    consumer: consumer,
                    rights: rights(ctx.call.peer),
                    reads: reads
                )
            } catch {
                EventTrace.mark(log, "failed", ["count": String(events.count)])
                throw error
            }
            counters.add(results)
            // `applied`: committed (applied, or known already); `failed`: to be sent again.
            let failed = results.filter { $0.status == .failed }.count
            if failed < results.count { EventTrace.mark(log, "applied", ["count": String(results.count - failed)]) }
            if failed > 0 { EventTrace.mark(log, "failed", ["count": String(failed)]) }
            guard p.event != nil else { return DeliverResult(duplicate: nil, status: nil, results: results) }
            let r = results[0]
            if r.status == .failed, let e = r.error { throw e }
            return DeliverResult(duplicate: r.status == .duplicate, status: r.status, results: nil)
        }
    }
}
