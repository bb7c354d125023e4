import LiaisonJSON
import LiaisonModels
import LiaisonWire

// One part of a visit changed in one versioned change: someone joins, changes or leaves, a
// group is counted, a session is added, moved, changed or dropped. The service finds the part,
// carries the change into what names it (sessions naming a member), checks the itinerary, and
// mails a confirmed visit's people what changed for them.

/// What every edit names: the visit, the version read (or none), and why (for the mails).
package struct VisitRef: Codable, Sendable {
    package var id: String
    package var expectedVersion: Int?
    package var reason: String?

    package init(_ id: String, expectedVersion: Int? = nil, reason: String? = nil) {
        (self.id, self.expectedVersion, self.reason) = (id, expectedVersion, reason)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, expectedVersion = "expected_version", reason
        var rule: FieldRule {
            switch self {
            case .id: .text(64, "The delegation's id or reference.")
            case .expectedVersion: .expectedVersion
            case .reason:
                .text(Limits.reason, "Why; the mails of a confirmed visit give it to the people the change concerns.")
            }
        }
    }
}

/// A part of a visit as an edit names it, and the part (or the changes) it brings.
package struct PartEdit<Part: Codable & Sendable>: Codable, Sendable, Schematic {
    package var visit: VisitRef
    /// Who or which: a person by email or name; a group or a session by its number in
    /// `delegation show`, a session by its id, or words of its title or description.
    package var which: String?
    /// What is added.
    package var part: Part?
    /// The fields to change (null clears one).
    package var changes: JSONObject?

    package init(_ visit: VisitRef, which: String? = nil, part: Part? = nil, changes: JSONObject? = nil) {
        (self.visit, self.which, self.part, self.changes) = (visit, which, part, changes)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case which, part, changes
        var rule: FieldRule {
            switch self {
            case .which:
                .text(
                    Limits.name,
                    "Who or which: a person by email or name; a group or session by its number in delegation show, a "
                        + "session by its id, or words of its title or description."
                )
            case .part: .doc("What is added.")
            case .changes: .shape(.object([]), "The fields to change, as the part has them; null clears one.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        visit = try VisitRef(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        which = try c.decodeIfPresent(String.self, forKey: .which)
        part = try c.decodeIfPresent(Part.self, forKey: .part)
        changes = try c.decodeIfPresent(JSONValue.self, forKey: .changes)?.objectValue
    }

    package func encode(to encoder: any Encoder) throws {
        try visit.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(which, forKey: .which)
        try c.encodeIfPresent(part, forKey: .part)
        try c.encodeIfPresent(changes.map(JSONValue.object), forKey: .changes)
    }
}

/// A session moved: to a start (its length kept unless `until`), or along by a span.
package struct ItemMove: Codable, Sendable, Schematic {
    package var visit: VisitRef
    package var which: String
    package var at, until: String?
    package var shiftMinutes: Int?
    package var venue: String?

    package init(_ visit: VisitRef, which: String, at: String? = nil, until: String? = nil, shiftMinutes: Int? = nil) {
        (self.visit, self.which, self.at, self.until, self.shiftMinutes) = (visit, which, at, until, shiftMinutes)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case which, at, until, shiftMinutes = "shift_minutes", venue
        var rule: FieldRule {
            switch self {
            case .which: .text(Limits.name, "The session: its number in delegation show, its id, or its title.")
            case .at: .text(19, "The new start: 14:00 (the same day) or 2026-03-13T14:00, in the visit's zone.")
            case .until: .text(19, "The new end: 15:30 (the start's day) or a full time; default: its length kept.")
            case .shiftMinutes: .int(-5_256_000...5_256_000, "Or move it along by this many minutes.")
            case .venue: .text(Limits.name, "A new place too.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        visit = try VisitRef(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        which = try c.decode(String.self, forKey: .which)
        at = try c.decodeIfPresent(String.self, forKey: .at)
        until = try c.decodeIfPresent(String.self, forKey: .until)
        shiftMinutes = try c.decodeIfPresent(Int.self, forKey: .shiftMinutes)
        venue = try c.decodeIfPresent(String.self, forKey: .venue)
    }

    package func encode(to encoder: any Encoder) throws {
        try visit.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(which, forKey: .which)
        try c.encodeIfPresent(at, forKey: .at)
        try c.encodeIfPresent(until, forKey: .until)
        try c.encodeIfPresent(shiftMinutes, forKey: .shiftMinutes)
        try c.encodeIfPresent(venue, forKey: .venue)
    }
}

/// A visit after an edit, with what was done in words ("removed Amina <amina@example.org>").
package struct EditedDelegation: Codable, Sendable, Schematic {
    package var saved: SavedDelegation
    package var done: String

    package init(saved: SavedDelegation, done: String) { (self.saved, self.done) = (saved, done) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case done
        var rule: FieldRule { .doc("What was changed, in words.") }
    }

    package init(from decoder: any Decoder) throws {
        saved = try SavedDelegation(from: decoder)
        done = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .done)
    }

    package func encode(to encoder: any Encoder) throws {
        guard let stored = saved.stored, stored.last == UInt8(ascii: "}") else {
            try saved.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            return try c.encode(done, forKey: .done)
        }
        var text = JSONEncoding.bytes(saved)
        text.removeLast()
        text += Array(",\"done\":".utf8) + JSONEncoding.bytes(done) + [UInt8(ascii: "}")]
        try JSONValue.encoded(text).encode(to: encoder)
    }
}

extension DelegationsAPI {
    package static let addMember = Method<PartEdit<Member>, EditedDelegation>(
        "delegations.add_member",
        on: service,
        .write,
        "Someone joins a visit (part: the member); a confirmed visit mails them its schedule.",
        since: "0.2.0"
    )
    package static let updateMember = Method<PartEdit<Member>, EditedDelegation>(
        "delegations.update_member",
        on: service,
        .write,
        "One member's details (which: email or name; changes: member fields, null clears); a new email or name "
            + "is carried into the sessions naming them.",
        since: "0.2.0"
    )
    package static let removeMember = Method<PartEdit<Member>, EditedDelegation>(
        "delegations.remove_member",
        on: service,
        .write,
        "Someone leaves a visit (which: email or name) and the sessions naming them; refused while they are a "
            + "session's only attendee. A confirmed visit cancels their sessions in their calendar.",
        since: "0.2.0"
    )
    package static let addHost = Method<PartEdit<Host>, EditedDelegation>(
        "delegations.add_host",
        on: service,
        .write,
        "One of BIT's hosts joins (part: the host); a confirmed visit mails them.",
        since: "0.2.0"
    )
    package static let removeHost = Method<PartEdit<Host>, EditedDelegation>(
        "delegations.remove_host",
        on: service,
        .write,
        "A host leaves (which: email or name); the sessions they hosted keep their other hosts.",
        since: "0.2.0"
    )
    package static let addGroup = Method<PartEdit<MemberGroup>, EditedDelegation>(
        "delegations.add_group",
        on: service,
        .write,
        "People counted rather than named join (part: the group).",
        since: "0.2.0"
    )
    package static let updateGroup = Method<PartEdit<MemberGroup>, EditedDelegation>(
        "delegations.update_group",
        on: service,
        .write,
        "A group changes (which: its number or words of its description; changes: count, description, role, partner).",
        since: "0.2.0"
    )
    package static let removeGroup = Method<PartEdit<MemberGroup>, EditedDelegation>(
        "delegations.remove_group",
        on: service,
        .write,
        "A group is dropped (which: its number or words of its description).",
        since: "0.2.0"
    )
    package static let addItem = Method<PartEdit<ItineraryItem>, EditedDelegation>(
        "delegations.add_item",
        on: service,
        .write,
        "A session is added (part: the item); a confirmed visit mails the people expected at it.",
        since: "0.2.0"
    )
    package static let updateItem = Method<PartEdit<ItineraryItem>, EditedDelegation>(
        "delegations.update_item",
        on: service,
        .write,
        "A session's title, place, kind, hosts, attendees or notes (which: number, id or title; changes: item "
            + "fields, null clears); its people are mailed what changed.",
        since: "0.2.0"
    )
    package static let moveItem = Method<ItemMove, EditedDelegation>(
        "delegations.move_item",
        on: service,
        .write,
        "A session moved to another time (at, until) or along (shift_minutes); its people are mailed the new time.",
        since: "0.2.0"
    )
    package static let removeItem = Method<PartEdit<ItineraryItem>, EditedDelegation>(
        "delegations.remove_item",
        on: service,
        .write,
        "A session is dropped (which: number, id or title); a confirmed visit cancels it in the calendars of "
            + "those expected.",
        since: "0.2.0"
    )
}
