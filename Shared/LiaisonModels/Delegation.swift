/// Whether BIT hosts the visit or sends people out.
package enum Direction: String, WireEnum {
    case inbound, outbound
}

/// What kind of organisation a partner is.
package enum PartnerKind: String, WireEnum {
    case university, government, school, enterprise, ngo, other
}

/// A member's part in the delegation.
package enum MemberRole: String, WireEnum {
    case head, member, interpreter, staff
}

/// What an itinerary item is.
package enum ItemKind: String, WireEnum {
    case meeting, tour, meal, ceremony, lecture, visit, transfer, signing, free, other
}

/// Where a delegation is in its life.
package enum DelegationStatus: String, WireEnum {
    case proposed, confirmed, inProgress = "in_progress", completed, cancelled, postponed
}

/// The partner organisation.
package struct Partner: Codable, Sendable, Equatable {
    /// Name in English (or as romanised).
    package var name: String
    /// Name in its own script, e.g. กระทรวงศึกษาธิการ.
    package var nameLocal: String?
    package var kind: PartnerKind
    /// ISO 3166-1 alpha-2.
    package var country: String
    package var city, website: String?

    enum CodingKeys: String, CodingKey { case name, nameLocal = "name_local", kind, country, city, website }

    package init(name: String, nameLocal: String? = nil, kind: PartnerKind, country: String, city: String? = nil, website: String? = nil) {
        self.name = name
        self.nameLocal = nameLocal
        self.kind = kind
        self.country = country
        self.city = city
        self.website = website
    }
}

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

    enum CodingKeys: String, CodingKey { case name, nameLocal = "name_local", title, role, email, phone, languages, needs }

    package init(
        name: String, nameLocal: String? = nil, title: String? = nil, role: MemberRole = .member, email: String? = nil,
        phone: String? = nil, languages: [String] = [], needs: Needs? = nil
    ) {
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
        role = try c.decodeIfPresent(MemberRole.self, forKey: .role) ?? .member
        email = try c.decodeIfPresent(String.self, forKey: .email)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        languages = try c.decodeIfPresent([String].self, forKey: .languages) ?? []
        needs = try c.decodeIfPresent(Needs.self, forKey: .needs)
    }

    /// How itinerary items refer to this member: the email, else the name.
    package var reference: String { email ?? name }
}

/// A BIT host.
package struct Host: Codable, Sendable, Equatable {
    package var name: String
    package var nameLocal: String?
    package var email: String
    package var unit, phone: String?
    /// Can interpret for members who need it.
    package var interpreter: Bool?
    package var languages: [String]?

    enum CodingKeys: String, CodingKey { case name, nameLocal = "name_local", email, unit, phone, interpreter, languages }

    package init(name: String, nameLocal: String? = nil, email: String, unit: String? = nil, interpreter: Bool? = nil) {
        self.name = name
        self.nameLocal = nameLocal
        self.email = email
        self.unit = unit
        self.interpreter = interpreter
    }
}

/// One timed item of the itinerary, in the visit's time zone.
package struct ItineraryItem: Codable, Sendable, Equatable {
    package var startsAt, endsAt: LocalDateTime
    package var title: String
    package var kind: ItemKind
    package var venue: String?
    /// Host emails.
    package var hosts: [String]
    /// Member emails (or names for members without one); empty or ["all"] means every member.
    package var attendees: [String]
    package var notes: String?

    enum CodingKeys: String, CodingKey { case startsAt = "starts_at", endsAt = "ends_at", title, kind, venue, hosts, attendees, notes }

    package init(
        startsAt: LocalDateTime, endsAt: LocalDateTime, title: String, kind: ItemKind = .meeting, venue: String? = nil,
        hosts: [String] = [], attendees: [String] = [], notes: String? = nil
    ) {
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.title = title
        self.kind = kind
        self.venue = venue
        self.hosts = hosts
        self.attendees = attendees
        self.notes = notes
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startsAt = try c.decode(LocalDateTime.self, forKey: .startsAt)
        endsAt = try c.decode(LocalDateTime.self, forKey: .endsAt)
        title = try c.decode(String.self, forKey: .title)
        kind = try c.decodeIfPresent(ItemKind.self, forKey: .kind) ?? .meeting
        venue = try c.decodeIfPresent(String.self, forKey: .venue)
        hosts = try c.decodeIfPresent([String].self, forKey: .hosts) ?? []
        attendees = try c.decodeIfPresent([String].self, forKey: .attendees) ?? []
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
    }

    /// Whether every member attends.
    package var everyone: Bool { attendees.isEmpty || attendees == ["all"] }
}

/// An amount of money: a decimal string and an ISO 4217 currency.
package struct Money: Codable, Sendable, Equatable {
    /// e.g. "12000.50".
    package var amount: String
    /// e.g. "CNY".
    package var currency: String

    package init(amount: String, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}

/// A delegation as a caller writes it (create, update, check).
package struct DelegationDraft: Codable, Sendable, Equatable {
    package var direction: Direction
    package var title: String
    package var partner: Partner
    package var purpose: String?
    package var topics: [String]
    /// IANA name; the visit's times are wall times there.
    package var timeZone: String
    package var startsAt, endsAt: LocalDateTime
    package var members: [Member]
    package var hosts: [Host]
    package var itinerary: [ItineraryItem]
    package var budget: Money?
    package var notes: String?
    /// A caller's own key for this visit, unique: makes create idempotent (demo loading, imports).
    package var externalKey: String?

    enum CodingKeys: String, CodingKey {
        case direction, title, partner, purpose, topics, timeZone = "time_zone", startsAt = "starts_at", endsAt = "ends_at"
        case members, hosts, itinerary, budget, notes, externalKey = "external_key"
    }

    package init(
        direction: Direction, title: String, partner: Partner, purpose: String? = nil, topics: [String] = [],
        timeZone: String = TimeZones.defaultName, startsAt: LocalDateTime, endsAt: LocalDateTime, members: [Member] = [],
        hosts: [Host] = [], itinerary: [ItineraryItem] = [], budget: Money? = nil, notes: String? = nil, externalKey: String? = nil
    ) {
        self.direction = direction
        self.title = title
        self.partner = partner
        self.purpose = purpose
        self.topics = topics
        self.timeZone = timeZone
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.members = members
        self.hosts = hosts
        self.itinerary = itinerary
        self.budget = budget
        self.notes = notes
        self.externalKey = externalKey
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        direction = try c.decode(Direction.self, forKey: .direction)
        title = try c.decode(String.self, forKey: .title)
        partner = try c.decode(Partner.self, forKey: .partner)
        purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
        topics = try c.decodeIfPresent([String].self, forKey: .topics) ?? []
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? TimeZones.defaultName
        startsAt = try c.decode(LocalDateTime.self, forKey: .startsAt)
        endsAt = try c.decode(LocalDateTime.self, forKey: .endsAt)
        members = try c.decodeIfPresent([Member].self, forKey: .members) ?? []
        hosts = try c.decodeIfPresent([Host].self, forKey: .hosts) ?? []
        itinerary = try c.decodeIfPresent([ItineraryItem].self, forKey: .itinerary) ?? []
        budget = try c.decodeIfPresent(Money.self, forKey: .budget)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        externalKey = try c.decodeIfPresent(String.self, forKey: .externalKey)
    }
}

/// A stored delegation: the draft plus identity, version and lifecycle.
package struct Delegation: Codable, Sendable, Equatable {
    package var id: String
    /// Human reference, e.g. DEL-2026-0007.
    package var ref: String
    package var version: Int
    package var status: DelegationStatus
    /// Bumped every time the schedule (window, zone or itinerary) changes; calendar SEQUENCE.
    package var scheduleVersion: Int
    package var draft: DelegationDraft
    package var continent, region, countryName, createdAt, updatedAt: String
    package var cancelReason, outcome, postponedReason: String?

    package init(
        id: String, ref: String, version: Int, status: DelegationStatus, scheduleVersion: Int, draft: DelegationDraft,
        createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.ref = ref
        self.version = version
        self.status = status
        self.scheduleVersion = scheduleVersion
        self.draft = draft
        let country = Country.named(draft.partner.country)
        continent = country?.continent.rawValue ?? ""
        region = country?.region ?? ""
        countryName = country?.name ?? draft.partner.country
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, ref, version, status, continent, region, outcome
        case scheduleVersion = "schedule_version", countryName = "country_name", createdAt = "created_at", updatedAt = "updated_at"
        case cancelReason = "cancel_reason", postponedReason = "postponed_reason"
    }

    // The draft's fields sit at the top level beside the stored ones, as callers wrote them.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        ref = try c.decode(String.self, forKey: .ref)
        version = try c.decode(Int.self, forKey: .version)
        status = try c.decode(DelegationStatus.self, forKey: .status)
        scheduleVersion = try c.decodeIfPresent(Int.self, forKey: .scheduleVersion) ?? 1
        continent = try c.decodeIfPresent(String.self, forKey: .continent) ?? ""
        region = try c.decodeIfPresent(String.self, forKey: .region) ?? ""
        countryName = try c.decodeIfPresent(String.self, forKey: .countryName) ?? ""
        createdAt = try c.decode(String.self, forKey: .createdAt)
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
        cancelReason = try c.decodeIfPresent(String.self, forKey: .cancelReason)
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        postponedReason = try c.decodeIfPresent(String.self, forKey: .postponedReason)
        draft = try DelegationDraft(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ref, forKey: .ref)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(scheduleVersion, forKey: .scheduleVersion)
        try draft.encode(to: encoder)
        try c.encode(continent, forKey: .continent)
        try c.encode(region, forKey: .region)
        try c.encode(countryName, forKey: .countryName)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(cancelReason, forKey: .cancelReason)
        try c.encodeIfPresent(outcome, forKey: .outcome)
        try c.encodeIfPresent(postponedReason, forKey: .postponedReason)
    }
}
