import Foundation
import LiaisonModels
import LiaisonLocale

/// Which rule a message comes from.
package enum MailRule: String, Sendable, CaseIterable {
    /// `removal`: sessions taken out of someone's schedule, or someone taken off the visit
    /// (a CANCEL for exactly what they lose).
    case schedule, update, cancel, postpone, reminder, removal
}

/// What a recipient may see: hosts see members' needs; members see neither other members'
/// addresses nor their needs.
package enum RecipientView: String, Sendable {
    case member, host
}

/// Someone a visit's mail goes to.
package struct Recipient: Sendable, Equatable {
    package var name: String
    package var nameLocal: String?
    package var address: String
    package var view: RecipientView
    /// BCP 47 tags, first the one they read best: the mail's language comes from these.
    package var languages: [String] = []

    /// The name in the recipient's own script when known.
    package var displayName: String { nameLocal ?? name }
    package var mailbox: Mailbox { Mailbox(name: displayName, address: address) }
}

/// Subject, text, HTML and calendar of one message.
package struct RenderedMail: Sendable {
    package var subject, text, html: String
    package var calendar: (method: String, content: String)?
}

/// Renders a delegation's schedule as mail for one recipient.
package enum ScheduleRenderer {
    /// Members with an email, then hosts (each address once).
    package static func recipients(of d: Delegation) -> [Recipient] {
        var seen = Set<String>()
        var out: [Recipient] = []
        for m in d.draft.members {
            guard let e = m.email, seen.insert(e.lowercased()).inserted else { continue }
            out.append(
                Recipient(name: m.name, nameLocal: m.nameLocal, address: e, view: .member, languages: m.languages)
            )
        }
        for h in d.draft.hosts where seen.insert(h.email.lowercased()).inserted {
            out.append(
                Recipient(
                    name: h.name,
                    nameLocal: h.nameLocal,
                    address: h.email,
                    view: .host,
                    languages: h.languages ?? []
                )
            )
        }
        return out
    }

    /// The calendar UID of a visit: stable for its whole life.
    package static func uid(_ d: Delegation, domain: String) -> String { "delegation-\(d.id)@\(domain)" }

    /// The message of `rule` for `r`: in the first of their languages Liaison has a catalogue
    /// for, with English beside it when that is not English (BIT writes to partners in both).
    /// `language` (a preview's `--lang`) overrides theirs.
    package static func render(
        _ rule: MailRule,
        _ d: Delegation,
        for r: Recipient,
        settings: NotificationsSettings,
        reminderDays: Int? = nil,
        now: Date,
        changes: PersonalSchedule.Changes? = nil,
        short: Bool = false,
        language: Catalogue? = nil,
        answers: [String: [String: Int]] = [:]
    ) -> RenderedMail {
        let primary = language ?? Catalogue.first(of: r.languages)
        func body(_ t: Catalogue) -> MailBody {
            ScheduleWriter(t: t, settings: settings, answers: answers)
                .body(rule, d, for: r, reminderDays: reminderDays, changes: changes, short: short)
        }
        let english = body(.english)
        let bodies = primary.code == "en" ? [english] : [body(primary), english]
        let subject = bodies.map(\.subject).joined(separator: " / ")

        // One VEVENT per session the recipient is expected at: the whole set with the schedule,
        // only what changed with an update, exactly what they lose with a cancellation.
        let personal = PersonalSchedule(d, for: r)
        let items: [ItineraryItem]
        switch rule {
        case .schedule, .cancel, .postpone: items = personal.mine
        case .update: items = changes?.requests ?? personal.mine
        case .removal: items = changes?.removed ?? personal.mine
        case .reminder: items = []
        }
        var calendar: (String, String)? = nil
        if !items.isEmpty {
            let cancelling = [.cancel, .postpone, .removal].contains(rule)
            let method = cancelling ? "CANCEL" : "REQUEST"
            let events = PersonalSchedule.events(
                items,
                of: d,
                for: r,
                cancelled: cancelling,
                settings: settings,
                now: now,
                fullNotes: rule == .schedule && !short,
                language: r.languages.isEmpty && language == nil ? nil : primary.code
            )
            calendar = (method, ICalendar.build(method: method, events: events))
        }
        return RenderedMail(
            subject: subject,
            text: MailBody.text(bodies),
            html: MailBody.html(title: subject, bodies),
            calendar: calendar
        )
    }
}
