import LiaisonJSON

/// What an itinerary item is.
package enum ItemKind: String, WireEnum {
    case meeting, tour, meal, ceremony, lecture, visit, transfer, signing, free, other
}

/// One timed item of the itinerary, in the visit's time zone.
package struct ItineraryItem: Codable, Sendable, Equatable {
    package var startsAt, endsAt: LocalDateTime
    package var title: String
    package var kind: ItemKind
    package var venue: String?
    /// Host emails.
    package var hosts: [String]
    /// Member emails (or names for members without one); empty or ["all"] means every member.
    package var attendees: [String]
    package var notes: String?
    /// The item's identity for its whole life (its calendar UID), given by the service.
    package var id: String?
    /// Bumped each time the item's time, place, title or people change (its calendar SEQUENCE).
    package var rev: Int?

    enum CodingKeys: String, CodingKey, FieldKey {
        case startsAt = "starts_at", endsAt = "ends_at", title, kind, venue, hosts, attendees, notes, id, rev

        var rule: FieldRule {
            switch self {
            case .startsAt: .doc("Wall time in the visit's time_zone, e.g. 2026-03-12T09:00.")
            case .endsAt, .kind: .plain
            case .title: .text(Limits.title)
            case .venue: .text(Limits.name)
            case .hosts:
                .list(Limits.hosts, of: .format("email", max: Limits.email), "Emails of the delegation's hosts.")
            case .attendees:
                .list(Limits.attendees, of: .text(Limits.name), "Member emails (or names); empty means everyone.")
            case .notes: .text(Limits.notes)
            case .id: .text(64, "Given by the service and kept for the item's life (its calendar UID); send it back.")
            case .rev: .int(1...Int64(Int32.max), "Bumped when the item changes (its calendar SEQUENCE).")
            }
        }
    }

    package init(
        startsAt: LocalDateTime,
        endsAt: LocalDateTime,
        title: String,
        kind: ItemKind = .meeting,
        venue: String? = nil,
        hosts: [String] = [],
        attendees: [String] = [],
        notes: String? = nil
    ) {
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.title = title
        self.kind = kind
        self.venue = venue
        self.hosts = hosts
        self.attendees = attendees
        self.notes = notes
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startsAt = try c.decode(LocalDateTime.self, forKey: .startsAt)
        endsAt = try c.decode(LocalDateTime.self, forKey: .endsAt)
        title = try c.decode(String.self, forKey: .title)
        kind = try c.decodeIfPresent(ItemKind.self, forKey: .kind) ?? .meeting
        venue = try c.decodeIfPresent(String.self, forKey: .venue)
        hosts = try c.decodeIfPresent([String].self, forKey: .hosts) ?? []
        attendees = try c.decodeIfPresent([String].self, forKey: .attendees) ?? []
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        rev = try c.decodeIfPresent(Int.self, forKey: .rev)
    }

    /// Whether every member attends.
    package var everyone: Bool { attendees.isEmpty || attendees == ["all"] }
}
