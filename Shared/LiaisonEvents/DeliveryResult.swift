import LiaisonHost
import LiaisonWire

/// What a consumer did with one delivered event (the answer to `events.deliver`, per event).
package enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    /// Applied: the consumer changed something.
    case applied
    /// Acknowledged without effect: the consumer does not act on this type.
    case ignored
    /// Seen before (by id, or at or below the key's watermark): acknowledged without effect.
    case duplicate
    /// Refused; `error` says why and whether a retry can help. The rest of its key in the
    /// batch is `blocked`.
    case failed
    /// Not tried: an earlier event of its key failed in this batch; it comes again, in order.
    case blocked

    /// Whether the producer may count the event as delivered.
    package var acknowledged: Bool { self == .applied || self == .ignored || self == .duplicate }
}

/// One event's outcome in a batch delivery: the inbox writes it, the relay reads it.
package struct DeliveryResult: Codable, Sendable, Equatable, Schematic {
    /// The event's id (null when the event could not be read).
    package var id: String?
    package var status: DeliveryStatus
    package var error: ServiceError?

    package init(id: String?, status: DeliveryStatus, error: ServiceError? = nil) {
        self.id = id
        self.status = status
        self.error = error
    }

    package static var schema: Schema {
        .object([
            .opt("id", .string(), "Absent when the event could not be read."),
            .req("status", .string(values: DeliveryStatus.allCases.map(\.rawValue))),
            .opt(
                "error",
                .object([.req("code", .string()), .req("message", .string()), .req("retryable", .boolean), .opt("details", .any)])),
        ])
    }
}

/// Where an outgoing delivery stands in a producer's outbox.
package enum DeliveryState: String, Codable, Sendable, CaseIterable {
    /// Waiting to be sent (or for its next attempt).
    case pending
    /// Acknowledged by the subscriber.
    case delivered
    /// Given up on (not retryable, or out of attempts); holds back its key until redriven or skipped.
    case dead
    /// An operator gave up on it so its key moves on.
    case skipped
}
