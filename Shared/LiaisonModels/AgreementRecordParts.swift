import LiaisonJSON

// What an agreement's record gathers over its life: amendments (with what each changed),
// activities under it, and the visits it came from or led to.

/// A numbered change to a signed agreement.
package struct Amendment: Codable, Sendable, Equatable {
    package var number: Int
    /// The agreement's reference with the amendment's suffix, e.g. AGR-2024-0003-A1.
    package var reference, summary: String
    package var effectiveOn: LocalDate
    /// Each changed field with its value before and after.
    package var changes: [String: FieldChange]
    package var at: String

    enum CodingKeys: String, CodingKey, FieldKey {
        case number, reference, summary, changes, at, effectiveOn = "effective_on"
        var rule: FieldRule { self == .at ? .format("date-time") : .plain }
    }

    package init(
        number: Int,
        reference: String,
        summary: String,
        effectiveOn: LocalDate,
        changes: [String: FieldChange],
        at: String
    ) {
        self.number = number
        self.reference = reference
        self.summary = summary
        self.effectiveOn = effectiveOn
        self.changes = changes
        self.at = at
    }
}

/// A field's value before and after a change, as JSON text.
package struct FieldChange: Codable, Sendable, Equatable {
    package var from, to: String
    package init(from: String, to: String) { (self.from, self.to) = (from, to) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case from, to
        var rule: FieldRule { .doc("JSON text.") }
    }
}

/// Something done or achieved under an agreement.
package struct Activity: Codable, Sendable, Equatable {
    package var id: Int
    package var on: LocalDate
    /// exchange, visit, workshop, research, outcome, other.
    package var kind, summary: String
    /// e.g. students each way.
    package var count: Int?

    package init(id: Int, on: LocalDate, kind: String, summary: String, count: Int? = nil) {
        self.id = id
        self.on = on
        self.kind = kind
        self.summary = summary
        self.count = count
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, on, kind, summary, count
        var rule: FieldRule { self == .kind ? .values(ActivityKind.allCases.map(\.rawValue)) : .plain }
    }
}

/// A delegation linked to an agreement.
package struct DelegationLink: Codable, Sendable, Equatable {
    package var delegationID: String
    /// led_to (the visit led to the agreement) or followed_from (a visit under it).
    package var relation: String
    package var ref, title, country, startsAt: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case delegationID = "delegation_id", relation, ref, title, country, startsAt = "starts_at"
        var rule: FieldRule {
            switch self {
            case .delegationID, .ref: .text(64)
            case .relation: .values(LinkRelation.allCases.map(\.rawValue))
            case .title: .text(Limits.title)
            case .country: .text(2)
            case .startsAt: .text(32)
            }
        }
    }

    package init(
        delegationID: String,
        relation: String,
        ref: String?,
        title: String?,
        country: String?,
        startsAt: String?
    ) {
        self.delegationID = delegationID
        self.relation = relation
        self.ref = ref
        self.title = title
        self.country = country
        self.startsAt = startsAt
    }
}
