import LiaisonJSON

/// Whether BIT hosts the visit or sends people out.
package enum Direction: String, WireEnum {
    case inbound, outbound
}

/// Where a delegation is in its life.
package enum DelegationStatus: String, WireEnum {
    case proposed, confirmed, inProgress = "in_progress", completed, cancelled, postponed
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

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, nameLocal = "name_local", email, unit, phone, interpreter, languages
        var rule: FieldRule {
            switch self {
            case .name, .nameLocal, .unit: .text(Limits.name)
            case .email: .format("email", max: Limits.email)
            case .phone: .text(Limits.phone)
            case .interpreter: .doc("Can interpret.")
            case .languages: .list(Limits.languages, of: .text(35))
            }
        }
    }

    package init(name: String, nameLocal: String? = nil, email: String, unit: String? = nil, interpreter: Bool? = nil) {
        self.name = name
        self.nameLocal = nameLocal
        self.email = email
        self.unit = unit
        self.interpreter = interpreter
    }
}

/// An amount of money: a decimal string and an ISO 4217 currency.
package struct Money: Codable, Sendable, Equatable {
    /// e.g. "12000.50".
    package var amount: String
    /// e.g. "CNY".
    package var currency: String

    package init(amount: String, currency: String) { (self.amount, self.currency) = (amount, currency) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case amount, currency
        var rule: FieldRule { self == .amount ? .text(16) : .text(3) }
    }
}

/// A delegation as a caller writes it (create, update, check).
package struct DelegationDraft: Codable, Sendable, Equatable {
    package var direction: Direction
    package var title: String
    /// The partner institutions (one may lead), by registry id.
    package var partners: [PartnerRef]
    package var purpose: String?
    package var topics: [String]
    /// IANA name; the visit's times are wall times there.
    package var timeZone: String
    /// The visit's window. For a past visit known only to the year, month or day (`date`),
    /// these are that period's first and last minute, and are not written out.
    package var startsAt, endsAt: LocalDateTime
    /// When a past visit took place, as precisely as it is known; nil for a scheduled visit.
    package var date: PartialDate?
    package var members: [Member]
    /// People counted rather than named.
    package var groups: [MemberGroup]
    package var hosts: [Host]
    package var itinerary: [ItineraryItem]
    package var budget: Money?
    package var notes: String?
    /// A caller's own key for this visit, unique: makes create idempotent (demo loading, imports).
    package var externalKey: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case direction, title, partners, partner, purpose, topics, timeZone = "time_zone", startsAt = "starts_at",
            endsAt = "ends_at"
        case date, members, groups, hosts, itinerary, budget, notes, externalKey = "external_key"

        var rule: FieldRule {
            switch self {
            case .direction, .endsAt, .budget: .plain
            case .title: .text(Limits.title)
            case .partners:
                .list(
                    Limits.partners,
                    of: .plain,
                    "Required: by registry id (partners.list), one marked lead in a joint visit; or described (name, "
                        + "kind, country) to find or register."
                )
            case .partner:
                .doc(
                    "Older form: one partner described in place; it is found in (or added to) the registry and "
                        + "becomes partners[0]."
                )
            case .purpose: .text(Limits.purpose)
            case .topics: .list(Limits.topics, of: .text(Limits.topic))
            case .timeZone: .text(64, "IANA name; default Asia/Shanghai.")
            case .startsAt: .doc("Required for a scheduled visit.")
            case .date:
                .doc(
                    "Instead of starts_at/ends_at, for a past visit known only so far: 2018, 2024-10, 2024-10-22, "
                        + "~2024 (approximate), 2020/2025-05 (a range), ../2025-05 (by May 2025)."
                )
            case .members: .list(Limits.members)
            case .groups: .list(Limits.members, of: .plain, "People counted, not named.")
            case .hosts: .list(Limits.hosts)
            case .itinerary: .list(Limits.itinerary)
            case .notes: .text(Limits.notes)
            case .externalKey:
                .text(
                    Limits.externalKey,
                    "Your own unique key; creating again with it returns the existing delegation."
                )
            }
        }
    }

    package init(
        direction: Direction,
        title: String,
        partners: [PartnerRef],
        purpose: String? = nil,
        topics: [String] = [],
        timeZone: String = TimeZones.defaultName,
        startsAt: LocalDateTime,
        endsAt: LocalDateTime,
        members: [Member] = [],
        hosts: [Host] = [],
        itinerary: [ItineraryItem] = [],
        budget: Money? = nil,
        notes: String? = nil,
        externalKey: String? = nil
    ) {
        self.direction = direction
        self.title = title
        self.partners = partners
        groups = []
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
        if let list = try c.decodeIfPresent([PartnerRef].self, forKey: .partners) {
            partners = list
        } else if let one = try c.decodeIfPresent(PartnerRef.self, forKey: .partner) {
            // Before the registry a visit had one partner, described in place.
            partners = [one]
        } else {
            throw DecodingError.keyNotFound(
                CodingKeys.partners,
                .init(
                    codingPath: c.codingPath,
                    debugDescription: "required: the partners, e.g. [{\"id\": \"par-…\", \"lead\": true}]"
                )
            )
        }
        purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
        topics = try c.decodeIfPresent([String].self, forKey: .topics) ?? []
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? TimeZones.defaultName
        date = try c.decodeIfPresent(PartialDate.self, forKey: .date)
        // A member given as null counts as not given.
        func given(_ k: CodingKeys) throws -> Bool { try c.contains(k) && !c.decodeNil(forKey: k) }
        if let date {
            if try given(.startsAt) || given(.endsAt) {
                throw DecodingError.dataCorruptedError(
                    forKey: .date,
                    in: c,
                    debugDescription:
                        "give either date (a past visit as known: 2018, 2024-10, 2024-10-22) or starts_at and ends_at"
                )
            }
            let (s, e) = (date.first, date.last)
            startsAt = LocalDateTime(year: s.year, month: s.month, day: s.day)
            endsAt = LocalDateTime(year: e.year, month: e.month, day: e.day, hour: 23, minute: 59)
        } else {
            guard try given(.startsAt) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.startsAt,
                    .init(
                        codingPath: c.codingPath,
                        debugDescription: "required (or date, for a past visit known to the year, month or day)"
                    )
                )
            }
            startsAt = try c.decode(LocalDateTime.self, forKey: .startsAt)
            endsAt = try c.decode(LocalDateTime.self, forKey: .endsAt)
        }
        members = try c.decodeIfPresent([Member].self, forKey: .members) ?? []
        groups = try c.decodeIfPresent([MemberGroup].self, forKey: .groups) ?? []
        hosts = try c.decodeIfPresent([Host].self, forKey: .hosts) ?? []
        itinerary = try c.decodeIfPresent([ItineraryItem].self, forKey: .itinerary) ?? []
        budget = try c.decodeIfPresent(Money.self, forKey: .budget)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        externalKey = try c.decodeIfPresent(String.self, forKey: .externalKey)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(direction, forKey: .direction)
        try c.encode(title, forKey: .title)
        try c.encode(partners, forKey: .partners)
        try c.encodeIfPresent(purpose, forKey: .purpose)
        try c.encode(topics, forKey: .topics)
        try c.encode(timeZone, forKey: .timeZone)
        if let date {
            try c.encode(date, forKey: .date)
        } else {
            try c.encode(startsAt, forKey: .startsAt)
            try c.encode(endsAt, forKey: .endsAt)
        }
        try c.encode(members, forKey: .members)
        try c.encode(groups, forKey: .groups)
        try c.encode(hosts, forKey: .hosts)
        try c.encode(itinerary, forKey: .itinerary)
        try c.encodeIfPresent(budget, forKey: .budget)
        try c.encodeIfPresent(notes, forKey: .notes)
        try c.encodeIfPresent(externalKey, forKey: .externalKey)
    }

    /// The partner leading the delegation: the one marked lead, else the first.
    package var lead: PartnerRef? { partners.first { $0.lead == true } ?? partners.first }

    /// Where a member or group of a joint visit comes from: " — from <partner>" when the visit
    /// has several partners and `partner` names one of them; "" otherwise.
    package func comesFrom(_ partner: String?) -> String {
        partnerName(of: partner).map { " — from \($0)" } ?? ""
    }

    /// The name of the partner a member or group of a joint visit comes from (by id or name);
    /// nil when the visit has one partner or `partner` names none of them.
    package func partnerName(of partner: String?) -> String? {
        guard partners.count > 1, let partner,
            let p = partners.first(where: { $0.id == partner || $0.name == partner })
        else { return nil }
        return p.name ?? partner
    }

    /// How many people the delegation brings: its members and its groups' counts (nil when a
    /// group's size is not known).
    package var headCount: Int? {
        var n = members.count
        for g in groups {
            guard let c = g.count else { return nil }
            n += c
        }
        return n
    }

    /// When the visit is (or was), as people write it: `2018`, `Oct 2024`, `c. 2024`, or the
    /// first day of a scheduled visit.
    package var when: String { date?.display ?? startsAt.date }
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
    /// Why the schedule last changed (reschedule's reason), for the update mails.
    package var rescheduleReason: String?
    /// Lifecycle changes made against the visit's dates (`start`/`complete` with force), each
    /// with its reason: "start forced on 2026-03-01: the minister arrived early".
    package var exceptions: [String] = []

    package init(
        id: String,
        ref: String,
        version: Int,
        status: DelegationStatus,
        scheduleVersion: Int,
        draft: DelegationDraft,
        createdAt: String,
        updatedAt: String
    ) {
        self.id = id
        self.ref = ref
        self.version = version
        self.status = status
        self.scheduleVersion = scheduleVersion
        self.draft = draft
        continent = ""
        region = ""
        countryName = ""
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        place()
    }

    /// Sets continent, region and country name from the lead partner's country.
    package mutating func place() {
        let code = draft.lead?.country ?? ""
        let country = Country.named(code)
        continent = country?.continent.rawValue ?? ""
        region = country?.region ?? ""
        countryName = country?.name ?? code
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, ref, version, status, continent, region, outcome
        case scheduleVersion = "schedule_version", countryName = "country_name", createdAt = "created_at", updatedAt =
            "updated_at"
        case cancelReason = "cancel_reason", postponedReason = "postponed_reason", exceptions, rescheduleReason =
            "reschedule_reason"

        var rule: FieldRule {
            switch self {
            case .exceptions: .doc("start/complete forced against the visit's dates, with the reasons.")
            case .rescheduleReason: .doc("Why the schedule last changed.")
            default: .plain
            }
        }
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
        exceptions = try c.decodeIfPresent([String].self, forKey: .exceptions) ?? []
        rescheduleReason = try c.decodeIfPresent(String.self, forKey: .rescheduleReason)
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
        if !exceptions.isEmpty { try c.encode(exceptions, forKey: .exceptions) }
        try c.encodeIfPresent(rescheduleReason, forKey: .rescheduleReason)
    }
}
