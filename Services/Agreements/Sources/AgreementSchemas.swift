import LiaisonEvents
import LiaisonHost
import LiaisonModels

// The wire shapes of the agreement domain, for service.describe (JSON Schema).

/// A version number a caller last read.
let versionSchema = Schema.integer(minimum: 1, maximum: Int64(Int32.max))

/// An agreement's id (agr-…) or reference.
let agreementIDSchema = Schema.string(maxLength: 64)

extension Signatory: Schematic {
    package static var schema: Schema {
        .object([
            .req("name", .string(maxLength: Limits.name)), .opt("title", .string(maxLength: Limits.name)),
            .req("side", .string(maxLength: Limits.name), "\"bit\" or the partner's name."), .opt("signed_on", .string(format: "date")),
        ])
    }
}

extension AgreementDraft: Schematic, DraftFields {
    /// The draft's members.
    package static var fields: [Schema.Field] {
        [
            .opt("reference", .string(maxLength: 40), "Generated (AGR-YYYY-NNNN) when absent."),
            .req("title", .string(maxLength: Limits.title)),
            .req("kind", .string(values: AgreementKind.allCases.map(\.rawValue))),
            .req(
                "partners", .array(PartnerRef.schema, maxItems: 20),
                "By registry id (partners.list on delegations); or described (name, kind, country) to find or claim one."),
            .req(
                "coordinator",
                .object([
                    .req("name", .string(maxLength: Limits.name)), .req("email", .string(format: "email", maxLength: Limits.email)),
                    .opt("unit", .string(maxLength: Limits.name)),
                ])),
            .opt("focus_areas", .array(.string(maxLength: Limits.topic), maxItems: 30)),
            .opt("signatories", .array(Signatory.schema, maxItems: 20)),
            .opt("signed_on", .string(format: "partial-date"), "A day, or as known for the past: 2024, 2024-07, ~2013."),
            .opt("starts_on", .string(format: "partial-date"), "Only a day-precise start activates it on the day."),
            .opt("ends_on", .string(format: "partial-date"), "Absent: open-ended. Only a day-precise end expires it and sends notices."),
            .opt("notice_period_days", .integer(minimum: 0, maximum: 3650)), .opt("auto_renew", .boolean),
            .opt("places_per_year", .integer(minimum: 0, maximum: 10_000)),
            .opt(
                "documents",
                .array(
                    .object([
                        .req("title", .string(maxLength: Limits.title)), .req("sha256", .string(maxLength: 64)),
                        .opt("name", .string(maxLength: 255)), .opt("size", .integer(minimum: 0, maximum: 1 << 50)),
                        .opt("media_type", .string(maxLength: 127)), .opt("attached_at", .string(maxLength: 40)),
                    ]), maxItems: 20)),
            .opt("notes", .string(maxLength: Limits.notes)), .opt("external_key", .string(maxLength: Limits.externalKey)),
        ]
    }
    package static var schema: Schema { .object(fields) }
}

extension Agreement: Schematic {
    package static var schema: Schema {
        let fieldChange = Schema.object([.req("from", .string(), "JSON text."), .req("to", .string(), "JSON text.")])
        return .object(
            [
                .req("id", .string()), .req("reference", .string()),
                .req("current_reference", .string(), "With the latest amendment's suffix."),
                .req("version", .integer()), .req("status", .string(values: AgreementStatus.allCases.map(\.rawValue))),
            ] + AgreementDraft.fields.filter { $0.name != "reference" } + [
                .req(
                    "amendments",
                    .array(
                        .object([
                            .req("number", .integer()), .req("reference", .string()), .req("summary", .string()),
                            .req("effective_on", .string(format: "date")), .req("changes", .map(fieldChange)),
                            .req("at", .string(format: "date-time")),
                        ]))),
                .req(
                    "activities",
                    .array(
                        .object([
                            .req("id", .integer()), .req("on", .string(format: "date")),
                            .req("kind", .string(values: ActivityKind.allCases.map(\.rawValue))), .req("summary", .string()),
                            .opt("count", .integer()),
                        ]))),
                .req(
                    "delegations",
                    .array(
                        .object([
                            .req("delegation_id", .string()), .req("relation", .string(values: LinkRelation.allCases.map(\.rawValue))),
                            .opt("ref", .string()), .opt("title", .string()), .opt("country", .string()), .opt("starts_at", .string()),
                        ]))),
                .opt("predecessor_id", .string()), .opt("successor_id", .string()), .opt("termination_reason", .string()),
                .opt("suspension_reason", .string()),
                .req("created_at", .string(format: "date-time")), .req("updated_at", .string(format: "date-time")),
            ])
    }

    /// An event's data: the agreement, with `lead_days` and `days_left` on `agreement.expiring`
    /// and the new record as `successor` on `agreement.renewed`.
    static var eventSchema: Schema {
        guard case .object(let fields) = schema else { return schema }
        return .object(fields + [.opt("lead_days", .integer()), .opt("days_left", .integer()), .opt("successor", schema)])
    }
}

/// What an activity under an agreement was.
package enum ActivityKind: String, WireEnum {
    case exchange, visit, workshop, research, outcome, other
}

/// How a delegation relates to an agreement.
package enum LinkRelation: String, WireEnum {
    /// The visit led to the agreement.
    case ledTo = "led_to"
    /// A visit under the agreement.
    case followedFrom = "followed_from"
}
