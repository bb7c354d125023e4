import LiaisonJSON

/// What kind of agreement.
package enum AgreementKind: String, WireEnum {
    case mou, exchange, jointProgramme = "joint_programme", workstation, industryEducation = "industry_education",
        research, scholarship,
        other
}

/// Where an agreement is in its life.
package enum AgreementStatus: String, WireEnum {
    case draft, negotiating, signed, active, suspended, expired, terminated, superseded
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

/// BIT's coordinator of an agreement.
package struct Coordinator: Codable, Sendable, Equatable {
    package var name: String
    /// Where notices of the agreement's end go: required once it ends on a known day; a record
    /// of the past may leave it out when the source gives none (agreement data version 2).
    package var email: String?
    package var unit: String?
    package init(name: String, email: String?, unit: String? = nil) {
        self.name = name
        self.email = email
        self.unit = unit
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, email, unit
        var rule: FieldRule { self == .email ? .format("email", max: Limits.email) : .text(Limits.name) }
    }
}

/// Someone who signs, for BIT or for a partner.
package struct Signatory: Codable, Sendable, Equatable {
    package var name: String
    package var title: String?
    /// "bit" or the partner's name.
    package var side: String
    package var signedOn: LocalDate?

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, title, side, signedOn = "signed_on"
        var rule: FieldRule {
            switch self {
            case .name, .title: .text(Limits.name)
            case .side: .text(Limits.name, "\"bit\" or the partner's name.")
            case .signedOn: .plain
            }
        }
    }

    package init(name: String, title: String? = nil, side: String, signedOn: LocalDate? = nil) {
        self.name = name
        self.title = title
        self.side = side
        self.signedOn = signedOn
    }
}

/// A document of the agreement: its title and the SHA-256 of the signed text, so both sides can
/// confirm they signed the same version.
package struct AgreementDocument: Codable, Sendable, Equatable {
    package var title, sha256: String
    /// The file's name, size in bytes and media type, when it was attached from a file.
    package var name: String?
    package var size: Int64?
    package var mediaType: String?
    package var attachedAt: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case title, sha256, name, size, mediaType = "media_type", attachedAt = "attached_at"
        var rule: FieldRule {
            switch self {
            case .title: .text(Limits.title)
            case .sha256: .text(64)
            case .name: .text(255)
            case .size: .int(0...(1 << 50))
            case .mediaType: .text(127)
            case .attachedAt: .text(40)
            }
        }
    }

    package init(title: String, sha256: String, name: String? = nil, size: Int64? = nil, mediaType: String? = nil) {
        self.title = title
        self.sha256 = sha256
        self.name = name
        self.size = size
        self.mediaType = mediaType
    }
}

/// An agreement as a caller writes it.
package struct AgreementDraft: Codable, Sendable, Equatable {
    /// e.g. AGR-2024-0003; generated when absent.
    package var reference: String?
    package var title: String
    package var kind: AgreementKind
    package var partners: [PartnerRef]
    package var coordinator: Coordinator
    package var focusAreas: [String]
    package var signatories: [Signatory]
    /// As precisely as known (`2024`, `~2013`, `2024-07-09`); only day-precise dates drive the
    /// daily sweep and notices.
    package var signedOn, startsOn: PartialDate?
    /// nil: open-ended.
    package var endsOn: PartialDate?
    package var noticePeriodDays: Int?
    package var autoRenew: Bool
    /// Exchange places per year, each way (exchange agreements).
    package var placesPerYear: Int?
    package var documents: [AgreementDocument]
    package var notes: String?
    /// A caller's own unique key (idempotent create).
    package var externalKey: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case reference, title, kind, partners, coordinator, signatories, documents, notes
        case focusAreas = "focus_areas", signedOn = "signed_on", startsOn = "starts_on", endsOn = "ends_on"
        case noticePeriodDays = "notice_period_days", autoRenew = "auto_renew", placesPerYear = "places_per_year",
            externalKey =
            "external_key"

        var rule: FieldRule {
            switch self {
            case .reference: .text(40, "Generated (AGR-YYYY-NNNN) when absent.")
            case .title: .text(Limits.title)
            case .kind, .coordinator, .autoRenew: .plain
            case .partners:
                .list(
                    20,
                    of: .plain,
                    "By registry id (partners.list on delegations); or described (name, kind, country) to find or "
                        + "claim one."
                )
            case .focusAreas: .list(30, of: .text(Limits.topic))
            case .signatories: .list(20)
            case .signedOn: .doc("A day, or as known for the past: 2024, 2024-07, ~2013.")
            case .startsOn: .doc("Only a day-precise start activates it on the day.")
            case .endsOn: .doc("Absent: open-ended. Only a day-precise end expires it and sends notices.")
            case .noticePeriodDays: .int(0...3650)
            case .placesPerYear: .int(0...10_000)
            case .documents: .list(20)
            case .notes: .text(Limits.notes)
            case .externalKey: .text(Limits.externalKey)
            }
        }
    }

    package init(
        reference: String? = nil,
        title: String,
        kind: AgreementKind,
        partners: [PartnerRef],
        coordinator: Coordinator,
        focusAreas: [String] = [],
        signatories: [Signatory] = [],
        signedOn: PartialDate? = nil,
        startsOn: PartialDate? = nil,
        endsOn: PartialDate? = nil,
        noticePeriodDays: Int? = nil,
        autoRenew: Bool = false,
        placesPerYear: Int? = nil,
        documents: [AgreementDocument] = [],
        notes: String? = nil,
        externalKey: String? = nil
    ) {
        self.reference = reference
        self.title = title
        self.kind = kind
        self.partners = partners
        self.coordinator = coordinator
        self.focusAreas = focusAreas
        self.signatories = signatories
        self.signedOn = signedOn
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.noticePeriodDays = noticePeriodDays
        self.autoRenew = autoRenew
        self.placesPerYear = placesPerYear
        self.documents = documents
        self.notes = notes
        self.externalKey = externalKey
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reference = try c.decodeIfPresent(String.self, forKey: .reference)
        title = try c.decode(String.self, forKey: .title)
        kind = try c.decode(AgreementKind.self, forKey: .kind)
        partners = try c.decode([PartnerRef].self, forKey: .partners)
        coordinator = try c.decode(Coordinator.self, forKey: .coordinator)
        focusAreas = try c.decodeIfPresent([String].self, forKey: .focusAreas) ?? []
        signatories = try c.decodeIfPresent([Signatory].self, forKey: .signatories) ?? []
        signedOn = try c.decodeIfPresent(PartialDate.self, forKey: .signedOn)
        startsOn = try c.decodeIfPresent(PartialDate.self, forKey: .startsOn)
        endsOn = try c.decodeIfPresent(PartialDate.self, forKey: .endsOn)
        noticePeriodDays = try c.decodeIfPresent(Int.self, forKey: .noticePeriodDays)
        autoRenew = try c.decodeIfPresent(Bool.self, forKey: .autoRenew) ?? false
        placesPerYear = try c.decodeIfPresent(Int.self, forKey: .placesPerYear)
        documents = try c.decodeIfPresent([AgreementDocument].self, forKey: .documents) ?? []
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        externalKey = try c.decodeIfPresent(String.self, forKey: .externalKey)
    }
}

/// A stored agreement.
package struct Agreement: Codable, Sendable, Equatable {
    package var id, reference: String
    package var version: Int
    package var status: AgreementStatus
    package var draft: AgreementDraft
    package var amendments: [Amendment]
    package var activities: [Activity]
    package var delegations: [DelegationLink]
    package var predecessorID, successorID, terminationReason, suspensionReason: String?
    package var createdAt, updatedAt: String

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, reference, version, status, amendments, activities, delegations
        case predecessorID = "predecessor_id", successorID = "successor_id", terminationReason = "termination_reason"
        case suspensionReason = "suspension_reason", createdAt = "created_at", updatedAt = "updated_at",
            currentReference =
            "current_reference"

        var rule: FieldRule {
            switch self {
            case .currentReference: .doc("With the latest amendment's suffix.")
            case .createdAt, .updatedAt: .format("date-time")
            default: .plain
            }
        }
    }

    package init(
        id: String,
        reference: String,
        version: Int,
        status: AgreementStatus,
        draft: AgreementDraft,
        createdAt: String,
        updatedAt: String
    ) {
        self.id = id
        self.reference = reference
        self.version = version
        self.status = status
        self.draft = draft
        amendments = []
        activities = []
        delegations = []
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The reference with the latest amendment's suffix.
    package var currentReference: String { amendments.last?.reference ?? reference }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        reference = try c.decode(String.self, forKey: .reference)
        version = try c.decode(Int.self, forKey: .version)
        status = try c.decode(AgreementStatus.self, forKey: .status)
        amendments = try c.decodeIfPresent([Amendment].self, forKey: .amendments) ?? []
        activities = try c.decodeIfPresent([Activity].self, forKey: .activities) ?? []
        delegations = try c.decodeIfPresent([DelegationLink].self, forKey: .delegations) ?? []
        predecessorID = try c.decodeIfPresent(String.self, forKey: .predecessorID)
        successorID = try c.decodeIfPresent(String.self, forKey: .successorID)
        terminationReason = try c.decodeIfPresent(String.self, forKey: .terminationReason)
        suspensionReason = try c.decodeIfPresent(String.self, forKey: .suspensionReason)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
        draft = try AgreementDraft(from: decoder)
        draft.reference = reference
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(reference, forKey: .reference)
        try c.encode(currentReference, forKey: .currentReference)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        var d = draft
        d.reference = nil
        try d.encode(to: encoder)
        try c.encode(amendments, forKey: .amendments)
        try c.encode(activities, forKey: .activities)
        try c.encode(delegations, forKey: .delegations)
        try c.encodeIfPresent(predecessorID, forKey: .predecessorID)
        try c.encodeIfPresent(successorID, forKey: .successorID)
        try c.encodeIfPresent(terminationReason, forKey: .terminationReason)
        try c.encodeIfPresent(suspensionReason, forKey: .suspensionReason)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
