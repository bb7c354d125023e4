import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonWire

/// `partners.create`: an institution, with the people known there.
struct PartnerCreateParams: Codable, Sendable, Schematic {
    var partner: Partner
    var people: [Person]

    init(from decoder: any Decoder) throws {
        partner = try Partner(from: decoder)
        let c = try decoder.container(keyedBy: NameKey.self)
        people = try c.decodeIfPresent([Person].self, forKey: NameKey("people")) ?? []
    }

    func encode(to encoder: any Encoder) throws {
        try partner.encode(to: encoder)
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(people, forKey: NameKey("people"))
    }

    static var schema: Schema {
        .object(Partner.fields + [.opt("people", .array(.object(Person.fields), maxItems: Limits.people), "People known there.")])
    }
}

/// `{id}`: a partner by id.
struct PartnerIDParams: Codable, Sendable, Schematic {
    var id: String
    static var schema: Schema { .object([.req("id", .string(maxLength: Limits.externalKey), "The partner's id (par-…).")]) }
}

/// `partners.list` filters.
struct PartnerListParams: Codable, Sendable, Schematic {
    var country, text, cursor: String?
    var kind: PartnerKind?
    var includeMerged: Bool?
    var limit: Int?

    enum CodingKeys: String, CodingKey { case country, text, cursor, kind, includeMerged = "include_merged", limit }

    static var schema: Schema {
        .object([
            .opt("country", .string(format: "iso3166-alpha2")), .opt("kind", .string(values: PartnerKind.allCases.map(\.rawValue))),
            .opt("text", .string(maxLength: 200), "Words in the name (either script), city or country."),
            .opt("include_merged", .boolean, "Also the entries merged into others."),
            .opt("limit", .integer(minimum: 1, maximum: 1000), "Default 100."), .opt("cursor", .string(maxLength: 300)),
        ])
    }
}

/// `partners.update`: `{id, expected_version, …the fields to replace}`.
typealias PartnerUpdateParams = RecordUpdate<Partner>

/// `partners.merge`: `from` is a duplicate of `into`.
struct PartnerMergeParams: Codable, Sendable, Schematic {
    var from, into: String
    var reason: String?
    static var schema: Schema {
        .object([
            .req("from", .string(maxLength: Limits.externalKey), "The duplicate: kept as merged, its visits and people move."),
            .req("into", .string(maxLength: Limits.externalKey), "The entry kept."), .opt("reason", .string(maxLength: Limits.reason)),
        ])
    }
}

/// `partners.add_person`.
struct PersonAddParams: Codable, Sendable, Schematic {
    var partner: String
    var person: Person
    static var schema: Schema {
        .object([.req("partner", .string(maxLength: Limits.externalKey)), .req("person", .object(Person.fields))])
    }
}

/// `partners.update_person`: one of a partner's people (`person`: their id or email); the
/// fields given replace theirs, null clears one.
struct PersonUpdateParams: Decodable, Sendable, Schematic {
    var partner, person: String
    var expectedVersion: Int?
    /// The fields given, as sent.
    var changes: JSONObject

    enum CodingKeys: String, CodingKey { case partner, person, expectedVersion = "expected_version" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partner = try c.decode(String.self, forKey: .partner)
        person = try c.decode(String.self, forKey: .person)
        expectedVersion = try c.decodeIfPresent(Int.self, forKey: .expectedVersion)
        var rest = try JSONValue(from: decoder).objectValue ?? [:]
        for key in ["partner", "person", "expected_version"] { rest[key] = nil }
        changes = rest
    }

    static var schema: Schema {
        .object(
            PersonRemoveParams.fields + Person.fields.map { Schema.Field($0.name, $0.schema, required: false, $0.description) })
    }
}

/// `partners.remove_person`: one of a partner's people is no longer there.
struct PersonRemoveParams: Codable, Sendable, Schematic {
    var partner, person: String
    var expectedVersion: Int?
    enum CodingKeys: String, CodingKey { case partner, person, expectedVersion = "expected_version" }

    static let fields: [Schema.Field] = [
        .req("partner", .string(maxLength: Limits.externalKey)),
        .req("person", .string(maxLength: Limits.email), "Their id (per-…) or email."),
        .opt("expected_version", .integer(minimum: 1, maximum: Int64(Int32.max)), "The partner's version you last read."),
    ]
    static var schema: Schema { .object(fields) }
}

/// A partner with what the office knows of it here: its visits and the last contact.
struct PartnerView: Encodable, Sendable, Schematic {
    struct Visit: Codable, Sendable {
        var id, ref, title, when, status, direction: String
        var lead: Bool
    }
    var partner: PartnerRecord
    var visits: [Visit]
    /// When the latest visit that took place (or is under way) was: 2024-10, ~2024, 2026-03-12.
    var lastVisit: String?
    var merged: [PartnerRecord]

    func encode(to encoder: any Encoder) throws {
        try partner.encode(to: encoder)
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(visits, forKey: NameKey("visits"))
        try c.encodeIfPresent(lastVisit, forKey: NameKey("last_visit"))
        try c.encode(merged, forKey: NameKey("merged"))
    }

    static var schema: Schema {
        guard case .object(let fields) = PartnerRecord.schema else { return PartnerRecord.schema }
        let visit: Schema = .object([
            .req("id", .string()), .req("ref", .string()), .req("title", .string()), .req("when", .string()), .req("status", .string()),
            .req("direction", .string()), .req("lead", .boolean),
        ])
        return .object(
            fields + [
                .req("visits", .array(visit)), .opt("last_visit", .string(), "When the latest visit that took place was."),
                .req("merged", .array(PartnerRecord.schema), "The duplicates merged into it, with their own history."),
            ])
    }
}

struct PartnerHistoryResult: Codable, Sendable, Schematic {
    var id: String
    var items: [HistoryEntry]
    static var schema: Schema { .object([.req("id", .string()), .req("items", .array(HistoryEntry.schema))]) }
}
