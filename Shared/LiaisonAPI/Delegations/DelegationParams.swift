import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `{id}`: a delegation by id or reference.
package struct DelegationID: Codable, Sendable, Schematic {
    package var id: String

    package init(_ id: String) { self.id = id }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id
        var rule: FieldRule { .text(64, "The delegation's id (del-…) or reference (DEL-2026-0001).") }
    }
}

/// A lifecycle change: `{id, expected_version?}` plus what the change needs.
package struct DelegationTransition: Codable, Sendable, Schematic {
    package var id: String
    /// The version read; nil: the one stored (the answer's version says which was changed).
    package var expectedVersion: Int?
    package var reason, outcome: String?
    /// start or complete outside the visit's dates (with a reason, kept in the history).
    package var force: Bool?

    package init(
        id: String,
        expectedVersion: Int? = nil,
        reason: String? = nil,
        outcome: String? = nil,
        force: Bool? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.reason = reason
        self.outcome = outcome
        self.force = force
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, expectedVersion = "expected_version", reason, outcome, force

        var rule: FieldRule {
            switch self {
            case .id: .text(64)
            case .expectedVersion: .expectedVersion
            case .reason: .text(Limits.reason, "Why (required for cancel).")
            case .outcome: .text(Limits.notes, "What came of the visit (required for complete).")
            case .force:
                .doc(
                    "start before the visit's first day, or complete before it began: an exception, with a reason, "
                        + "kept in the history."
                )
            }
        }
    }
}

extension FieldRule {
    /// `expected_version`: optimistic concurrency, or none.
    package static var expectedVersion: FieldRule {
        .int(
            1...Int64(Int32.max),
            "The version you last read; a stale one gets conflict. Without it the change applies to what is stored."
        )
    }
}

/// `delegations.reschedule`: a new window and/or itinerary.
package struct DelegationReschedule: Codable, Sendable, Schematic {
    package var id: String
    package var expectedVersion: Int?
    package var startsAt, endsAt: LocalDateTime?
    package var timeZone: String?
    package var itinerary: [ItineraryItem]?
    package var reason: String?
    /// Moves the window and every item by this many minutes of wall time in the visit's zone.
    package var shiftMinutes: Int?
    /// Moves the window and every item so that the visit begins on this day (times kept).
    package var to: LocalDate?

    package init(id: String, expectedVersion: Int? = nil, reason: String? = nil) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, expectedVersion = "expected_version", startsAt = "starts_at", endsAt = "ends_at", timeZone =
            "time_zone", itinerary
        case reason, shiftMinutes = "shift_minutes", to

        var rule: FieldRule {
            switch self {
            case .id: .text(64)
            case .expectedVersion: .expectedVersion
            case .startsAt, .endsAt: .plain
            case .timeZone: .text(64)
            case .itinerary: .list(Limits.itinerary)
            case .reason: .text(Limits.reason)
            case .shiftMinutes:
                .int(
                    -5_256_000...5_256_000,
                    "Move the window and every item by this much wall time in the visit's zone (4320 = 3 days)."
                )
            case .to: .doc("Move the window and every item so the visit begins on this day, times kept.")
            }
        }
    }
}

/// `delegations.list` filters.
package struct DelegationFilter: Codable, Sendable, Schematic, Paged {
    package var status: DelegationStatus?
    package var country: String?
    package var continent: Continent?
    package var region: String?
    package var kind: PartnerKind?
    package var direction: Direction?
    package var from, to, text: String?
    package var limit: Int?
    package var cursor: String?

    package init(limit: Int? = nil) { self.limit = limit }

    enum CodingKeys: String, CodingKey, FieldKey {
        case status, country, continent, region, kind, direction, from, to, text, limit, cursor

        var rule: FieldRule {
            switch self {
            case .status, .continent, .kind, .direction: .plain
            case .country: .format("iso3166-alpha2")
            case .region: .text(64, "e.g. Central Asia.")
            case .from: .format("date", "Visits ending on or after this date (YYYY-MM-DD, UTC).")
            case .to: .format("date", "Visits starting on or before this date.")
            case .text: .text(200, "Words in the title, partner, purpose, topics or names (any script).")
            case .limit: .int(1...500, "Default 50.")
            case .cursor: .text(200, "next_cursor of the previous page.")
            }
        }
    }
}

/// `delegations.update`: the fields given replace the stored ones.
package typealias DelegationUpdate = RecordUpdate<DelegationDraft>

/// A page of whole records, in id order (`delegations.export`).
package struct ExportPage: Codable, Sendable, Schematic, Paged {
    package var limit: Int?
    package var cursor: String?

    package init(limit: Int? = nil, cursor: String? = nil) { (self.limit, self.cursor) = (limit, cursor) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case limit, cursor
        var rule: FieldRule {
            switch self {
            case .limit: .int(1...1000, "Default 200.")
            case .cursor: .text(64, "next_cursor of the previous page.")
            }
        }
    }
}
