import LiaisonJSON

/// What kind of organisation a partner is.
package enum PartnerKind: String, WireEnum {
    case university, government, school, enterprise, ngo, other
}

/// A person's part: in a delegation, or at a partner institution.
package enum MemberRole: String, WireEnum {
    case head, minister, official, principal, teacher, student, interpreter, staff, other

    /// Reads the roles of stored records too: `member` (before roles were named) is `other`.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let v = raw == "member" ? .other : Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(raw)\" is not one of \(Self.allowed)")
        }
        self = v
    }
}

/// A partner institution as a caller describes it (create, update, import).
package struct Partner: Codable, Sendable, Equatable {
    /// Name in English (or as romanised).
    package var name: String
    /// Name in its own script, e.g. กระทรวงศึกษาธิการ.
    package var nameLocal: String?
    package var kind: PartnerKind
    /// ISO 3166-1 alpha-2.
    package var country: String
    package var city, website: String?
    /// The institution this one belongs to (a partner id), e.g. a faculty's university.
    package var parent: String?
    package var notes: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, nameLocal = "name_local", kind, country, city, website, parent, notes

        var rule: FieldRule {
            switch self {
            case .name, .city: .text(Limits.name)
            case .nameLocal: .text(Limits.name, "Name in its own script.")
            case .kind: .plain
            case .country: .format("iso3166-alpha2", "e.g. TH, KR, UZ, MA, CN.")
            case .website: .text(Limits.shortText)
            case .parent: .text(Limits.externalKey, "The institution it belongs to (a partner id).")
            case .notes: .text(Limits.notes)
            }
        }
    }

    package init(
        name: String,
        nameLocal: String? = nil,
        kind: PartnerKind,
        country: String,
        city: String? = nil,
        website: String? = nil,
        parent: String? = nil,
        notes: String? = nil
    ) {
        self.name = name
        self.nameLocal = nameLocal
        self.kind = kind
        self.country = country
        self.city = city
        self.website = website
        self.parent = parent
        self.notes = notes
    }

    /// Name and country as the registry compares them: lowercased letters and digits, single
    /// spaces, a leading "the" dropped.
    package static func matchKey(name: String, country: String) -> String {
        var words: [String] = []
        var word = ""
        for ch in name.lowercased() {
            if ch.isLetter || ch.isNumber {
                word.append(ch)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        if words.first == "the" { words.removeFirst() }
        return words.joined(separator: " ") + "|" + country.uppercased()
    }

    /// The id a partner of this name and country gets when it is found by name (migration,
    /// inline partners, imports): the same in every service.
    package static func derivedID(name: String, country: String) -> String {
        IDs.derived("par", from: matchKey(name: name, country: country))
    }

    /// Every problem, each with its field path under `prefix`.
    package func problems(_ v: inout Validator) {
        v.text(name, "name", max: Limits.name)
        v.optionalText(nameLocal, "name_local", max: Limits.name)
        if Country.named(country) == nil || country.count != 2 {
            v.fail("country", "\"\(country)\" is not an ISO 3166-1 alpha-2 country code (e.g. TH, KR, UZ)")
        }
        v.optionalText(city, "city", max: Limits.name)
        v.optionalText(website, "website", max: Limits.shortText)
        v.optionalText(parent, "parent", max: Limits.externalKey)
        v.optionalText(notes, "notes", max: Limits.notes, multiline: true)
    }
}

/// Someone at a partner institution.
package struct Person: Codable, Sendable, Equatable {
    package var id: String
    package var name: String
    package var nameLocal, title: String?
    package var role: MemberRole
    package var email, phone: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, name, nameLocal = "name_local", title, role, email, phone

        var rule: FieldRule {
            switch self {
            case .id: .text(Limits.externalKey, "Given by the registry (per-…).")
            case .name, .nameLocal: .text(Limits.name)
            case .title: .text(Limits.name, "e.g. Minister for the Development of ICT.")
            case .role: .plain
            case .email: .format("email", max: Limits.email)
            case .phone: .text(Limits.phone)
            }
        }
    }

    package init(
        id: String,
        name: String,
        nameLocal: String? = nil,
        title: String? = nil,
        role: MemberRole = .other,
        email: String? = nil,
        phone: String? = nil
    ) {
        self.id = id
        self.name = name
        self.nameLocal = nameLocal
        self.title = title
        self.role = role
        self.email = email
        self.phone = phone
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        name = try c.decode(String.self, forKey: .name)
        nameLocal = try c.decodeIfPresent(String.self, forKey: .nameLocal)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        role = try c.decodeIfPresent(MemberRole.self, forKey: .role) ?? .other
        email = try c.decodeIfPresent(String.self, forKey: .email)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
    }

    package func problems(_ v: inout Validator) {
        v.person(name: name, nameLocal: nameLocal, (title, "title"), phone: phone, email: email)
    }
}

/// Where a registry entry is in its life: in use, or merged into another (kept, with its
/// history, so that old references still resolve).
package enum PartnerStatus: String, WireEnum {
    case active, merged
}

/// A partner institution in the registry: what the caller described, its people, and where it
/// went when merged.
package struct PartnerRecord: Codable, Sendable, Equatable {
    package var id: String
    package var version: Int
    package var status: PartnerStatus
    package var draft: Partner
    package var people: [Person]
    /// The partner this one was merged into.
    package var mergedInto: String?
    /// The partners merged into this one.
    package var mergedFrom: [String]
    package var continent, countryName, createdAt, updatedAt: String

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, version, status, people, mergedInto = "merged_into", mergedFrom = "merged_from", continent
        case countryName = "country_name", createdAt = "created_at", updatedAt = "updated_at"

        var rule: FieldRule {
            switch self {
            case .mergedInto: .doc("The entry kept when this one was merged.")
            default: .plain
            }
        }
    }

    package init(id: String, draft: Partner, createdAt: String) {
        self.id = id
        version = 1
        status = .active
        self.draft = draft
        people = []
        mergedFrom = []
        continent = ""
        countryName = ""
        self.createdAt = createdAt
        updatedAt = createdAt
        place()
    }

    /// Sets the continent and country name from the country code.
    package mutating func place() {
        let c = Country.named(draft.country)
        continent = c?.continent.rawValue ?? ""
        countryName = c?.name ?? draft.country
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        version = try c.decode(Int.self, forKey: .version)
        status = try c.decode(PartnerStatus.self, forKey: .status)
        people = try c.decodeIfPresent([Person].self, forKey: .people) ?? []
        mergedInto = try c.decodeIfPresent(String.self, forKey: .mergedInto)
        mergedFrom = try c.decodeIfPresent([String].self, forKey: .mergedFrom) ?? []
        continent = try c.decodeIfPresent(String.self, forKey: .continent) ?? ""
        countryName = try c.decodeIfPresent(String.self, forKey: .countryName) ?? ""
        createdAt = try c.decode(String.self, forKey: .createdAt)
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
        draft = try Partner(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try draft.encode(to: encoder)
        try c.encode(people, forKey: .people)
        try c.encodeIfPresent(mergedInto, forKey: .mergedInto)
        try c.encode(mergedFrom, forKey: .mergedFrom)
        try c.encode(continent, forKey: .continent)
        try c.encode(countryName, forKey: .countryName)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }

    /// How a visit or an agreement shows this partner.
    package var reference: PartnerRef {
        PartnerRef(
            id: id,
            name: draft.name,
            nameLocal: draft.nameLocal,
            kind: draft.kind,
            country: draft.country.uppercased()
        )
    }
}

/// A partner as a visit or an agreement names it: by id, with the registry's name, kind and
/// country beside it (kept current by the service that holds the record, never typed by hand).
/// A caller may instead describe the partner (name, kind, country …): it is then found in the
/// registry by name and country, or registered.
package struct PartnerRef: Codable, Sendable, Equatable {
    package var id: String?
    package var name: String?
    package var nameLocal: String?
    package var kind: PartnerKind?
    package var country: String?
    package var city, website: String?
    /// The partner leading a joint delegation.
    package var lead: Bool?
    /// Who to write to about an agreement.
    package var contactName, contactEmail: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, name, nameLocal = "name_local", kind, country, city, website, lead, contactName = "contact_name"
        case contactEmail = "contact_email"

        var rule: FieldRule {
            switch self {
            case .id: .text(Limits.externalKey, "The registry's id (par-…); or describe the partner instead.")
            case .name, .city: .text(Limits.name)
            case .nameLocal: .text(Limits.name, "Name in its own script.")
            case .kind: .plain
            case .country: .format("iso3166-alpha2", "e.g. TH, KR, UZ, MA, CN.")
            case .website: .text(Limits.shortText)
            case .lead: .doc("The partner leading a joint delegation.")
            case .contactName: .text(Limits.name, "Agreements: who to write to.")
            case .contactEmail: .format("email", max: Limits.email)
            }
        }
    }

    package init(
        id: String? = nil,
        name: String? = nil,
        nameLocal: String? = nil,
        kind: PartnerKind? = nil,
        country: String? = nil,
        lead: Bool? = nil,
        contactName: String? = nil,
        contactEmail: String? = nil
    ) {
        self.id = id
        self.name = name
        self.nameLocal = nameLocal
        self.kind = kind
        self.country = country
        self.lead = lead
        self.contactName = contactName
        self.contactEmail = contactEmail
    }

    /// The description of a partner to find or register, when the caller gave one.
    package var described: Partner? {
        guard let name, let kind, let country else { return nil }
        return Partner(
            name: name,
            nameLocal: nameLocal,
            kind: kind,
            country: country.uppercased(),
            city: city,
            website: website
        )
    }

    /// Takes the registry's name, kind and country (keeping lead and contact).
    package mutating func resolve(_ r: PartnerRef) {
        id = r.id
        name = r.name
        nameLocal = r.nameLocal
        kind = r.kind
        country = r.country
        city = nil
        website = nil
    }

    /// Problems of a reference as a caller wrote it, under `v`'s path.
    package func problems(_ v: inout Validator) {
        if let id {
            v.text(id, "id", max: Limits.externalKey)
            return
        }
        guard name != nil || kind != nil || country != nil else {
            v.fail(
                "id",
                "required: a partner id (see partners.list), or name, kind and country to find or register one"
            )
            return
        }
        if name == nil { v.fail("name", "required with kind and country when no id is given") }
        if kind == nil {
            v.fail("kind", "required with name and country when no id is given (one of \(PartnerKind.allowed))")
        }
        if country == nil { v.fail("country", "required with name and kind when no id is given") }
        if var d = described {
            d.country = d.country.uppercased()
            d.problems(&v)
        }
    }

    /// A label for lists: the name, with the own-script name in brackets.
    package var label: String {
        let n = name ?? id ?? "?"
        return nameLocal.map { "\(n) (\($0))" } ?? n
    }
}

extension [PartnerRef] {
    /// Shows `reference` (the registry's name, kind and country) for the partners named by any of
    /// `ids`. A list naming both the kept and a merged entry names the kept one once; an entry
    /// without an id (only described) is never taken for another.
    package mutating func show(_ reference: PartnerRef, for ids: [String]) {
        var seen = Set<String>()
        self = compactMap { p in
            var p = p
            if let id = p.id, ids.contains(id) { p.resolve(reference) }
            guard let id = p.id else { return p }
            return seen.insert(id).inserted ? p : nil
        }
    }
}
