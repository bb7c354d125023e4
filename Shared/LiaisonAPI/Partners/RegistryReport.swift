import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `partners.report`: the registry itself counted, every entry whether or not an agreement is in
/// force (`agreements.report.partners` counts those).
package struct RegistryReportParams: Codable, Sendable, Schematic {
    package enum Axis: String, WireEnum {
        case continent, country, kind
    }

    package var by: Axis?

    package init(by: Axis? = nil) { self.by = by }

    enum CodingKeys: String, CodingKey, FieldKey {
        case by
        var rule: FieldRule { .doc("Default continent.") }
    }
}

/// The registry by continent, country or kind.
package struct RegistryReport: Codable, Sendable, Schematic {
    package struct Row: Codable, Sendable, Equatable {
        /// The continent, the country's code or the kind.
        package var key: String
        /// The country's name, for rows by country.
        package var name: String?
        /// Entries in the registry (merged ones not counted).
        package var partners: Int
        /// Of those, how many a visit names.
        package var withVisits: Int
        /// Visits naming one of them (a joint visit once per row).
        package var visits: Int

        package init(key: String, name: String? = nil, partners: Int, withVisits: Int, visits: Int) {
            (self.key, self.name, self.partners, self.withVisits, self.visits) = (
                key, name, partners, withVisits, visits
            )
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case key, name, partners, withVisits = "with_visits", visits
            var rule: FieldRule { .plain }
        }
    }

    package var by: String
    /// Most partners first, then by key.
    package var rows: [Row]
    /// Every entry once, every visit once.
    package var totals: Row

    package init(by: String, rows: [Row], totals: Row) { (self.by, self.rows, self.totals) = (by, rows, totals) }
}

/// `partners.person`: one of the registry's people by id.
package struct PersonID: Codable, Sendable, Schematic {
    package var id: String

    package init(_ id: String) { self.id = id }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id
        var rule: FieldRule { .text(Limits.externalKey, "The person's id (per-…), as partner show lists it.") }
    }
}

/// A person of the registry with their partner and the visits they came on (or come on).
package struct PersonView: Codable, Sendable, Schematic {
    /// A visit naming the person among its members.
    package struct Visit: Codable, Sendable, Equatable {
        package var id, ref, title, when: String
        package var status: DelegationStatus

        package init(id: String, ref: String, title: String, when: String, status: DelegationStatus) {
            (self.id, self.ref, self.title, self.when, self.status) = (id, ref, title, when, status)
        }
    }

    package var partner: String
    package var partnerName: String
    package var person: Person
    /// Oldest first.
    package var visits: [Visit]

    package init(partner: String, partnerName: String, person: Person, visits: [Visit]) {
        (self.partner, self.partnerName, self.person, self.visits) = (partner, partnerName, person, visits)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case partner, partnerName = "partner_name", person, visits
        var rule: FieldRule { self == .partner ? .doc("The partner's id (par-…).") : .plain }
    }
}
