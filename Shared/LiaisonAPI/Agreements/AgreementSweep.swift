import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `agreements.sweep`.
package struct SweepParams: Codable, Sendable, Schematic {
    package var today: LocalDate?
    package var apply: Bool?

    package init(today: LocalDate? = nil, apply: Bool? = nil) { (self.today, self.apply) = (today, apply) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case today, apply
        var rule: FieldRule {
            self == .today
                ? .doc("Another date, to plan: only previews (nothing changes, no notice) unless apply.")
                : .doc("With today: really apply the dates as of that day.")
        }
    }
}

/// What a sweep did (or, previewed, would do).
package struct SweepResult: Codable, Sendable, Schematic {
    package struct Renewed: Codable, Sendable {
        package var from, to: String
        package init(from: String, to: String) { (self.from, self.to) = (from, to) }
    }

    package struct Expiring: Codable, Sendable {
        package var reference: String
        package var leadDays, daysLeft: Int
        package init(reference: String, leadDays: Int, daysLeft: Int) {
            (self.reference, self.leadDays, self.daysLeft) = (reference, leadDays, daysLeft)
        }
        enum CodingKeys: String, CodingKey { case reference, leadDays = "lead_days", daysLeft = "days_left" }
    }

    /// A notice the sweep's events make the notifications service send (to BIT's coordinator;
    /// partner contacts too when its rules say so).
    package struct Mail: Codable, Sendable {
        package var kind, reference, to: String
        package init(kind: String, reference: String, to: String) {
            (self.kind, self.reference, self.to) = (kind, reference, to)
        }
    }

    package var today: String
    package var activated: [String] = []
    package var expired: [String] = []
    package var renewed: [Renewed] = []
    package var expiring: [Expiring] = []
    package var mails: [Mail] = []
    /// false for a preview: nothing changed, nothing was sent.
    package var applied = true

    package init(today: String) { self.today = today }

    /// How many agreements it changed or gave notice of.
    package var changes: Int { activated.count + expired.count + renewed.count + expiring.count }

    enum CodingKeys: String, CodingKey, FieldKey {
        case today, activated, expired, renewed, expiring, mails, applied
        var rule: FieldRule {
            switch self {
            case .today: .format("date")
            case .activated: .doc("References.")
            case .applied: .doc("false for a preview (another today without apply): nothing changed.")
            default: .plain
            }
        }
    }
}

/// `agreements.delegations`.
package struct ProjectionParams: Codable, Sendable, Schematic, Paged {
    package var id: String?
    package var limit: Int?
    package var cursor: String?

    package init(id: String? = nil, limit: Int? = nil) { (self.id, self.limit) = (id, limit) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, limit, cursor
        var rule: FieldRule {
            switch self {
            case .id: .text(64, "One delegation, by id or reference.")
            case .limit: .int(1...1000, "Default 100.")
            case .cursor: .text(200, "next_cursor of the previous page.")
            }
        }
    }
}

/// A delegation as the agreements service knows it from events.
package struct ProjectedDelegation: Codable, Sendable, Schematic {
    package struct PartnerName: Codable, Sendable {
        package var name: String
        package var nameLocal: String?
        package var country: String
        package init(name: String, nameLocal: String?, country: String) {
            (self.name, self.nameLocal, self.country) = (name, nameLocal, country)
        }
        enum CodingKeys: String, CodingKey { case name, nameLocal = "name_local", country }
    }

    package var id, ref, title: String
    package var partner: PartnerName
    package var continent, region, startsAt, endsAt, timeZone: String
    package var status: DelegationStatus
    /// The date of a visit known only so far (`2018`, `~2024`), and as people write it ("c. 2024").
    package var date, when: String?
    package var version, lastSequence, eventsApplied, outOfOrder: Int64

    package init(
        id: String,
        ref: String,
        title: String,
        partner: PartnerName,
        continent: String,
        region: String,
        startsAt: String,
        endsAt: String,
        timeZone: String,
        status: DelegationStatus,
        date: String?,
        when: String?,
        version: Int64,
        lastSequence: Int64,
        eventsApplied: Int64,
        outOfOrder: Int64
    ) {
        (self.id, self.ref, self.title, self.partner, self.continent, self.region) = (
            id, ref, title, partner, continent, region
        )
        (self.startsAt, self.endsAt, self.timeZone, self.status, self.date, self.when) = (
            startsAt, endsAt, timeZone, status, date, when
        )
        (self.version, self.lastSequence, self.eventsApplied, self.outOfOrder) = (
            version, lastSequence, eventsApplied, outOfOrder
        )
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, ref, title, partner, continent, region, status, version, date, when
        case startsAt = "starts_at", endsAt = "ends_at", timeZone = "time_zone", lastSequence = "last_sequence"
        case eventsApplied = "events_applied", outOfOrder = "out_of_order"

        var rule: FieldRule {
            switch self {
            case .startsAt, .endsAt: .format("local-date-time")
            case .date: .format("partial-date", "For a past visit known only to the year, month or day.")
            case .when: .doc("That date as people write it.")
            default: .plain
            }
        }
    }
}

/// An agreement event's data: the agreement, with `lead_days` and `days_left` on
/// `agreement.expiring`, and the new record as `successor` on `agreement.renewed`.
package struct AgreementEventData: Codable, Sendable, Schematic {
    package var agreement: Agreement
    package var leadDays, daysLeft: Int?
    package var successor: Agreement?

    package init(agreement: Agreement, leadDays: Int? = nil, daysLeft: Int? = nil, successor: Agreement? = nil) {
        self.agreement = agreement
        self.leadDays = leadDays
        self.daysLeft = daysLeft
        self.successor = successor
    }

    enum CodingKeys: String, CodingKey { case leadDays = "lead_days", daysLeft = "days_left", successor }

    package init(from decoder: any Decoder) throws {
        agreement = try Agreement(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        leadDays = try c.decodeIfPresent(Int.self, forKey: .leadDays)
        daysLeft = try c.decodeIfPresent(Int.self, forKey: .daysLeft)
        successor = try c.decodeIfPresent(Agreement.self, forKey: .successor)
    }

    package func encode(to encoder: any Encoder) throws {
        try agreement.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(leadDays, forKey: .leadDays)
        try c.encodeIfPresent(daysLeft, forKey: .daysLeft)
        try c.encodeIfPresent(successor, forKey: .successor)
    }
}
