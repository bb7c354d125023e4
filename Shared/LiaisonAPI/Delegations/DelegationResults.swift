import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// One row of `delegations.list`.
package struct DelegationSummary: Codable, Sendable, Schematic {
    package var id, ref, title: String
    package var status: DelegationStatus
    package var version: Int
    package var direction: Direction
    package var partners: [PartnerRef]
    package var countryName, continent, region: String
    /// nil for a past visit known only by its date.
    package var startsAt, endsAt: LocalDateTime?
    package var date: PartialDate?
    /// As people write it: "2018", "Oct 2024", "c. 2024", or the first day.
    package var when: String
    package var timeZone: String
    package var members: Int
    package var headCount: Int?

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, ref, title, status, version, direction, partners, countryName = "country_name", continent, region,
            date, when
        case startsAt = "starts_at", endsAt = "ends_at", timeZone = "time_zone", members, headCount = "head_count"

        var rule: FieldRule {
            switch self {
            case .when: .doc("As people write it: 2018, Oct 2024, c. 2024.")
            case .members: .doc("Named members.")
            case .headCount: .doc("Members plus the groups' counts; absent when a group's size is not known.")
            default: .plain
            }
        }
    }

    package init(_ d: Delegation) {
        id = d.id
        ref = d.ref
        title = d.draft.title
        status = d.status
        version = d.version
        direction = d.draft.direction
        partners = d.draft.partners
        countryName = d.countryName
        continent = d.continent
        region = d.region
        date = d.draft.date
        startsAt = d.draft.date == nil ? d.draft.startsAt : nil
        endsAt = d.draft.date == nil ? d.draft.endsAt : nil
        when = d.draft.when
        timeZone = d.draft.timeZone
        members = d.draft.members.count
        headCount = d.draft.headCount
    }

    /// The lead partner (the one marked lead, else the first).
    package var lead: PartnerRef? { partners.first { $0.lead == true } ?? partners.first }
}

/// What the checker found, as an answer: whether a confirmation would pass, and the findings.
package struct DelegationCheckResult: Codable, Sendable, Schematic {
    package var ok: Bool
    package var found: CheckFindings

    package init(ok: Bool, found: CheckFindings) { (self.ok, self.found) = (ok, found) }

    enum CodingKeys: String, CodingKey { case ok }

    package init(from decoder: any Decoder) throws {
        ok = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .ok)
        found = try CheckFindings(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try found.encode(to: encoder)
    }
}

/// A stored delegation with what the checker found when it was saved.
package struct SavedDelegation: Codable, Sendable, Schematic {
    package var delegation: Delegation
    package var found: CheckFindings
    package var created: Bool?
    /// The delegation as just stored (JSON text), answered as it is rather than encoded again.
    package var stored: [UInt8]? = nil

    package init(delegation: Delegation, found: CheckFindings, created: Bool?, stored: [UInt8]? = nil) {
        self.delegation = delegation
        self.found = found
        self.created = created
        self.stored = stored
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case created
        var rule: FieldRule { .doc("On create: false when external_key found the delegation already stored.") }
    }

    package init(from decoder: any Decoder) throws {
        delegation = try Delegation(from: decoder)
        found = try CheckFindings(from: decoder)
        created = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Bool.self, forKey: .created)
    }

    /// What the answer adds to the delegation.
    private struct Extra: Encodable {
        var found: CheckFindings
        var created: Bool?
        func encode(to encoder: any Encoder) throws {
            try found.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(created, forKey: .created)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        if let stored, stored.last == UInt8(ascii: "}") {
            // {…stored members, + the extra members}
            let extra = JSONEncoding.bytes(Extra(found: found, created: created))
            guard extra.count > 2 else { return try JSONValue.encoded(stored).encode(to: encoder) }
            var text = [UInt8]()
            text.reserveCapacity(stored.count + extra.count)
            stored.withUnsafeBufferPointer { text.append(contentsOf: $0[..<($0.count - 1)]) }
            text.append(UInt8(ascii: ","))
            extra.withUnsafeBufferPointer { text.append(contentsOf: $0[1...]) }
            return try JSONValue.encoded(text).encode(to: encoder)
        }
        try delegation.encode(to: encoder)
        try Extra(found: found, created: created).encode(to: encoder)
    }
}

/// `delegations.check`: a draft (delegation fields) or a stored delegation's id.
package struct DelegationCheck: Codable, Sendable, Schematic {
    package var draft: DelegationDraft?
    package var id: String?

    package init(draft: DelegationDraft) { self.draft = draft }
    package init(id: String) { self.id = id }

    package init(from decoder: any Decoder) throws {
        let all = try JSONValue(from: decoder)
        if all["title"] != nil || all["itinerary"] != nil || all["starts_at"] != nil {
            draft = try DelegationDraft(from: decoder)
        } else {
            id = try DelegationID(from: decoder).id
        }
    }

    package func encode(to encoder: any Encoder) throws {
        if let draft { return try draft.encode(to: encoder) }
        try DelegationID(id ?? "").encode(to: encoder)
    }

    package static var schema: Schema { .oneOf([DelegationDraft.schema, DelegationID.schema]) }
}
