import LiaisonJSON
import LiaisonWire

/// Where an outgoing delivery stands in a producer's outbox.
package enum DeliveryState: String, WireEnum {
    /// Waiting to be sent (or for its next attempt).
    case pending
    /// Acknowledged by the subscriber.
    case delivered
    /// Given up on (not retryable, or out of attempts); holds back its key until redriven or skipped.
    case dead
    /// An operator gave up on it so its key moves on.
    case skipped
}

/// A producer's backlog: pending and dead deliveries, and each subscriber's lag.
package struct OutboxSummary: Codable, Sendable, Schematic {
    /// One subscriber's backlog.
    package struct Lag: Codable, Sendable {
        package var pending, oldestPendingAgeMs: Int64
        package init(pending: Int64, oldestPendingAgeMs: Int64) {
            (self.pending, self.oldestPendingAgeMs) = (pending, oldestPendingAgeMs)
        }
        enum CodingKeys: String, CodingKey { case pending, oldestPendingAgeMs = "oldest_pending_age_ms" }
    }

    package var pending, dead: Int64
    package var subscribers: [String: Lag]

    package init(pending: Int64, dead: Int64, subscribers: [String: Lag]) {
        (self.pending, self.dead, self.subscribers) = (pending, dead, subscribers)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case pending, dead, subscribers
        var rule: FieldRule { self == .subscribers ? .doc("Per subscriber with pending deliveries.") : .plain }
    }
}

/// A delivery as `liaison queue` shows it.
package struct DeliveryRow: Codable, Sendable, Schematic {
    package var outboxSeq: Int64
    package var eventID, type, partitionKey: String
    package var sequence: Int64
    package var subscriber: String
    package var status: DeliveryState
    package var attempts: Int64
    package var lastError: String?
    package var createdAt: String
    package var nextAttemptAt: String?

    package init(
        outboxSeq: Int64,
        eventID: String,
        type: String,
        partitionKey: String,
        sequence: Int64,
        subscriber: String,
        status: DeliveryState,
        attempts: Int64,
        lastError: String?,
        createdAt: String,
        nextAttemptAt: String?
    ) {
        (self.outboxSeq, self.eventID, self.type, self.partitionKey, self.sequence) = (
            outboxSeq, eventID, type, partitionKey, sequence
        )
        (self.subscriber, self.status, self.attempts, self.lastError) = (subscriber, status, attempts, lastError)
        (self.createdAt, self.nextAttemptAt) = (createdAt, nextAttemptAt)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case outboxSeq = "outbox_seq", eventID = "event_id", type, partitionKey = "partition_key", sequence, subscriber,
            status
        case attempts, lastError = "last_error", createdAt = "created_at", nextAttemptAt = "next_attempt_at"
        var rule: FieldRule { self == .createdAt || self == .nextAttemptAt ? .format("date-time") : .plain }
    }
}

/// How the relay is doing with one subscriber.
package struct SubscriberHealth: Codable, Sendable {
    package var reachable: Bool
    package var delivered, batches: Int64
    package var downSince, lastError: String?

    package init(reachable: Bool, delivered: Int64, batches: Int64, downSince: String?, lastError: String?) {
        (self.reachable, self.delivered, self.batches, self.downSince, self.lastError) = (
            reachable, delivered, batches, downSince, lastError
        )
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case reachable, delivered, batches, downSince = "down_since", lastError = "last_error"
        var rule: FieldRule { self == .downSince ? .format("date-time") : .plain }
    }
}

/// An operator's redrive or skip.
package struct OutboxAuditEntry: Codable, Sendable {
    package var at: String
    package var uid: Int64
    package var action: String
    package var subscriber: String?
    package var outboxSeq: Int64?
    package var detail: String

    enum CodingKeys: String, CodingKey, FieldKey {
        case at, uid, action, subscriber, outboxSeq = "outbox_seq", detail
        var rule: FieldRule {
            switch self {
            case .at: .format("date-time")
            case .action: .values(["redrive", "skip"])
            default: .plain
            }
        }
    }
}

/// An event as the outbox holds it.
package struct ProducedEvent: Codable, Sendable {
    package var seq: Int64
    package var id, type, partitionKey: String
    package var sequence: Int64
    enum CodingKeys: String, CodingKey { case seq, id, type, partitionKey = "partition_key", sequence }
}

/// `events.queue`.
package struct QueueParams: Codable, Sendable, Schematic {
    package var status, subscriber: String?
    package var limit: Int?

    package init(status: String? = nil, subscriber: String? = nil, limit: Int? = nil) {
        (self.status, self.subscriber, self.limit) = (status, subscriber, limit)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case status, subscriber, limit
        var rule: FieldRule {
            switch self {
            case .status: .values(DeliveryState.allCases.map(\.rawValue) + ["all"], "Default: pending and dead.")
            case .subscriber: .text(64)
            case .limit: .int(1...1000, "Default 100.")
            }
        }
    }
}

/// A producer's outgoing deliveries.
package struct QueueResult: Codable, Sendable, Schematic {
    package var service: String
    package var summary: OutboxSummary
    package var relay: [String: SubscriberHealth]
    package var deliveries: [DeliveryRow]

    package init(service: String, summary: OutboxSummary, relay: [String: SubscriberHealth], deliveries: [DeliveryRow])
    {
        (self.service, self.summary, self.relay, self.deliveries) = (service, summary, relay, deliveries)
    }
}

/// `events.redrive`.
package struct RedriveParams: Codable, Sendable, Schematic {
    package var outboxSeq: Int64?
    package var subscriber: String?
    package var allDead: Bool?

    package init(outboxSeq: Int64? = nil, subscriber: String? = nil, allDead: Bool? = nil) {
        (self.outboxSeq, self.subscriber, self.allDead) = (outboxSeq, subscriber, allDead)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case outboxSeq = "outbox_seq", subscriber, allDead = "all_dead"
        var rule: FieldRule {
            switch self {
            case .outboxSeq: .int(1...(Int64(Int32.max) * 1_000_000))
            case .subscriber: .text(64)
            case .allDead: .plain
            }
        }
    }
}

/// `events.skip`.
package struct SkipParams: Codable, Sendable, Schematic {
    package var outboxSeq: Int64
    package var subscriber: String
    package var reason: String?

    package init(outboxSeq: Int64, subscriber: String, reason: String? = nil) {
        (self.outboxSeq, self.subscriber, self.reason) = (outboxSeq, subscriber, reason)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case outboxSeq = "outbox_seq", subscriber, reason
        var rule: FieldRule {
            switch self {
            case .outboxSeq: .int(1...(Int64(Int32.max) * 1_000_000))
            case .subscriber: .text(64)
            case .reason: .text(2000)
            }
        }
    }
}

package struct RedriveResult: Codable, Sendable, Schematic {
    package var redriven: Int
    package init(redriven: Int) { self.redriven = redriven }
    enum CodingKeys: String, CodingKey, FieldKey {
        case redriven
        var rule: FieldRule { .doc("Deliveries made pending again.") }
    }
}

package struct SkipResult: Codable, Sendable, Schematic {
    package var skipped: Int
    package init(skipped: Int) { self.skipped = skipped }
}

/// `{limit}`.
package struct LimitParams: Codable, Sendable, Schematic {
    package var limit: Int?
    package init(limit: Int? = nil) { self.limit = limit }
    enum CodingKeys: String, CodingKey, FieldKey {
        case limit
        var rule: FieldRule { .int(1...1000, "Default 100.") }
    }
}

/// Operators' redrive and skip actions.
package struct OutboxAudit: Codable, Sendable, Schematic {
    package var items: [OutboxAuditEntry]
    package init(items: [OutboxAuditEntry]) { self.items = items }
}

/// `events.outbox`.
package struct OutboxParams: Codable, Sendable, Schematic, Paged {
    package var afterSeq: Int64?
    package var limit: Int?
    package var cursor: String?

    package init(afterSeq: Int64? = nil, limit: Int? = nil) { (self.afterSeq, self.limit) = (afterSeq, limit) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case afterSeq = "after_seq", limit, cursor
        var rule: FieldRule {
            switch self {
            case .afterSeq: .int(0...(Int64(Int32.max) * 1_000_000), "Only events after this outbox seq.")
            case .limit: .int(1...1000, "Default 1000.")
            case .cursor: .text(20, "next_cursor of the previous page.")
            }
        }
    }
}

/// The events a producer holds, a page of them.
package struct OutboxResult: Codable, Sendable, Schematic {
    package var page: Page<ProducedEvent>
    /// The newest event's outbox sequence (0 when none is left).
    package var lastSeq: Int64

    package init(page: Page<ProducedEvent>, lastSeq: Int64) { (self.page, self.lastSeq) = (page, lastSeq) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case lastSeq = "last_seq"
        var rule: FieldRule { .doc("The newest event's outbox seq (0 when none is left).") }
    }

    package init(from decoder: any Decoder) throws {
        page = try Page<ProducedEvent>(from: decoder)
        lastSeq = try decoder.container(keyedBy: CodingKeys.self).decode(Int64.self, forKey: .lastSeq)
    }

    package func encode(to encoder: any Encoder) throws {
        try page.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lastSeq, forKey: .lastSeq)
    }
}

/// `events.latency`.
package struct LatencyParams: Codable, Sendable, Schematic {
    package var afterSeq: Int64?
    package init(afterSeq: Int64? = nil) { self.afterSeq = afterSeq }
    enum CodingKeys: String, CodingKey, FieldKey {
        case afterSeq = "after_seq"
        var rule: FieldRule { .int(0...(Int64(Int32.max) * 1_000_000), "Only events after this outbox seq.") }
    }
}

/// `events.latency`'s answer.
package struct LatencyResult: Codable, Sendable, Schematic {
    package var events, undelivered, lastSeq: Int64
    package var firstCreatedMs, lastDeliveredMs: Int64?
    package var p50Ms, p99Ms, maxMs: Double

    package init(
        events: Int64,
        undelivered: Int64,
        lastSeq: Int64,
        firstCreatedMs: Int64?,
        lastDeliveredMs: Int64?,
        p50Ms: Double,
        p99Ms: Double,
        maxMs: Double
    ) {
        (self.events, self.undelivered, self.lastSeq, self.firstCreatedMs, self.lastDeliveredMs) =
            (events, undelivered, lastSeq, firstCreatedMs, lastDeliveredMs)
        (self.p50Ms, self.p99Ms, self.maxMs) = (p50Ms, p99Ms, maxMs)
    }

    enum CodingKeys: String, CodingKey {
        case events, undelivered, lastSeq = "last_seq", firstCreatedMs = "first_created_ms", lastDeliveredMs =
            "last_delivered_ms"
        case p50Ms = "p50_ms", p99Ms = "p99_ms", maxMs = "max_ms"
    }
}

/// The `events.*` methods: a producer's queue and its operators' tools, a consumer's delivery.
package enum EventsAPI {
    package static let queue = Method<QueueParams, QueueResult>(
        "events.queue",
        on: nil,
        .read,
        "Outgoing event deliveries (pending and dead by default) with attempts and last error."
    )
    package static let redrive = Method<RedriveParams, RedriveResult>(
        "events.redrive",
        on: nil,
        .operate,
        "Makes dead deliveries pending again (one, by outbox_seq and subscriber, or all_dead); recorded in the audit "
            + "trail."
    )
    package static let skip = Method<SkipParams, SkipResult>(
        "events.skip",
        on: nil,
        .operate,
        "Gives up on one pending or dead delivery so its key moves on (a poison event); recorded in the audit trail."
    )
    package static let audit = Method<LimitParams, OutboxAudit>(
        "events.audit",
        on: nil,
        .read,
        "Operators' redrive and skip actions, newest first."
    )
    package static let outbox = Method<OutboxParams, OutboxResult>(
        "events.outbox",
        on: nil,
        .read,
        "The events this service has produced (not yet pruned), oldest first: seq, id, type, key, sequence."
    )
    package static let latency = Method<LatencyParams, LatencyResult>(
        "events.latency",
        on: nil,
        .read,
        "End-to-end delivery of events after outbox_seq: count, undelivered, and latency from commit to the last "
            + "subscriber's acknowledgement."
    )
    package static let deliver = Method<DeliverParams, DeliverResult>(
        "events.deliver",
        on: nil,
        .deliver,
        "Delivers events: {event} answers {duplicate, status}; {events:[…]} answers {results:[{id,status,error?}]} in "
            + "order. Each is applied once, in per-key order. Only from the services producing them (their source)."
    )
}
