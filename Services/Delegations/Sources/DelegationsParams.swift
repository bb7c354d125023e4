import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonWire

/// `{id}`: a delegation by id or reference.
struct IDParams: Codable, Sendable, Schematic {
    var id: String
    static var schema: Schema {
        .object([.req("id", .string(maxLength: 64), "The delegation's id (del-…) or reference (DEL-2026-0001).")])
    }
}

/// `{id, expected_version}` plus what a transition needs.
struct TransitionParams: Codable, Sendable, Schematic {
    var id: String
    var expectedVersion: Int
    var reason, outcome: String?
    /// start or complete outside the visit's dates (with a reason, kept in the history).
    var force: Bool?

    enum CodingKeys: String, CodingKey { case id, expectedVersion = "expected_version", reason, outcome, force }

    static var schema: Schema {
        .object([
            .req("id", .string(maxLength: 64)),
            .req(
                "expected_version", .integer(minimum: 1, maximum: Int64(Int32.max)),
                "The version you last read; a stale one gets conflict."),
            .opt("reason", .string(maxLength: Limits.reason), "Why (required for cancel)."),
            .opt("outcome", .string(maxLength: Limits.notes), "What came of the visit (required for complete)."),
            .opt(
                "force", .boolean,
                "start before the visit's first day, or complete before it began: an exception, with a reason, kept in the history."),
        ])
    }
}

/// `delegations.reschedule`: a new window and/or itinerary.
struct RescheduleParams: Codable, Sendable, Schematic {
    var id: String
    var expectedVersion: Int
    var startsAt, endsAt: LocalDateTime?
    var timeZone: String?
    var itinerary: [ItineraryItem]?
    var reason: String?
    /// Moves the window and every item by this many minutes of wall time in the visit's zone.
    var shiftMinutes: Int?
    /// Moves the window and every item so that the visit begins on this day (times kept).
    var to: LocalDate?

    enum CodingKeys: String, CodingKey {
        case id, expectedVersion = "expected_version", startsAt = "starts_at", endsAt = "ends_at", timeZone = "time_zone", itinerary, reason
        case shiftMinutes = "shift_minutes", to
    }

    static var schema: Schema {
        .object([
            .req("id", .string(maxLength: 64)), .req("expected_version", .integer(minimum: 1, maximum: Int64(Int32.max))),
            .opt("starts_at", .string(format: "local-date-time")), .opt("ends_at", .string(format: "local-date-time")),
            .opt("time_zone", .string(maxLength: 64)), .opt("itinerary", .array(ItineraryItem.schema, maxItems: Limits.itinerary)),
            .opt("reason", .string(maxLength: Limits.reason)),
            .opt(
                "shift_minutes", .integer(minimum: -5_256_000, maximum: 5_256_000),
                "Move the window and every item by this much wall time in the visit's zone (4320 = 3 days)."),
            .opt("to", .string(format: "date"), "Move the window and every item so the visit begins on this day, times kept."),
        ])
    }
}

/// `delegations.list` filters.
struct ListParams: Codable, Sendable, Schematic {
    var status: DelegationStatus?
    var country: String?
    var continent: Continent?
    var region: String?
    var kind: PartnerKind?
    var direction: Direction?
    var from, to, text: String?
    var limit: Int?
    var cursor: String?

    static var schema: Schema {
        .object([
            .opt("status", .string(values: DelegationStatus.allCases.map(\.rawValue))), .opt("country", .string(format: "iso3166-alpha2")),
            .opt("continent", .string(values: Continent.allCases.map(\.rawValue))),
            .opt("region", .string(maxLength: 64), "e.g. Central Asia."),
            .opt("kind", .string(values: PartnerKind.allCases.map(\.rawValue))),
            .opt("direction", .string(values: Direction.allCases.map(\.rawValue))),
            .opt("from", .string(format: "date"), "Visits ending on or after this date (YYYY-MM-DD, UTC)."),
            .opt("to", .string(format: "date"), "Visits starting on or before this date."),
            .opt("text", .string(maxLength: 200), "Words in the title, partner, purpose, topics or names (any script)."),
            .opt("limit", .integer(minimum: 1, maximum: 500), "Default 50."),
            .opt("cursor", .string(maxLength: 200), "next_cursor of the previous page."),
        ])
    }
}

/// One row of `delegations.list`.
struct DelegationSummary: Codable, Sendable, Schematic {
    var id, ref, title: String
    var status: DelegationStatus
    var version: Int
    var direction: Direction
    var partners: [PartnerRef]
    var countryName, continent, region: String
    /// nil for a past visit known only by its date.
    var startsAt, endsAt: LocalDateTime?
    var date: PartialDate?
    /// As people write it: "2018", "Oct 2024", "c. 2024", or the first day.
    var when: String
    var timeZone: String
    var members: Int
    var headCount: Int?

    enum CodingKeys: String, CodingKey {
        case id, ref, title, status, version, direction, partners, countryName = "country_name", continent, region, date, when
        case startsAt = "starts_at", endsAt = "ends_at", timeZone = "time_zone", members, headCount = "head_count"
    }

    init(_ d: Delegation) {
        id = d.id
        ref = d.ref
        title = d.draft.title
        status = d.status
        version = d.version
        direction = d.draft.direction
        partners = d.draft.partners
        countryName = d.countryName
        continent = d.continent
        region = d.region
        date = d.draft.date
        startsAt = d.draft.date == nil ? d.draft.startsAt : nil
        endsAt = d.draft.date == nil ? d.draft.endsAt : nil
        when = d.draft.when
        timeZone = d.draft.timeZone
        members = d.draft.members.count
        headCount = d.draft.headCount
    }

    static var schema: Schema {
        .object([
            .req("id", .string()), .req("ref", .string()), .req("title", .string()), .req("status", .string()), .req("version", .integer()),
            .req("direction", .string()), .req("partners", .array(PartnerRef.schema)), .req("country_name", .string()),
            .req("continent", .string()), .req("region", .string()), .opt("starts_at", .string()), .opt("ends_at", .string()),
            .opt("date", .string(format: "partial-date")), .req("when", .string(), "As people write it: 2018, Oct 2024, c. 2024."),
            .req("time_zone", .string()), .req("members", .integer(), "Named members."),
            .opt("head_count", .integer(), "Members plus the groups' counts; absent when a group's size is not known."),
        ])
    }
}

/// A page of delegations.
/// What the checker found.
struct CheckResult: Encodable, Sendable, Schematic {
    var ok: Bool
    var found: CheckFindings

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(ok, forKey: NameKey("ok"))
        try found.encode(into: &c)
    }

    static var schema: Schema { .object([.req("ok", .boolean)] + CheckFindings.fields) }
}

extension CheckFindings {
    /// The fields a checker result adds to an answer.
    static var fields: [Schema.Field] {
        [
            .req("findings", .array(Finding.schema), "Up to 25 findings of a kind and 100 in all."),
            .req("findings_total", .integer(), "Every finding there is, spelled out or not."),
            .req("findings_blocking", .integer(), "Those that block confirmation (severity error); the rest are warnings."),
            .opt("findings_omitted", .map(.integer()), "Findings beyond the caps, counted by kind."),
        ]
    }

    func encode(into c: inout KeyedEncodingContainer<NameKey>) throws {
        try c.encode(findings, forKey: NameKey("findings"))
        try c.encode(total, forKey: NameKey("findings_total"))
        try c.encode(blocking, forKey: NameKey("findings_blocking"))
        if !omitted.isEmpty { try c.encode(omitted, forKey: NameKey("findings_omitted")) }
    }
}

/// A stored delegation with what the checker found when it was saved.
struct SavedDelegation: Encodable, Sendable, Schematic {
    var delegation: Delegation
    var found: CheckFindings
    var created: Bool?
    /// The delegation as just stored (JSON text), answered as it is rather than encoded again.
    var stored: [UInt8]? = nil

    /// What the answer adds to the delegation.
    private struct Extra: Encodable {
        var found: CheckFindings
        var created: Bool?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: NameKey.self)
            try found.encode(into: &c)
            if let created { try c.encode(created, forKey: NameKey("created")) }
        }
    }

    func encode(to encoder: any Encoder) throws {
        if let stored, stored.last == UInt8(ascii: "}") {
            // {…stored members, + the extra members}
            let extra = JSONEncoding.bytes(Extra(found: found, created: created))
            guard extra.count > 2 else { return try JSONValue.encoded(stored).encode(to: encoder) }
            var text = [UInt8]()
            text.reserveCapacity(stored.count + extra.count)
            stored.withUnsafeBufferPointer { text.append(contentsOf: $0[..<($0.count - 1)]) }
            text.append(UInt8(ascii: ","))
            extra.withUnsafeBufferPointer { text.append(contentsOf: $0[1...]) }
            return try JSONValue.encoded(text).encode(to: encoder)
        }
        try delegation.encode(to: encoder)
        try Extra(found: found, created: created).encode(to: encoder)
    }

    static var schema: Schema {
        guard case .object(let fields) = Delegation.schema else { return Delegation.schema }
        return .object(
            fields + CheckFindings.fields + [
                .opt("created", .boolean, "On create: false when external_key found the delegation already stored.")
            ])
    }
}

struct HistoryResult: Codable, Sendable, Schematic {
    var id: String
    var items: [HistoryEntry]
    static var schema: Schema { .object([.req("id", .string()), .req("items", .array(HistoryEntry.schema))]) }
}

/// `delegations.check`: a draft (delegation fields) or a stored delegation's id.
struct CheckParams: Decodable, Sendable, Schematic {
    var draft: DelegationDraft?
    var id: String?

    init(from decoder: any Decoder) throws {
        let all = try JSONValue(from: decoder)
        if all["title"] != nil || all["itinerary"] != nil || all["starts_at"] != nil {
            draft = try DelegationDraft(from: decoder)
        } else {
            id = try IDParams(from: decoder).id
        }
    }

    static var schema: Schema { .oneOf([DelegationDraft.schema, IDParams.schema]) }
}

/// The update methods' params.
typealias UpdateParams = RecordUpdate<DelegationDraft>

/// `delegations.record`: a past visit, stored in its final state without anything being sent.
struct RecordParams: Decodable, Sendable, Schematic {
    var draft: DelegationDraft
    var status: DelegationStatus
    var outcome, reason: String?

    enum CodingKeys: String, CodingKey { case status, outcome, reason }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(DelegationStatus.self, forKey: .status) ?? .completed
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        draft = try DelegationDraft(from: decoder)
    }

    static var schema: Schema { schema(statuses: ["completed", "cancelled"]) }

    /// With `proposed` among the statuses for imports (a visit still to come).
    static func schema(statuses: [String]) -> Schema {
        .object(
            DelegationDraft.fields + [
                .opt("status", .string(values: statuses), "How it ended; default completed."),
                .opt("outcome", .string(maxLength: Limits.notes), "What came of it."),
                .opt("reason", .string(maxLength: Limits.reason), "Why it was cancelled (required for cancelled)."),
            ])
    }
}
