import LiaisonJSON

/// What kind of place BIT keeps abroad.
package enum SiteKind: String, WireEnum {
    case workstation, office, centre, institute, other
}

/// A place of BIT's own abroad (the Study in BIT Uganda Workstation): where it is, which
/// agreement created it and which partners are involved. Counted by its own country, apart
/// from the partners' countries.
package struct SiteDraft: Codable, Sendable, Equatable {
    package var name: String
    package var nameLocal: String?
    package var kind: SiteKind
    /// ISO 3166-1 alpha-2 of where the site is.
    package var country: String
    package var city: String?
    /// The agreement that created it (id or reference).
    package var agreement: String?
    /// The partners involved, by registry id (shown with their names).
    package var partners: [PartnerRef]
    /// When it was formed, as precisely as known.
    package var established: PartialDate?
    package var notes: String?
    package var externalKey: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, nameLocal = "name_local", kind, country, city, agreement, partners, established, notes, externalKey =
            "external_key"

        var rule: FieldRule {
            switch self {
            case .name, .nameLocal, .city: .text(Limits.name)
            case .kind: .plain
            case .country: .format("iso3166-alpha2", "Where the site is (e.g. UG), apart from the partners' countries.")
            case .agreement: .text(64, "The agreement that created it (id or reference).")
            case .partners: .list(20, of: .plain, "The partners involved.")
            case .established: .doc("When it was formed, as precisely as known: 2024.")
            case .notes: .text(Limits.notes)
            case .externalKey: .text(Limits.externalKey)
            }
        }
    }

    package init(
        name: String,
        kind: SiteKind,
        country: String,
        agreement: String? = nil,
        partners: [PartnerRef] = [],
        established: PartialDate? = nil
    ) {
        self.name = name
        self.kind = kind
        self.country = country
        self.agreement = agreement
        self.partners = partners
        self.established = established
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        nameLocal = try c.decodeIfPresent(String.self, forKey: .nameLocal)
        kind = try c.decode(SiteKind.self, forKey: .kind)
        country = try c.decode(String.self, forKey: .country)
        city = try c.decodeIfPresent(String.self, forKey: .city)
        agreement = try c.decodeIfPresent(String.self, forKey: .agreement)
        partners = try c.decodeIfPresent([PartnerRef].self, forKey: .partners) ?? []
        established = try c.decodeIfPresent(PartialDate.self, forKey: .established)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        externalKey = try c.decodeIfPresent(String.self, forKey: .externalKey)
    }

    package func problems() -> [ValidationError] {
        var v = Validator()
        v.text(name, "name", max: Limits.name)
        v.optionalText(nameLocal, "name_local", max: Limits.name)
        if Country.named(country) == nil || country.count != 2 {
            v.fail("country", "\"\(country)\" is not an ISO 3166-1 alpha-2 country code (e.g. UG)")
        }
        v.optionalText(city, "city", max: Limits.name)
        if let d = established, d.isRange {
            v.fail("established", "\(d) is a range: give a year, a month or a day (~ if approximate)")
        }
        v.optionalText(notes, "notes", max: Limits.notes, multiline: true)
        v.optionalText(externalKey, "external_key", max: Limits.externalKey)
        if v.count(partners, "partners", max: 20) {
            for (i, p) in partners.enumerated() { v.nested("partners[\(i)]") { p.problems(&$0) } }
        }
        return v.errors
    }
}

/// A stored site.
package struct Site: Codable, Sendable, Equatable {
    package var id: String
    package var draft: SiteDraft
    /// The agreement's id and reference, when one created it.
    package var agreementID, agreementReference: String?
    package var continent, countryName, createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, agreementID = "agreement_id", agreementReference = "agreement_reference", continent, countryName =
            "country_name"
        case createdAt = "created_at"
    }

    package init(id: String, draft: SiteDraft, createdAt: String) {
        self.id = id
        self.draft = draft
        let c = Country.named(draft.country)
        continent = c?.continent.rawValue ?? ""
        countryName = c?.name ?? draft.country
        self.createdAt = createdAt
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        agreementID = try c.decodeIfPresent(String.self, forKey: .agreementID)
        agreementReference = try c.decodeIfPresent(String.self, forKey: .agreementReference)
        continent = try c.decode(String.self, forKey: .continent)
        countryName = try c.decode(String.self, forKey: .countryName)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        draft = try SiteDraft(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try draft.encode(to: encoder)
        try c.encodeIfPresent(agreementID, forKey: .agreementID)
        try c.encodeIfPresent(agreementReference, forKey: .agreementReference)
        try c.encode(continent, forKey: .continent)
        try c.encode(countryName, forKey: .countryName)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
