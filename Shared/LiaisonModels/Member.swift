import LiaisonJSON

/// What a member needs during the visit.
package struct Needs: Codable, Sendable, Equatable {
    package var dietary, accessibility: String?
    /// Needs an interpreter in every item they attend.
    package var interpreter: Bool?

    package init(dietary: String? = nil, accessibility: String? = nil, interpreter: Bool? = nil) {
        self.dietary = dietary
        self.accessibility = accessibility
        self.interpreter = interpreter
    }

    var isEmpty: Bool { dietary == nil && accessibility == nil && interpreter != true }

    enum CodingKeys: String, CodingKey, FieldKey {
        case dietary, accessibility, interpreter
        var rule: FieldRule { self == .interpreter ? .plain : .text(Limits.shortText) }
    }
}

/// A member of the delegation.
package struct Member: Codable, Sendable, Equatable {
    /// Name as romanised (or a description of the role when no name is known).
    package var name: String
    /// Name in their own script.
    package var nameLocal: String?
    /// Title or rank, e.g. "Minister for the Development of ICT".
    package var title: String?
    package var role: MemberRole
    package var email, phone: String?
    /// BCP 47 language tags, e.g. ["th", "en"].
    package var languages: [String]
    package var needs: Needs?
    /// The partner (id) the member comes from, in a joint delegation.
    package var partner: String?
    /// The registry's person (per-…) the member is: name, script, title, role and contact come
    /// from there, and follow the registry's changes while the visit is proposed.
    package var person: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, nameLocal = "name_local", title, role, email, phone, languages, needs, partner, person

        var rule: FieldRule {
            switch self {
            case .name: .text(Limits.name, "Romanised name, or the role when no name is known.")
            case .nameLocal: .text(Limits.name, "Name in their own script.")
            case .title: .text(Limits.name)
            case .role:
                .values(
                    MemberRole.allCases.map(\.rawValue) + ["member"],
                    "Default other; the title says more. member (the older word) is read as other."
                )
            case .email: .format("email", max: Limits.email)
            case .phone: .text(Limits.phone)
            case .languages: .list(Limits.languages, of: .text(35), "BCP 47 tags.")
            case .needs: .plain
            case .partner: .text(Limits.externalKey, "In a joint delegation: the partner (id) they come from.")
            case .person:
                .text(
                    Limits.externalKey,
                    "The registry's person (per-…): their details come from there while the visit is proposed."
                )
            }
        }
    }

    package init(
        name: String,
        nameLocal: String? = nil,
        title: String? = nil,
        role: MemberRole = .other,
        email: String? = nil,
        phone: String? = nil,
        languages: [String] = [],
        needs: Needs? = nil,
        partner: String? = nil
    ) {
        self.partner = partner
        self.name = name
        self.nameLocal = nameLocal
        self.title = title
        self.role = role
        self.email = email
        self.phone = phone
        self.languages = languages
        self.needs = needs
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        nameLocal = try c.decodeIfPresent(String.self, forKey: .nameLocal)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        role = try c.decodeIfPresent(MemberRole.self, forKey: .role) ?? .other
        email = try c.decodeIfPresent(String.self, forKey: .email)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        languages = try c.decodeIfPresent([String].self, forKey: .languages) ?? []
        needs = try c.decodeIfPresent(Needs.self, forKey: .needs)
        partner = try c.decodeIfPresent(String.self, forKey: .partner)
        person = try c.decodeIfPresent(String.self, forKey: .person)
    }

    /// Takes the registry's details of `p` (the visit's own: languages, needs, partner, stay).
    package mutating func follow(_ p: Person) {
        (name, nameLocal, title, role, email, phone) = (p.name, p.nameLocal, p.title, p.role, p.email, p.phone)
        person = p.id
    }

    /// How itinerary items refer to this member: the email, else the name.
    package var reference: String { email ?? name }
}

/// People in a delegation counted rather than named, e.g. 30 international students.
package struct MemberGroup: Codable, Sendable, Equatable {
    /// Who they are, e.g. "International students of BIT".
    package var description: String
    /// How many, when known.
    package var count: Int?
    package var role: MemberRole?
    /// The partner (id) they come from.
    package var partner: String?

    package init(description: String, count: Int? = nil, role: MemberRole? = nil, partner: String? = nil) {
        self.description = description
        self.count = count
        self.role = role
        self.partner = partner
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case description, count, role, partner
        var rule: FieldRule {
            switch self {
            case .description: .text(Limits.purpose, "Who they are, e.g. international students of BIT.")
            case .count: .int(1...100_000, "How many, when known.")
            case .role: .plain
            case .partner: .text(Limits.externalKey, "The partner (id) they come from.")
            }
        }
    }
}
