import LiaisonHost
import LiaisonModels

// The wire shapes of the partner registry, shared by the services that name partners.

extension PartnerRef: Schematic {
    package static var schema: Schema {
        .object([
            .opt("id", .string(maxLength: Limits.externalKey), "The registry's id (par-…); or describe the partner instead."),
            .opt("name", .string(maxLength: Limits.name)), .opt("name_local", .string(maxLength: Limits.name), "Name in its own script."),
            .opt("kind", .string(values: PartnerKind.allCases.map(\.rawValue))),
            .opt("country", .string(format: "iso3166-alpha2"), "e.g. TH, KR, UZ, MA, CN."),
            .opt("city", .string(maxLength: Limits.name)), .opt("website", .string(maxLength: Limits.shortText)),
            .opt("lead", .boolean, "The partner leading a joint delegation."),
            .opt("contact_name", .string(maxLength: Limits.name), "Agreements: who to write to."),
            .opt("contact_email", .string(format: "email", maxLength: Limits.email)),
        ])
    }
}

extension Partner: Schematic, DraftFields {
    package static var fields: [Schema.Field] {
        [
            .req("name", .string(maxLength: Limits.name)), .opt("name_local", .string(maxLength: Limits.name), "Name in its own script."),
            .req("kind", .string(values: PartnerKind.allCases.map(\.rawValue))),
            .req("country", .string(format: "iso3166-alpha2"), "e.g. TH, KR, UZ, MA, CN."),
            .opt("city", .string(maxLength: Limits.name)), .opt("website", .string(maxLength: Limits.shortText)),
            .opt("parent", .string(maxLength: Limits.externalKey), "The institution it belongs to (a partner id)."),
            .opt("notes", .string(maxLength: Limits.notes)),
        ]
    }
    package static var schema: Schema { .object(fields) }
}

extension Person: Schematic {
    package static var fields: [Schema.Field] {
        [
            .req("name", .string(maxLength: Limits.name)), .opt("name_local", .string(maxLength: Limits.name)),
            .opt("title", .string(maxLength: Limits.name), "e.g. Minister for the Development of ICT."),
            .opt("role", .string(values: MemberRole.allCases.map(\.rawValue))),
            .opt("email", .string(format: "email", maxLength: Limits.email)), .opt("phone", .string(maxLength: Limits.phone)),
        ]
    }
    package static var schema: Schema { .object([.req("id", .string())] + fields) }
}

extension PartnerRecord: Schematic {
    package static var schema: Schema {
        .object(
            [
                .req("id", .string()), .req("version", .integer()), .req("status", .string(values: PartnerStatus.allCases.map(\.rawValue))),
            ] + Partner.fields
                + [
                    .req("people", .array(Person.schema)), .opt("merged_into", .string(), "The entry kept when this one was merged."),
                    .req("merged_from", .array(.string())), .req("continent", .string()), .req("country_name", .string()),
                    .req("created_at", .string()), .req("updated_at", .string()),
                ])
    }
}
