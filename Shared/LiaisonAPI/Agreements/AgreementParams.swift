import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `{id}`: an agreement by id or reference.
package struct AgreementID: Codable, Sendable, Schematic {
    package var id: String

    package init(_ id: String) { self.id = id }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id
        var rule: FieldRule { .text(64, "The agreement's id (agr-…) or reference.") }
    }
}

/// `{id, expected_version?}` and what a transition takes.
package struct AgreementTransition: Codable, Sendable, Schematic {
    package var id: String
    package var expectedVersion: Int?
    package var reason: String?
    package var signedOn, startsOn: LocalDate?
    package var signatories: [Signatory]?

    package init(id: String, expectedVersion: Int? = nil, reason: String? = nil) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, expectedVersion = "expected_version", reason, signedOn = "signed_on", startsOn = "starts_on",
            signatories

        var rule: FieldRule {
            switch self {
            case .id: .text(64, "The agreement's id (agr-…) or reference.")
            case .expectedVersion: .expectedVersion
            case .reason: .text(Limits.reason)
            case .signedOn, .startsOn: .plain
            case .signatories: .list(20)
            }
        }
    }
}

/// `agreements.list` filters.
package struct AgreementFilter: Codable, Sendable, Schematic, Paged {
    package var status: AgreementStatus?
    package var kind: AgreementKind?
    package var country: String?
    package var continent: Continent?
    package var partner: String?
    package var text: String?
    package var limit: Int?
    package var cursor: String?

    package init(limit: Int? = nil) { self.limit = limit }

    enum CodingKeys: String, CodingKey, FieldKey {
        case partner, status, kind, country, continent, text, limit, cursor

        var rule: FieldRule {
            switch self {
            case .partner: .text(Limits.externalKey, "Agreements naming this partner (id).")
            case .status, .kind, .continent: .plain
            case .country: .format("iso3166-alpha2")
            case .text: .text(200)
            case .limit: .int(1...200, "Default 100.")
            case .cursor: .text(64, "next_cursor of the previous page.")
            }
        }
    }
}

/// An agreement just stored.
package struct SavedAgreement: Codable, Sendable, Schematic {
    package var agreement: Agreement
    package var created: Bool

    package init(agreement: Agreement, created: Bool) { (self.agreement, self.created) = (agreement, created) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case created
        var rule: FieldRule { .doc("false when external_key found the agreement already stored.") }
    }

    package init(from decoder: any Decoder) throws {
        agreement = try Agreement(from: decoder)
        created = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .created)
    }

    package func encode(to encoder: any Encoder) throws {
        try agreement.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(created, forKey: .created)
    }
}

/// `agreements.renew`.
package struct AgreementRenewal: Codable, Sendable, Schematic {
    package var id: String
    package var expectedVersion: Int?
    package var endsOn: LocalDate
    package var startsOn, signedOn: LocalDate?

    package init(id: String, expectedVersion: Int? = nil, endsOn: LocalDate) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.endsOn = endsOn
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, expectedVersion = "expected_version", endsOn = "ends_on", startsOn = "starts_on", signedOn =
            "signed_on"
        var rule: FieldRule {
            switch self {
            case .id: .text(64)
            case .expectedVersion: .expectedVersion
            case .endsOn: .doc("When the new term ends.")
            case .startsOn, .signedOn: .plain
            }
        }
    }
}

/// The two records of a renewal.
package struct Renewal: Codable, Sendable, Schematic {
    package var original, successor: Agreement

    package init(original: Agreement, successor: Agreement) { (self.original, self.successor) = (original, successor) }
}

/// `agreements.amend`.
package struct AgreementAmendment: Codable, Sendable, Schematic {
    package var id: String
    package var expectedVersion: Int?
    package var summary: String
    package var changes: JSONObject
    package var effectiveOn: LocalDate?

    package init(
        id: String,
        expectedVersion: Int? = nil,
        summary: String,
        changes: JSONObject,
        effectiveOn: LocalDate? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.summary = summary
        self.changes = changes
        self.effectiveOn = effectiveOn
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, expectedVersion = "expected_version", summary, changes, effectiveOn = "effective_on"
        var rule: FieldRule {
            switch self {
            case .id: .text(64)
            case .expectedVersion: .expectedVersion
            case .summary: .text(Limits.reason, "What the amendment changes and why.")
            case .changes: .shape(SchemaDerivation.schema(of: AgreementDraft.self).allOptional, "The fields to change.")
            case .effectiveOn: .plain
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        expectedVersion = try c.decodeIfPresent(Int.self, forKey: .expectedVersion)
        summary = try c.decode(String.self, forKey: .summary)
        changes = try c.decode(JSONValue.self, forKey: .changes).objectValue ?? [:]
        effectiveOn = try c.decodeIfPresent(LocalDate.self, forKey: .effectiveOn)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(expectedVersion, forKey: .expectedVersion)
        try c.encode(summary, forKey: .summary)
        try c.encode(JSONValue.object(changes), forKey: .changes)
        try c.encodeIfPresent(effectiveOn, forKey: .effectiveOn)
    }
}

/// `agreements.add_activity`.
package struct ActivityParams: Codable, Sendable, Schematic {
    package var id: String
    package var on: LocalDate
    package var kind: ActivityKind
    package var summary: String
    package var count: Int?

    package init(id: String, on: LocalDate, kind: ActivityKind, summary: String, count: Int? = nil) {
        self.id = id
        self.on = on
        self.kind = kind
        self.summary = summary
        self.count = count
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, on, kind, summary, count
        var rule: FieldRule {
            switch self {
            case .id: .text(64)
            case .on, .kind: .plain
            case .summary: .text(Limits.reason)
            case .count: .int(0...1_000_000, "e.g. students each way.")
            }
        }
    }
}

/// `agreements.link_delegation`.
package struct LinkParams: Codable, Sendable, Schematic {
    package var id, delegationID: String
    package var relation: LinkRelation?
    /// What the caller read of the visit from the delegations service, for a visit whose events
    /// have not reached this service yet (a proposed visit has sent none).
    package var seen: DelegationLink?

    package init(id: String, delegationID: String, relation: LinkRelation? = nil, seen: DelegationLink? = nil) {
        self.id = id
        self.delegationID = delegationID
        self.relation = relation
        self.seen = seen
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, delegationID = "delegation_id", relation, seen
        var rule: FieldRule {
            switch self {
            case .id: .text(64)
            case .delegationID: .text(64, "Its id or reference.")
            case .relation: .doc("Default led_to.")
            case .seen:
                .doc(
                    "The visit as read from delegations, when its events have not arrived here (delegation_id must be "
                        + "its id)."
                )
            }
        }
    }
}

/// `agreements.attach`: a file's fingerprint, computed where the file is.
package struct AttachParams: Codable, Sendable, Schematic {
    package var id: String
    package var document: AgreementDocument

    package init(id: String, document: AgreementDocument) { (self.id, self.document) = (id, document) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, document
        var rule: FieldRule { self == .id ? .text(64) : .plain }
    }
}

/// An agreement's audit trail.
package struct AgreementHistory: Codable, Sendable, Schematic {
    package var id, reference: String
    package var items: [HistoryEntry]
    /// More entries follow: ask again with this `cursor`.
    package var nextCursor: String?

    package init(id: String, reference: String, page: HistoryPage) {
        self.id = id
        self.reference = reference
        items = page.items
        nextCursor = page.nextCursor
    }

    enum CodingKeys: String, CodingKey { case id, reference, items, nextCursor = "next_cursor" }
}

/// `agreements.update`: the fields given replace the stored ones.
package typealias AgreementUpdate = RecordUpdate<AgreementDraft>
