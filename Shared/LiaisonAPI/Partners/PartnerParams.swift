import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `partners.create`: an institution, with the people known there.
package struct PartnerCreate: Codable, Sendable, Schematic {
    package var partner: Partner
    package var people: [Person]

    package init(partner: Partner, people: [Person] = []) { (self.partner, self.people) = (partner, people) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case people
        var rule: FieldRule { .list(Limits.people, of: .plain, "People known there.") }
    }

    package init(from decoder: any Decoder) throws {
        partner = try Partner(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        people = try c.decodeIfPresent([Person].self, forKey: .people) ?? []
    }

    package func encode(to encoder: any Encoder) throws {
        try partner.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(people, forKey: .people)
    }
}

/// `{id}`: a partner by id.
package struct PartnerID: Codable, Sendable, Schematic {
    package var id: String

    package init(_ id: String) { self.id = id }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id
        var rule: FieldRule { .text(Limits.externalKey, "The partner's id (par-…).") }
    }
}

/// `partners.list` filters.
package struct PartnerFilter: Codable, Sendable, Schematic, Paged {
    package var country, text, cursor: String?
    package var kind: PartnerKind?
    package var continent: Continent?
    package var includeMerged: Bool?
    package var limit: Int?

    package init(text: String? = nil, limit: Int? = nil) { (self.text, self.limit) = (text, limit) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case country, kind, text, includeMerged = "include_merged", limit, cursor, continent

        var rule: FieldRule {
            switch self {
            case .country: .format("iso3166-alpha2")
            case .kind: .plain
            case .continent: .doc("Partners in a country of this continent.")
            case .text: .text(200, "Words in the name (either script), city or country.")
            case .includeMerged: .doc("Also the entries merged into others.")
            case .limit: .int(1...1000, "Default 100.")
            case .cursor: .text(300)
            }
        }
    }
}

/// `partners.update`: `{id, expected_version?, …the fields to replace}`.
package typealias PartnerUpdate = RecordUpdate<Partner>

/// `partners.merge`: `from` is a duplicate of `into`.
package struct PartnerMerge: Codable, Sendable, Schematic {
    package var from, into: String
    package var reason: String?

    package init(from: String, into: String, reason: String? = nil) {
        self.from = from
        self.into = into
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case from, into, reason
        var rule: FieldRule {
            switch self {
            case .from: .text(Limits.externalKey, "The duplicate: kept as merged, its visits and people move.")
            case .into: .text(Limits.externalKey, "The entry kept.")
            case .reason: .text(Limits.reason)
            }
        }
    }
}

/// `partners.add_person`.
package struct PersonAdd: Codable, Sendable, Schematic {
    package var partner: String
    package var person: Person

    package init(partner: String, person: Person) { (self.partner, self.person) = (partner, person) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case partner, person
        var rule: FieldRule { self == .partner ? .text(Limits.externalKey) : .plain }
    }
}

/// `partners.remove_person`: one of a partner's people (their id or email) is no longer there.
package struct PersonRemove: Codable, Sendable, Schematic {
    package var partner, person: String
    package var expectedVersion: Int?

    package init(partner: String, person: String, expectedVersion: Int? = nil) {
        self.partner = partner
        self.person = person
        self.expectedVersion = expectedVersion
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case partner, person, expectedVersion = "expected_version"
        var rule: FieldRule {
            switch self {
            case .partner: .text(Limits.externalKey)
            case .person: .text(Limits.email, "Their id (per-…) or email.")
            case .expectedVersion: .int(1...Int64(Int32.max), "The partner's version you last read.")
            }
        }
    }
}

/// `partners.update_person`: one of a partner's people (`person`: their id or email); the fields
/// given replace theirs, null clears one.
package struct PersonUpdate: Codable, Sendable, Schematic {
    package var partner, person: String
    package var expectedVersion: Int?
    /// The fields given, as sent.
    package var changes: JSONObject

    package init(partner: String, person: String, expectedVersion: Int? = nil, changes: JSONObject) {
        self.partner = partner
        self.person = person
        self.expectedVersion = expectedVersion
        self.changes = changes
    }

    package init(from decoder: any Decoder) throws {
        let who = try PersonRemove(from: decoder)
        (partner, person, expectedVersion) = (who.partner, who.person, who.expectedVersion)
        var rest = try JSONValue(from: decoder).objectValue ?? [:]
        for key in ["partner", "person", "expected_version"] { rest[key] = nil }
        changes = rest
    }

    package func encode(to encoder: any Encoder) throws {
        var all = changes
        all["partner"] = .string(partner)
        all["person"] = .string(person)
        if let expectedVersion { all["expected_version"] = .int(Int64(expectedVersion)) }
        try JSONValue.object(all).encode(to: encoder)
    }

    package static var schema: Schema {
        PersonRemove.schema.adding(Person.schema.allOptional.fields.filter { $0.name != "id" })
    }
}

/// A partner with what the office knows of it here: its visits and the last contact.
package struct PartnerView: Codable, Sendable, Schematic {
    package struct Visit: Codable, Sendable {
        package var id, ref, title, when: String
        package var status: DelegationStatus
        package var direction: Direction
        package var lead: Bool

        package init(_ d: Delegation, lead: Bool) {
            (id, ref, title, when, status, direction) = (
                d.id, d.ref, d.draft.title, d.draft.when, d.status, d.draft.direction
            )
            self.lead = lead
        }
    }

    package var partner: PartnerRecord
    package var visits: [Visit]
    /// When the latest visit that took place (or is under way) was: 2024-10, ~2024, 2026-03-12.
    package var lastVisit: String?
    package var merged: [PartnerRecord]

    package init(partner: PartnerRecord, visits: [Visit], lastVisit: String?, merged: [PartnerRecord]) {
        self.partner = partner
        self.visits = visits
        self.lastVisit = lastVisit
        self.merged = merged
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case visits, lastVisit = "last_visit", merged
        var rule: FieldRule {
            switch self {
            case .visits: .plain
            case .lastVisit: .doc("When the latest visit that took place was.")
            case .merged: .doc("The duplicates merged into it, with their own history.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        partner = try PartnerRecord(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        visits = try c.decode([Visit].self, forKey: .visits)
        lastVisit = try c.decodeIfPresent(String.self, forKey: .lastVisit)
        merged = try c.decode([PartnerRecord].self, forKey: .merged)
    }

    package func encode(to encoder: any Encoder) throws {
        try partner.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(visits, forKey: .visits)
        try c.encodeIfPresent(lastVisit, forKey: .lastVisit)
        try c.encode(merged, forKey: .merged)
    }
}

/// The partner registry's methods (on the delegations service, which checks a visit's partners
/// in the same transaction as the visit).
package enum PartnersAPI {
    package static let service = DelegationsAPI.service

    package static let create = Method<PartnerCreate, PartnerRecord>(
        "partners.create",
        on: service,
        .write,
        "Registers a partner institution (refused with conflict when its name and country are there)."
    )
    package static let get = Method<PartnerID, PartnerView>(
        "partners.get",
        on: service,
        .read,
        "A partner with its people, its visits and the last one, and the entries merged into it."
    )
    package static let list = Method<PartnerFilter, Page<PartnerRecord>>(
        "partners.list",
        on: service,
        .read,
        "Partners by name; pages through next_cursor."
    )
    package static let update = Method<PartnerUpdate, PartnerRecord>(
        "partners.update",
        on: service,
        .write,
        "Replaces the fields given; every visit naming it shows the change."
    )
    package static let addPerson = Method<PersonAdd, PartnerRecord>(
        "partners.add_person",
        on: service,
        .write,
        "Adds someone to a partner's people."
    )
    package static let updatePerson = Method<PersonUpdate, PartnerRecord>(
        "partners.update_person",
        on: service,
        .write,
        "One of a partner's people (by id or email): the fields given replace theirs, null clears one."
    )
    package static let removePerson = Method<PersonRemove, PartnerRecord>(
        "partners.remove_person",
        on: service,
        .write,
        "One of a partner's people (by id or email) is no longer there."
    )
    package static let merge = Method<PartnerMerge, PartnerRecord>(
        "partners.merge",
        on: service,
        .write,
        "Merges a duplicate (from) into the entry kept (into); both histories stay. Emits partner.merged."
    )
    package static let person = Method<PersonID, PersonView>(
        "partners.person",
        on: service,
        .read,
        "One of the registry's people by id: their partner, and the visits naming them among the members."
    )
    package static let report = Method<RegistryReportParams, RegistryReport>(
        "partners.report",
        on: service,
        .read,
        "The registry counted by continent, country or kind: entries, those a visit names, and their visits."
    )
    package static let history = Method<HistoryParams, RecordHistory>(
        "partners.history",
        on: service,
        .read,
        "A partner's audit trail."
    )
}
