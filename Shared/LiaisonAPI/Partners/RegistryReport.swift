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
