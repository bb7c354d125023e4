import Foundation
import LiaisonModels
import LiaisonLocale

/// One recipient's part of a visit: the sessions they are expected at (members: the items that
/// name them or nobody; hosts: the items they host, or that name no host), the rest for
/// information, and — against the schedule they were sent before — what changed for them.
package struct PersonalSchedule {
    let mine: [ItineraryItem]
    let others: [ItineraryItem]

    init(_ d: Delegation, for r: Recipient) {
        let draft = d.draft
        let member = draft.members.first { $0.email?.lowercased() == r.address.lowercased() }
        let attends: (ItineraryItem) -> Bool = { item in
            if let member { return draft.attends(member, item) }
            return r.view == .host ? draft.hosts(r.address, item) : item.everyone
        }
        mine = draft.itinerary.filter(attends)
        others = draft.itinerary.filter { !attends($0) }
    }

    /// When a visit runs: its first and last moment.
    struct Window: Equatable {
        let start, end: LocalDateTime
        init(_ d: DelegationDraft) { (start, end) = (d.startsAt, d.endsAt) }
    }

    /// What changed for a recipient between two versions of the visit.
    package struct Changes {
        var moved: [(old: ItineraryItem, new: ItineraryItem)] = []
        var added: [ItineraryItem] = []
        var removed: [ItineraryItem] = []
        var window: (old: Window, new: Window)?
        var reason: String?
        /// The recipient is no longer on the visit at all.
        var leftVisit = false
        /// A host's briefing: who comes to the sessions they host, where that changed.
        var people: [HostBriefing.Change] = []

        /// Nothing changed in the recipient's own sessions (their people aside).
        var isEmpty: Bool { moved.isEmpty && added.isEmpty && removed.isEmpty && window == nil }

        /// The items to (re)send as REQUEST: moved or changed, and added.
        var requests: [ItineraryItem] { moved.map(\.new) + added }
    }

    /// Compares what `r` was expected at in `before` with `after`.
    static func changes(from before: Delegation, to after: Delegation, for r: Recipient) -> Changes {
        let was = PersonalSchedule(before, for: r).mine, now = PersonalSchedule(after, for: r).mine
        var c = Changes(reason: after.rescheduleReason)
        let old = Dictionary(was.compactMap { i in i.id.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
        for item in now {
            guard let id = item.id, let o = old[id] else {
                c.added.append(item)
                continue
            }
            // Another person joining or leaving a session changes nothing a member sees in it.
            if o.rev != item.rev && visiblyChanged(o, item) { c.moved.append((o, item)) }
        }
        let kept = Set(now.compactMap(\.id))
        c.removed = was.filter { $0.id.map { !kept.contains($0) } ?? false }
        let (a, b) = (Window(before.draft), Window(after.draft))
        if a != b { c.window = (a, b) }
        if r.view == .host { c.people = HostBriefing.changes(from: before, to: after, sessions: now) }
        // A reason goes with a change of the recipient's own sessions; a host told only who
        // comes is not given another person's reason.
        if c.isEmpty { c.reason = nil }
        return c
    }

    /// Whether a session changed in what its people see of it: time, title, kind, place, note.
    static func visiblyChanged(_ a: ItineraryItem, _ b: ItineraryItem) -> Bool {
        a.startsAt != b.startsAt || a.endsAt != b.endsAt || a.title != b.title || a.kind != b.kind || a.venue != b.venue
            || a.notes != b.notes
    }

    /// A session's note as every copy after the first carries it: its first `noteExcerpt`
    /// characters (the whole note went with the schedule).
    static func excerpt(_ note: String) -> String {
        guard note.count > noteExcerpt else { return note }
        return String(note.prefix(noteExcerpt)) + " … (the full note was in the schedule first sent)"
    }

    static let noteExcerpt = 300

    /// One VEVENT per item: UID per item, SEQUENCE its revision; the notes whole only when
    /// `fullNotes` (the schedule), cut to an excerpt in every later copy.
    static func events(
        _ items: [ItineraryItem],
        of d: Delegation,
        for r: Recipient,
        cancelled: Bool,
        settings: NotificationsSettings,
        now: Date,
        fullNotes: Bool = true,
        language: String? = nil
    ) -> [CalendarEvent] {
        let zone = d.draft.zone
        return items.map { item in
            var description = [d.draft.title]
            if let v = item.venue { description.append(v) }
            if let n = item.notes { description.append(fullNotes ? n : excerpt(n)) }
            return CalendarEvent(
                uid: "\(item.id ?? "item")-\(d.id)@\(settings.messageIDDomain)",
                sequence: item.rev ?? 1,
                stamp: now,
                start: Date(timeIntervalSince1970: TimeInterval(item.startsAt.epochSeconds(in: zone))),
                end: Date(timeIntervalSince1970: TimeInterval(item.endsAt.epochSeconds(in: zone))),
                summary: "\(item.title) — \(d.draft.title)",
                location: item.venue,
                description: description.joined(separator: "\n"),
                organizer: settings.organizer,
                attendees: [r.mailbox],
                status: cancelled ? "CANCELLED" : "CONFIRMED",
                attendeeLanguage: language,
                rsvp: !cancelled
            )
        }
    }
}
