import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// The `events.*` methods: a producer's queue, redrive, skip, audit, outbox and latency, and a
/// consumer's `events.deliver`.
package enum EventMethods {
    /// Registers the producer's methods.
    package static func registerProducer(_ t: inout MethodTable, store: Store, source: String, relay: EventRelay) {
        t.add("events.queue", "Outgoing event deliveries (pending and dead by default) with attempts and last error.") {
            (p: QueueParams, _) in
            let states: [DeliveryState] =
                switch p.status {
                case nil: [.pending, .dead]
                case "all"?: DeliveryState.allCases
                case let s?: [DeliveryState(rawValue: s) ?? .pending]
                }
            return try store.read { db in
                QueueResult(
                    service: source, summary: try Backlog.summary(db, subscriptions: relay.subscriptions), relay: relay.health(),
                    deliveries: try Backlog.deliveries(
                        db, states: states, subscriber: p.subscriber, limit: p.limit ?? 100, subscriptions: relay.subscriptions))
            }
        }
        t.add(
            "events.redrive",
            "Makes dead deliveries pending again (one, by outbox_seq and subscriber, or all_dead); recorded in the audit trail."
        ) {
            (p: RedriveParams, ctx) in
            guard p.allDead == true || p.outboxSeq != nil else {
                throw ServiceError.invalidParams(field: "outbox_seq", "give outbox_seq (and subscriber), or all_dead: true")
            }
            let n = try store.write { db -> Int in
                let n = try OutboxOps.redrive(db, outboxSeq: p.outboxSeq, subscriber: p.subscriber, uid: ctx.callerUID)
                if n == 0, let seq = p.outboxSeq {
                    throw ServiceError(
                        .notFound, "no dead delivery with outbox_seq \(seq)\(p.subscriber.map { " for \($0)" } ?? "")", retryable: false)
                }
                return n
            }
            relay.wakeAll()
            ctx.log.notice("events.redriven", ["count": String(n), "uid": String(ctx.callerUID)])
            return RedriveResult(redriven: n)
        }
        t.add("events.skip", "Gives up on one pending or dead delivery so its key moves on (a poison event); recorded in the audit trail.")
        {
            (p: SkipParams, ctx) in
            try store.write { db in
                guard
                    try OutboxOps.skip(
                        db, outboxSeq: p.outboxSeq, subscriber: p.subscriber, reason: p.reason ?? "", uid: ctx.callerUID,
                        subscriptions: relay.subscriptions, sent: relay.sentPosition(p.subscriber))
                else {
                    throw ServiceError(
                        .notFound, "no pending or dead delivery with outbox_seq \(p.outboxSeq) for \(p.subscriber)", retryable: false)
                }
            }
            relay.wakeAll()
            ctx.log.notice("events.skipped", ["outbox_seq": String(p.outboxSeq), "subscriber": p.subscriber, "uid": String(ctx.callerUID)])
            return SkipResult(skipped: 1)
        }
        t.add("events.audit", "Operators' redrive and skip actions, newest first.") { (p: LimitParams, _) in
            try store.read { db in AuditResult(items: try OutboxOps.audit(db, limit: p.limit ?? 100)) }
        }
        t.add("events.outbox", "The events this service has produced (not yet pruned), oldest first: seq, id, type, key, sequence.") {
            (p: OutboxParams, _) in
            let limit = p.limit ?? 1000
            var after = p.afterSeq ?? 0
            if let c = p.cursor {
                guard let seq = Int64(c), seq >= 0 else {
                    throw ServiceError.invalidParams(field: "cursor", "not a cursor from a previous page (expected next_cursor as given)")
                }
                after = seq
            }
            return try store.read { db in
                let rows = try OutboxOps.events(db, after: after, limit: limit + 1)
                return OutboxResult(page: Page(rows, limit: limit) { String($0.seq) }, lastSeq: try OutboxOps.lastSeq(db))
            }
        }
        t.add(
            "events.latency",
            "End-to-end delivery of events after outbox_seq: count, undelivered, and latency from commit to the last subscriber's "
                + "acknowledgement."
        ) {
            (p: LatencyParams, _) in
            try store.read { db in try Backlog.latency(db, after: p.afterSeq ?? 0, subscriptions: relay.subscriptions) }
        }
        t.classify(.read, "events.queue", "events.audit", "events.outbox", "events.latency")
        t.classify(.operate, "events.redrive", "events.skip")
    }

    /// Registers `events.deliver` for a consumer; `sources` says which producers a caller speaks
    /// for (nil: any), from the access policy.
    package static func registerConsumer(
        _ t: inout MethodTable, store: Store, consumer: any EventConsumer, log: Logger, counters: InboxCounters = InboxCounters(),
        sources: @escaping @Sendable (PeerCredentials) -> Set<String>? = { _ in nil }
    ) {
        t.add(
            "events.deliver",
            "Delivers events: {event} answers {duplicate, status}; {events:[…]} answers {results:[{id,status,error?}]} in order. "
                + "Each is applied once, in per-key order. Only from the services producing them (their source).", access: .deliver
        ) { (p: DeliverParams, ctx) in
            let sources = sources(ctx.call.peer)
            if let one = p.event {
                let r = try Inbox.deliver([one], store: store, log: log, consumer: consumer, sources: sources)[0]
                counters.add([r])
                if r.status == .failed, let e = r.error { throw e }
                return DeliverResult(duplicate: r.status == .duplicate, status: r.status, results: nil)
            }
            guard let events = p.events else {
                throw ServiceError.invalidParams(field: "events", "give event (one CloudEvent) or events (an array of them)")
            }
            let results = try Inbox.deliver(events, store: store, log: log, consumer: consumer, sources: sources)
            counters.add(results)
            return DeliverResult(duplicate: nil, status: nil, results: results)
        }
    }
}

// MARK: params and results

struct QueueParams: Codable, Sendable, Schematic {
    var status, subscriber: String?
    var limit: Int?
    static var schema: Schema {
        .object([
            .opt("status", .string(values: DeliveryState.allCases.map(\.rawValue) + ["all"]), "Default: pending and dead."),
            .opt("subscriber", .string(maxLength: 64)), .opt("limit", .integer(minimum: 1, maximum: 1000), "Default 100."),
        ])
    }
}

struct QueueResult: Encodable, Sendable, Schematic {
    var service: String
    var summary: Outbox.Summary
    var relay: [String: EventRelay.SubscriberHealth]
    var deliveries: [Outbox.DeliveryRow]
    static var schema: Schema {
        .object([
            .req("service", .string()), .req("summary", Outbox.Summary.schema), .req("relay", .map(EventRelay.SubscriberHealth.schema)),
            .req("deliveries", .array(Outbox.DeliveryRow.schema)),
        ])
    }
}

struct RedriveParams: Codable, Sendable, Schematic {
    var outboxSeq: Int64?
    var subscriber: String?
    var allDead: Bool?
    enum CodingKeys: String, CodingKey { case outboxSeq = "outbox_seq", subscriber, allDead = "all_dead" }
    static var schema: Schema {
        .object([
            .opt("outbox_seq", .integer(minimum: 1, maximum: Int64(Int32.max) * 1_000_000)), .opt("subscriber", .string(maxLength: 64)),
            .opt("all_dead", .boolean),
        ])
    }
}

struct SkipParams: Codable, Sendable, Schematic {
    var outboxSeq: Int64
    var subscriber: String
    var reason: String?
    enum CodingKeys: String, CodingKey { case outboxSeq = "outbox_seq", subscriber, reason }
    static var schema: Schema {
        .object([
            .req("outbox_seq", .integer(minimum: 1, maximum: Int64(Int32.max) * 1_000_000)), .req("subscriber", .string(maxLength: 64)),
            .opt("reason", .string(maxLength: 2000)),
        ])
    }
}

struct RedriveResult: Codable, Sendable, Schematic {
    var redriven: Int
    static var schema: Schema { .object([.req("redriven", .integer(), "Deliveries made pending again.")]) }
}

struct SkipResult: Codable, Sendable, Schematic {
    var skipped: Int
    static var schema: Schema { .object([.req("skipped", .integer())]) }
}

struct LimitParams: Codable, Sendable, Schematic {
    var limit: Int?
    static var schema: Schema { .object([.opt("limit", .integer(minimum: 1, maximum: 1000), "Default 100.")]) }
}

struct OutboxParams: Codable, Sendable, Schematic {
    var afterSeq: Int64?
    var limit: Int?
    var cursor: String?
    enum CodingKeys: String, CodingKey { case afterSeq = "after_seq", limit, cursor }
    static var schema: Schema {
        .object([
            .opt("after_seq", .integer(minimum: 0, maximum: Int64(Int32.max) * 1_000_000), "Only events after this outbox seq."),
            .opt("limit", .integer(minimum: 1, maximum: 1000), "Default 1000."),
            .opt("cursor", .string(maxLength: 20), "next_cursor of the previous page."),
        ])
    }
}

struct LatencyParams: Codable, Sendable, Schematic {
    var afterSeq: Int64?
    enum CodingKeys: String, CodingKey { case afterSeq = "after_seq" }
    static var schema: Schema {
        .object([.opt("after_seq", .integer(minimum: 0, maximum: Int64(Int32.max) * 1_000_000), "Only events after this outbox seq.")])
    }
}

struct DeliverParams: Codable, Sendable, Schematic {
    var event: JSONValue?
    var events: [JSONValue]?
    static var schema: Schema {
        .oneOf([
            .object([.req("event", CloudEvent.schema)]),
            .object([
                .req(
                    "events", .array(.object([]), maxItems: 5000),
                    "CloudEvents as `event` describes them; each is read on its own, and one that cannot be read fails alone.")
            ]),
        ])
    }
}

struct DeliverResult: Encodable, Sendable, Schematic {
    var duplicate: Bool?
    var status: DeliveryStatus?
    var results: [DeliveryResult]?
    static var schema: Schema {
        .oneOf([
            .object([.req("duplicate", .boolean), .req("status", .string(values: DeliveryStatus.allCases.map(\.rawValue)))]),
            .object([.req("results", .array(DeliveryResult.schema))]),
        ])
    }
}
