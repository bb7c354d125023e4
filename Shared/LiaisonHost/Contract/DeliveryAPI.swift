import LiaisonJSON
import LiaisonWire

/// What a consumer did with one delivered event (the answer to `events.deliver`, per event).
package enum DeliveryStatus: String, WireEnum {
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

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, status, error
        var rule: FieldRule {
            switch self {
            case .id: .doc("Absent when the event could not be read.")
            case .status: .plain
            case .error: .shape(ServiceError.wireSchema)
            }
        }
    }
}

/// `events.deliver`: one event, or a batch.
package struct DeliverParams: Codable, Sendable, Schematic {
    package var event: JSONValue?
    package var events: [JSONValue]?

    package init(event: JSONValue? = nil, events: [JSONValue]? = nil) { (self.event, self.events) = (event, events) }

    package static var schema: Schema {
        .oneOf([
            .object([.req("event", CloudEvent.schema)]),
            .object([
                .req(
                    "events",
                    .array(.object([]), maxItems: 5000),
                    "CloudEvents as `event` describes them; each is read on its own, and one that cannot be read "
                        + "fails alone."
                )
            ]),
        ])
    }
}

/// `events.deliver`'s answer: for one event, whether it was a duplicate; for a batch, each.
package struct DeliverResult: Codable, Sendable, Schematic {
    package var duplicate: Bool?
    package var status: DeliveryStatus?
    package var results: [DeliveryResult]?

    package init(duplicate: Bool?, status: DeliveryStatus?, results: [DeliveryResult]?) {
        (self.duplicate, self.status, self.results) = (duplicate, status, results)
    }

    package static var outputSchema: Schema {
        .oneOf([
            .object([.req("duplicate", .boolean), .req("status", DeliveryStatus.leafSchema)]),
            .object([.req("results", .array(DeliveryResult.outputSchema))]),
        ])
    }
}
