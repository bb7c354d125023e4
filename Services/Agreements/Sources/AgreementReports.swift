import LiaisonHost
import LiaisonModels

// The reports' params and answers.

/// How `report.partners` groups.
enum ReportGrouping: String, WireEnum {
    case continent, region, country, kind, year
}

struct PartnersParams: Codable, Sendable, Schematic {
    var by: ReportGrouping?
    var activeOn: LocalDate?
    var signedIn: Int?
    enum CodingKeys: String, CodingKey { case by, activeOn = "active_on", signedIn = "signed_in" }
    static var schema: Schema {
        .object([
            .opt("by", .string(values: ReportGrouping.allCases.map(\.rawValue)), "Default continent."),
            .opt("active_on", .string(format: "date"), "Agreements in force on this date (default today)."),
            .opt("signed_in", .integer(minimum: 1900, maximum: 2200), "Agreements signed in this year instead."),
        ])
    }
}

struct PartnersReport: Codable, Sendable, Schematic {
    struct Row: Codable, Sendable {
        var key: String
        var partners, agreements, negotiating, sites: Int
        var partnerNames, siteNames: [String]
        enum CodingKeys: String, CodingKey {
            case key, partners, agreements, negotiating, sites, partnerNames = "partner_names", siteNames = "site_names"
        }
    }
    struct Totals: Codable, Sendable {
        var partners, agreements, negotiating, sites: Int
    }
    var by: ReportGrouping
    /// How places are counted: partners by their own country, sites by theirs.
    var counting: String
    var activeOn: String?
    var signedIn: Int?
    var rows: [Row]
    var totals: Totals
    enum CodingKeys: String, CodingKey { case by, counting, activeOn = "active_on", signedIn = "signed_in", rows, totals }

    static var schema: Schema {
        let counts: [Schema.Field] = [
            .req("partners", .integer()), .req("agreements", .integer()), .req("negotiating", .integer()),
            .req("sites", .integer(), "BIT's own sites abroad, counted by the site's country."),
        ]
        return .object([
            .req("by", .string(values: ReportGrouping.allCases.map(\.rawValue))),
            .req("counting", .string(), "Which country each count follows."), .opt("active_on", .string(format: "date")),
            .opt("signed_in", .integer()),
            .req(
                "rows",
                .array(
                    .object(
                        [.req("key", .string())] + counts + [
                            .req("partner_names", .array(.string())), .req("site_names", .array(.string())),
                        ]
                    ))),
            .req("totals", .object(counts)),
        ])
    }
}

struct FunnelReport: Codable, Sendable, Schematic {
    struct Row: Codable, Sendable {
        var continent: String
        var visits, visitsLeadingToAgreements, agreements, agreementsWithActivities: Int
        var visitConversionPct, activityPct: Double?
        enum CodingKeys: String, CodingKey {
            case continent, visits, agreements, visitsLeadingToAgreements = "visits_leading_to_agreements"
            case agreementsWithActivities = "agreements_with_activities", visitConversionPct = "visit_conversion_pct", activityPct =
                "activity_pct"
        }
    }
    struct Totals: Codable, Sendable {
        var visits, visitsLeadingToAgreements, agreementsCitingVisits, agreementsWithActivities: Int
        enum CodingKeys: String, CodingKey {
            case visits, visitsLeadingToAgreements = "visits_leading_to_agreements", agreementsCitingVisits = "agreements_citing_visits"
            case agreementsWithActivities = "agreements_with_activities"
        }
    }
    var rows: [Row]
    var totals: Totals

    static var schema: Schema {
        .object([
            .req(
                "rows",
                .array(
                    .object([
                        .req("continent", .string()), .req("visits", .integer()), .req("visits_leading_to_agreements", .integer()),
                        .req("agreements", .integer()), .req("agreements_with_activities", .integer()),
                        .opt("visit_conversion_pct", .number), .opt("activity_pct", .number),
                    ]))),
            .req(
                "totals",
                .object([
                    .req("visits", .integer()), .req("visits_leading_to_agreements", .integer()),
                    .req("agreements_citing_visits", .integer()), .req("agreements_with_activities", .integer()),
                ])),
        ])
    }
}

struct DormantParams: Codable, Sendable, Schematic {
    var months: Int?
    var today: LocalDate?
    static var schema: Schema {
        .object([.opt("months", .integer(minimum: 1, maximum: 600), "Default 12."), .opt("today", .string(format: "date"))])
    }
}

struct DormantReport: Codable, Sendable, Schematic {
    struct Row: Codable, Sendable {
        var reference, id, title: String
        var partners: [String]
        var lastContact: String?
        var since, coordinator: String
        enum CodingKeys: String, CodingKey { case reference, id, title, partners, lastContact = "last_contact", since, coordinator }
    }
    var months: Int
    var asOf, cutoff: String
    var rows: [Row]
    enum CodingKeys: String, CodingKey { case months, asOf = "as_of", cutoff, rows }

    static var schema: Schema {
        .object([
            .req("months", .integer()), .req("as_of", .string(format: "date")), .req("cutoff", .string(format: "date")),
            .req(
                "rows",
                .array(
                    .object([
                        .req("reference", .string()), .req("id", .string()), .req("title", .string()),
                        .req("partners", .array(.string())), .opt("last_contact", .string(format: "date")),
                        .req("since", .string(format: "date")), .req("coordinator", .string()),
                    ]))),
        ])
    }
}

struct ExpiringParams: Codable, Sendable, Schematic {
    var days: Int?
    var today: LocalDate?
    static var schema: Schema {
        .object([.opt("days", .integer(minimum: 1, maximum: 3650), "Default 90."), .opt("today", .string(format: "date"))])
    }
}

struct ExpiringReport: Codable, Sendable, Schematic {
    struct Row: Codable, Sendable {
        var reference, id, title, endsOn: String
        var daysLeft: Int
        var autoRenew: Bool
        var renewal: String
        var partners: [String]
        var coordinator: String
        enum CodingKeys: String, CodingKey {
            case reference, id, title, endsOn = "ends_on", daysLeft = "days_left", autoRenew = "auto_renew", renewal, partners, coordinator
        }
    }
    var days: Int
    var asOf: String
    var rows: [Row]
    enum CodingKeys: String, CodingKey { case days, asOf = "as_of", rows }

    static var schema: Schema {
        .object([
            .req("days", .integer()), .req("as_of", .string(format: "date")),
            .req(
                "rows",
                .array(
                    .object([
                        .req("reference", .string()), .req("id", .string()), .req("title", .string()),
                        .req("ends_on", .string(format: "date")), .req("days_left", .integer()), .req("auto_renew", .boolean),
                        .req("renewal", .string()), .req("partners", .array(.string())), .req("coordinator", .string()),
                    ]))),
        ])
    }
}
