import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonWire

// Params and results of the agreements service's methods.

/// `{id}`: an agreement by id or reference.
struct IDParams: Codable, Sendable, Schematic {
    var id: String
    static var schema: Schema { .object([.req("id", agreementIDSchema, "The agreement's id (agr-…) or reference.")]) }
}

/// `{id, expected_version}` and what a transition takes.
struct TransitionParams: Codable, Sendable, Schematic {
    var id: String
    var expectedVersion: Int
    var reason: String?
    var signedOn, startsOn: LocalDate?
    var signatories: [Signatory]?

    enum CodingKeys: String, CodingKey {
        case id, reason, signatories, expectedVersion = "expected_version", signedOn = "signed_on", startsOn = "starts_on"
    }

    static var schema: Schema {
        .object([
            .req("id", agreementIDSchema, "The agreement's id (agr-…) or reference."), .req("expected_version", versionSchema),
            .opt("reason", .string(maxLength: Limits.reason)), .opt("signed_on", .string(format: "date")),
            .opt("starts_on", .string(format: "date")),
            .opt("signatories", .array(Signatory.schema, maxItems: 20)),
        ])
    }
}

/// `agreements.list` filters.
struct ListParams: Codable, Sendable, Schematic {
    var status: AgreementStatus?
    var kind: AgreementKind?
    var country: String?
    var continent: Continent?
    var partner: String?
    var text: String?
    var limit: Int?
    var cursor: String?
    static var schema: Schema {
        .object([
            .opt("partner", .string(maxLength: Limits.externalKey), "Agreements naming this partner (id)."),
            .opt("status", .string(values: AgreementStatus.allCases.map(\.rawValue))),
            .opt("kind", .string(values: AgreementKind.allCases.map(\.rawValue))),
            .opt("country", .string(format: "iso3166-alpha2")), .opt("continent", .string(values: Continent.allCases.map(\.rawValue))),
            .opt("text", .string(maxLength: 200)), .opt("limit", .integer(minimum: 1, maximum: 200), "Default 100."),
            .opt("cursor", .string(maxLength: 64), "next_cursor of the previous page."),
        ])
    }
}

/// An agreement just stored.
struct SavedAgreement: Encodable, Sendable, Schematic {
    var agreement: Agreement
    var created: Bool

    func encode(to encoder: any Encoder) throws {
        try agreement.encode(to: encoder)
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(created, forKey: NameKey("created"))
    }

    static var schema: Schema {
        guard case .object(let fields) = Agreement.schema else { return Agreement.schema }
        return .object(fields + [.req("created", .boolean, "false when external_key found the agreement already stored.")])
    }
}

/// `agreements.renew`.
struct RenewParams: Codable, Sendable, Schematic {
    var id: String
    var expectedVersion: Int?
    var endsOn: LocalDate
    var startsOn, signedOn: LocalDate?
    enum CodingKeys: String, CodingKey {
        case id, expectedVersion = "expected_version", endsOn = "ends_on", startsOn = "starts_on", signedOn = "signed_on"
    }
    static var schema: Schema {
        .object([
            .req("id", agreementIDSchema), .opt("expected_version", versionSchema),
            .req("ends_on", .string(format: "date"), "When the new term ends."),
            .opt("starts_on", .string(format: "date")), .opt("signed_on", .string(format: "date")),
        ])
    }
}

/// The two records of a renewal.
struct Renewal: Encodable, Sendable, Schematic {
    var original, successor: Agreement
    static var schema: Schema { .object([.req("original", Agreement.schema), .req("successor", Agreement.schema)]) }
}

/// `agreements.amend`.
struct AmendParams: Decodable, Sendable, Schematic {
    var id: String
    var expectedVersion: Int
    var summary: String
    var changes: JSONObject
    var effectiveOn: LocalDate?
    enum CodingKeys: String, CodingKey { case id, expectedVersion = "expected_version", summary, changes, effectiveOn = "effective_on" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        expectedVersion = try c.decode(Int.self, forKey: .expectedVersion)
        summary = try c.decode(String.self, forKey: .summary)
        changes = try c.decode(JSONValue.self, forKey: .changes).objectValue ?? [:]
        effectiveOn = try c.decodeIfPresent(LocalDate.self, forKey: .effectiveOn)
    }
    static var schema: Schema {
        .object([
            .req("id", agreementIDSchema), .req("expected_version", versionSchema),
            .req("summary", .string(maxLength: Limits.reason), "What the amendment changes and why."),
            .req(
                "changes", .object(AgreementDraft.fields.map { Schema.Field($0.name, $0.schema, required: false, $0.description) }),
                "The fields to change."),
            .opt("effective_on", .string(format: "date")),
        ])
    }
}

/// `agreements.add_activity`.
struct ActivityParams: Codable, Sendable, Schematic {
    var id: String
    var on: LocalDate
    var kind: ActivityKind
    var summary: String
    var count: Int?
    static var schema: Schema {
        .object([
            .req("id", agreementIDSchema), .req("on", .string(format: "date")),
            .req("kind", .string(values: ActivityKind.allCases.map(\.rawValue))),
            .req("summary", .string(maxLength: Limits.reason)),
            .opt("count", .integer(minimum: 0, maximum: 1_000_000), "e.g. students each way."),
        ])
    }
}

/// `agreements.link_delegation`.
struct LinkParams: Codable, Sendable, Schematic {
    var id, delegationID: String
    var relation: LinkRelation?
    /// What the caller read of the visit from the delegations service, for a visit whose events
    /// have not reached this service yet (a proposed visit has sent none).
    var seen: DelegationLink?
    enum CodingKeys: String, CodingKey { case id, delegationID = "delegation_id", relation, seen }
    static var schema: Schema {
        .object([
            .req("id", agreementIDSchema), .req("delegation_id", .string(maxLength: 64), "Its id or reference."),
            .opt("relation", .string(values: LinkRelation.allCases.map(\.rawValue)), "Default led_to."),
            .opt(
                "seen",
                .object([
                    .req("delegation_id", .string(maxLength: 64)), .req("relation", .string(maxLength: 20)),
                    .opt("ref", .string(maxLength: 64)), .opt("title", .string(maxLength: Limits.title)),
                    .opt("country", .string(maxLength: 2)), .opt("starts_at", .string(maxLength: 32)),
                ]),
                "The visit as read from delegations, when its events have not arrived here (delegation_id must be its id)."),
        ])
    }
}

/// `agreements.attach`: a file's fingerprint, computed where the file is.
struct AttachParams: Codable, Sendable, Schematic {
    var id: String
    var document: AgreementDocument
    static var schema: Schema {
        .object([
            .req("id", agreementIDSchema),
            .req(
                "document",
                .object([
                    .req("title", .string(maxLength: Limits.title)), .req("sha256", .string(maxLength: 64), "64 lowercase hex digits."),
                    .opt("name", .string(maxLength: 255)), .opt("size", .integer(minimum: 0, maximum: 1 << 50)),
                    .opt("media_type", .string(maxLength: 127)),
                ])),
        ])
    }
}

/// An agreement's audit trail.
struct HistoryResult: Encodable, Sendable, Schematic {
    var id, reference: String
    var items: [HistoryEntry]
    static var schema: Schema {
        .object([.req("id", .string()), .req("reference", .string()), .req("items", .array(HistoryEntry.schema))])
    }
}

/// `agreements.sweep`.
struct SweepParams: Codable, Sendable, Schematic {
    var today: LocalDate?
    var apply: Bool?
    static var schema: Schema {
        .object([
            .opt("today", .string(format: "date"), "Another date, to plan: only previews (nothing changes, no notice) unless apply."),
            .opt("apply", .boolean, "With today: really apply the dates as of that day."),
        ])
    }
}

/// `agreements.delegations`.
struct ProjectionParams: Codable, Sendable, Schematic {
    var id: String?
    var limit: Int?
    var cursor: String?
    static var schema: Schema {
        .object([
            .opt("id", .string(maxLength: 64), "One delegation, by id or reference."),
            .opt("limit", .integer(minimum: 1, maximum: 1000), "Default 100."),
            .opt("cursor", .string(maxLength: 200), "next_cursor of the previous page."),
        ])
    }
}

/// The update methods' params.
typealias UpdateParams = RecordUpdate<AgreementDraft>
