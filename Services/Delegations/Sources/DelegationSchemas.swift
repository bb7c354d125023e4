import LiaisonEvents
import LiaisonHost
import LiaisonModels

// The wire shapes of the delegation domain, for service.describe (JSON Schema).

extension Member: Schematic {
    package static var schema: Schema {
        .object([
            .req("name", .string(maxLength: Limits.name), "Romanised name, or the role when no name is known."),
            .opt("name_local", .string(maxLength: Limits.name), "Name in their own script."),
            .opt("title", .string(maxLength: Limits.name)),
            .opt(
                "role", .string(values: MemberRole.allCases.map(\.rawValue) + ["member"]),
                "Default other; the title says more. member (the older word) is read as other."),
            .opt("email", .string(format: "email", maxLength: Limits.email)), .opt("phone", .string(maxLength: Limits.phone)),
            .opt("languages", .array(.string(maxLength: 35), maxItems: Limits.languages), "BCP 47 tags."),
            .opt(
                "needs",
                .object([
                    .opt("dietary", .string(maxLength: Limits.shortText)), .opt("accessibility", .string(maxLength: Limits.shortText)),
                    .opt("interpreter", .boolean),
                ])),
            .opt("partner", .string(maxLength: Limits.externalKey), "In a joint delegation: the partner (id) they come from."),
        ])
    }
}

extension MemberGroup: Schematic {
    package static var schema: Schema {
        .object([
            .req("description", .string(maxLength: Limits.purpose), "Who they are, e.g. international students of BIT."),
            .opt("count", .integer(minimum: 1, maximum: 100_000), "How many, when known."),
            .opt("role", .string(values: MemberRole.allCases.map(\.rawValue))),
            .opt("partner", .string(maxLength: Limits.externalKey), "The partner (id) they come from."),
        ])
    }
}

extension Host: Schematic {
    package static var schema: Schema {
        .object([
            .req("name", .string(maxLength: Limits.name)), .opt("name_local", .string(maxLength: Limits.name)),
            .req("email", .string(format: "email", maxLength: Limits.email)), .opt("unit", .string(maxLength: Limits.name)),
            .opt("phone", .string(maxLength: Limits.phone)), .opt("interpreter", .boolean, "Can interpret."),
            .opt("languages", .array(.string(maxLength: 35), maxItems: Limits.languages)),
        ])
    }
}

extension ItineraryItem: Schematic {
    package static var schema: Schema {
        .object([
            .req("starts_at", .string(format: "local-date-time"), "Wall time in the visit's time_zone, e.g. 2026-03-12T09:00."),
            .req("ends_at", .string(format: "local-date-time")), .req("title", .string(maxLength: Limits.title)),
            .opt("kind", .string(values: ItemKind.allCases.map(\.rawValue))), .opt("venue", .string(maxLength: Limits.name)),
            .opt(
                "hosts", .array(.string(format: "email", maxLength: Limits.email), maxItems: Limits.hosts),
                "Emails of the delegation's hosts."),
            .opt(
                "attendees", .array(.string(maxLength: Limits.name), maxItems: Limits.attendees),
                "Member emails (or names); empty means everyone."),
            .opt("notes", .string(maxLength: Limits.notes)),
            .opt("id", .string(maxLength: 64), "Given by the service and kept for the item's life (its calendar UID); send it back."),
            .opt("rev", .integer(minimum: 1, maximum: Int64(Int32.max)), "Bumped when the item changes (its calendar SEQUENCE)."),
        ])
    }
}

extension DelegationDraft: Schematic, DraftFields {
    package static var fields: [Schema.Field] {
        [
            .req("direction", .string(values: Direction.allCases.map(\.rawValue))), .req("title", .string(maxLength: Limits.title)),
            .opt(
                "partners", .array(PartnerRef.schema, maxItems: Limits.partners),
                "Required: by registry id (partners.list), one marked lead in a joint visit; or described (name, kind, country) to find "
                    + "or register."),
            .opt(
                "partner",
                .object([
                    .req("name", .string(maxLength: Limits.name)), .opt("name_local", .string(maxLength: Limits.name)),
                    .req("kind", .string(values: PartnerKind.allCases.map(\.rawValue))), .req("country", .string(format: "iso3166-alpha2")),
                    .opt("city", .string(maxLength: Limits.name)), .opt("website", .string(maxLength: Limits.shortText)),
                ]), "Older form: one partner described in place; it is found in (or added to) the registry and becomes partners[0]."),
            .opt("purpose", .string(maxLength: Limits.purpose)),
            .opt("topics", .array(.string(maxLength: Limits.topic), maxItems: Limits.topics)),
            .opt("time_zone", .string(maxLength: 64), "IANA name; default Asia/Shanghai."),
            .opt("starts_at", .string(format: "local-date-time"), "Required for a scheduled visit."),
            .opt("ends_at", .string(format: "local-date-time")),
            .opt(
                "date", .string(format: "partial-date"),
                "Instead of starts_at/ends_at, for a past visit known only so far: 2018, 2024-10, 2024-10-22, ~2024 (approximate)."),
            .opt("members", .array(Member.schema, maxItems: Limits.members)),
            .opt("groups", .array(MemberGroup.schema, maxItems: Limits.members), "People counted, not named."),
            .opt("hosts", .array(Host.schema, maxItems: Limits.hosts)),
            .opt("itinerary", .array(ItineraryItem.schema, maxItems: Limits.itinerary)),
            .opt("budget", .object([.req("amount", .string(maxLength: 16)), .req("currency", .string(maxLength: 3))])),
            .opt("notes", .string(maxLength: Limits.notes)),
            .opt(
                "external_key", .string(maxLength: Limits.externalKey),
                "Your own unique key; creating again with it returns the existing delegation."),
        ]
    }
    package static var schema: Schema { .object(fields) }
}

extension Delegation: Schematic {
    package static var schema: Schema {
        .object(
            [
                .req("id", .string()), .req("ref", .string()), .req("version", .integer()),
                .req("status", .string(values: DelegationStatus.allCases.map(\.rawValue))), .req("schedule_version", .integer()),
            ]
                + DelegationDraft.fields
                + [
                    .req("continent", .string()), .req("region", .string()), .req("country_name", .string()), .req("created_at", .string()),
                    .req("updated_at", .string()), .opt("cancel_reason", .string()), .opt("outcome", .string()),
                    .opt("postponed_reason", .string()),
                    .opt("exceptions", .array(.string()), "start/complete forced against the visit's dates, with the reasons."),
                    .opt("reschedule_reason", .string(), "Why the schedule last changed."),
                ])
    }
}

extension Finding: Schematic {
    package static var schema: Schema {
        .object([
            .req("kind", .string()), .req("message", .string()), .req("items", .array(.string())),
            .req("severity", .string(values: ["error", "warning"]), "error blocks confirmation; warning does not."),
            .opt(
                "other",
                .object([
                    .req("delegation_id", .string()), .req("ref", .string()), .req("title", .string()), .req("item", .integer()),
                    .req("item_title", .string()),
                ])),
        ])
    }
}
