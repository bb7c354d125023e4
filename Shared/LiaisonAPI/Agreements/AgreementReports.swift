import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// How `report.partners` groups.
package enum ReportGrouping: String, WireEnum {
    case continent, region, country, kind, year
}

/// `agreements.report.partners`.
package struct PartnersReportParams: Codable, Sendable, Schematic {
    package var by: ReportGrouping?
    package var activeOn: LocalDate?
    package var signedIn: Int?

    package init(by: ReportGrouping? = nil, activeOn: LocalDate? = nil, signedIn: Int? = nil) {
        self.by = by
        self.activeOn = activeOn
        self.signedIn = signedIn
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case by, activeOn = "active_on", signedIn = "signed_in"
        var rule: FieldRule {
            switch self {
            case .by: .doc("Default continent.")
            case .activeOn: .doc("Agreements in force on this date (default today).")
            case .signedIn: .int(1900...2200, "Agreements signed in this year instead.")
            }
        }
    }
}

/// Partners and agreements grouped.
package struct PartnersReport: Codable, Sendable, Schematic {
    package struct Row: Codable, Sendable {
        package var key: String
        package var partners, agreements, negotiating, sites: Int
        package var partnerNames, siteNames: [String]

        package init(
            key: String,
            partners: Int,
            agreements: Int,
            negotiating: Int,
            sites: Int,
            partnerNames: [String],
            siteNames: [String]
        ) {
            self.key = key
            (self.partners, self.agreements, self.negotiating, self.sites) = (partners, agreements, negotiating, sites)
            (self.partnerNames, self.siteNames) = (partnerNames, siteNames)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case key, partners, agreements, negotiating, sites, partnerNames = "partner_names", siteNames = "site_names"
            var rule: FieldRule {
                self == .sites ? .doc("BIT's own sites abroad, counted by the site's country.") : .plain
            }
        }
    }

    package struct Totals: Codable, Sendable {
        package var partners, agreements, negotiating, sites: Int

        package init(partners: Int, agreements: Int, negotiating: Int, sites: Int) {
            (self.partners, self.agreements, self.negotiating, self.sites) = (partners, agreements, negotiating, sites)
        }
    }

    package var by: ReportGrouping
    /// How places are counted: partners by their own country, sites by theirs.
    package var counting: String
    package var activeOn: String?
    package var signedIn: Int?
    package var rows: [Row]
    package var totals: Totals

    package init(by: ReportGrouping, counting: String, activeOn: String?, signedIn: Int?, rows: [Row], totals: Totals) {
        self.by = by
        self.counting = counting
        self.activeOn = activeOn
        self.signedIn = signedIn
        self.rows = rows
        self.totals = totals
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case by, counting, activeOn = "active_on", signedIn = "signed_in", rows, totals
        var rule: FieldRule {
            switch self {
            case .counting: .doc("Which country each count follows.")
            case .activeOn: .format("date")
            default: .plain
            }
        }
    }
}

/// Visits → agreements → activities.
package struct FunnelReport: Codable, Sendable, Schematic {
    package struct Row: Codable, Sendable {
        package var continent: String
        package var visits, visitsLeadingToAgreements, agreements, agreementsWithActivities: Int
        package var visitConversionPct, activityPct: Double?

        package init(
            continent: String,
            visits: Int,
            visitsLeadingToAgreements: Int,
            agreements: Int,
            agreementsWithActivities: Int,
            visitConversionPct: Double?,
            activityPct: Double?
        ) {
            (self.continent, self.visits, self.visitsLeadingToAgreements) = (
                continent, visits, visitsLeadingToAgreements
            )
            (self.agreements, self.agreementsWithActivities) = (agreements, agreementsWithActivities)
            (self.visitConversionPct, self.activityPct) = (visitConversionPct, activityPct)
        }

        enum CodingKeys: String, CodingKey {
            case continent, visits, agreements, visitsLeadingToAgreements = "visits_leading_to_agreements"
            case agreementsWithActivities = "agreements_with_activities", visitConversionPct = "visit_conversion_pct"
            case activityPct = "activity_pct"
        }
    }

    package struct Totals: Codable, Sendable {
        package var visits, visitsLeadingToAgreements, agreementsCitingVisits, agreementsWithActivities: Int

        package init(
            visits: Int,
            visitsLeadingToAgreements: Int,
            agreementsCitingVisits: Int,
            agreementsWithActivities: Int
        ) {
            self.visits = visits
            self.visitsLeadingToAgreements = visitsLeadingToAgreements
            self.agreementsCitingVisits = agreementsCitingVisits
            self.agreementsWithActivities = agreementsWithActivities
        }

        enum CodingKeys: String, CodingKey {
            case visits, visitsLeadingToAgreements = "visits_leading_to_agreements", agreementsCitingVisits =
                "agreements_citing_visits"
            case agreementsWithActivities = "agreements_with_activities"
        }
    }

    package var rows: [Row]
    package var totals: Totals

    package init(rows: [Row], totals: Totals) { (self.rows, self.totals) = (rows, totals) }
}

/// `agreements.report.dormant`.
package struct DormantParams: Codable, Sendable, Schematic {
    package var months: Int?
    package var today: LocalDate?

    package init(months: Int? = nil, today: LocalDate? = nil) { (self.months, self.today) = (months, today) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case months, today
        var rule: FieldRule { self == .months ? .int(1...600, "Default 12.") : .plain }
    }
}

/// Agreements in force with no contact for a while.
package struct DormantReport: Codable, Sendable, Schematic {
    package struct Row: Codable, Sendable {
        package var reference, id, title: String
        package var partners: [String]
        package var lastContact: String?
        /// The last contact as it is known: `2024-10` for a visit known only to the month (whose
        /// `last_contact` is the month's last day).
        package var lastContactKnown: String?
        package var since, coordinator: String

        package init(
            reference: String,
            id: String,
            title: String,
            partners: [String],
            lastContact: String?,
            lastContactKnown: String? = nil,
            since: String,
            coordinator: String
        ) {
            (self.reference, self.id, self.title, self.partners) = (reference, id, title, partners)
            (self.lastContact, self.lastContactKnown) = (lastContact, lastContactKnown)
            (self.since, self.coordinator) = (since, coordinator)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case reference, id, title, partners, lastContact = "last_contact", since, coordinator
            case lastContactKnown = "last_contact_known"
            var rule: FieldRule {
                switch self {
                case .lastContact, .since: .format("date")
                case .lastContactKnown:
                    .format("partial-date", "The last contact as known: 2024-10 for a visit known only to the month.")
                default: .plain
                }
            }
        }
    }

    package var months: Int
    package var asOf, cutoff: String
    package var rows: [Row]

    package init(months: Int, asOf: String, cutoff: String, rows: [Row]) {
        (self.months, self.asOf, self.cutoff, self.rows) = (months, asOf, cutoff, rows)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case months, asOf = "as_of", cutoff, rows
        var rule: FieldRule { self == .asOf || self == .cutoff ? .format("date") : .plain }
    }
}

/// `agreements.report.expiring`.
package struct ExpiringParams: Codable, Sendable, Schematic {
    package var days: Int?
    package var today: LocalDate?

    package init(days: Int? = nil, today: LocalDate? = nil) { (self.days, self.today) = (days, today) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case days, today
        var rule: FieldRule { self == .days ? .int(1...3650, "Default 90.") : .plain }
    }
}

/// Agreements ending soon.
package struct ExpiringReport: Codable, Sendable, Schematic {
    package struct Row: Codable, Sendable {
        package var reference, id, title, endsOn: String
        package var daysLeft: Int
        package var autoRenew: Bool
        package var renewal: String
        package var partners: [String]
        package var coordinator: String

        package init(
            reference: String,
            id: String,
            title: String,
            endsOn: String,
            daysLeft: Int,
            autoRenew: Bool,
            renewal: String,
            partners: [String],
            coordinator: String
        ) {
            (self.reference, self.id, self.title, self.endsOn, self.daysLeft) = (reference, id, title, endsOn, daysLeft)
            (self.autoRenew, self.renewal, self.partners, self.coordinator) = (
                autoRenew, renewal, partners, coordinator
            )
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case reference, id, title, endsOn = "ends_on", daysLeft = "days_left", autoRenew = "auto_renew", renewal,
                partners
            case coordinator
            var rule: FieldRule { self == .endsOn ? .format("date") : .plain }
        }
    }

    package var days: Int
    package var asOf: String
    package var rows: [Row]

    package init(days: Int, asOf: String, rows: [Row]) {
        (self.days, self.asOf, self.rows) = (days, asOf, rows)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case days, asOf = "as_of", rows
        var rule: FieldRule { self == .asOf ? .format("date") : .plain }
    }
}
