import Foundation
import LiaisonModels

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
            out.append(Recipient(name: m.name, nameLocal: m.nameLocal, address: e, view: .member))
        }
        for h in d.draft.hosts where seen.insert(h.email.lowercased()).inserted {
            out.append(Recipient(name: h.name, nameLocal: h.nameLocal, address: h.email, view: .host))
        }
        return out
    }

    /// The calendar UID of a visit: stable for its whole life.
    package static func uid(_ d: Delegation, domain: String) -> String { "delegation-\(d.id)@\(domain)" }

    package static func render(
        _ rule: MailRule,
        _ d: Delegation,
        for r: Recipient,
        settings: NotificationsSettings,
        reminderDays: Int? = nil,
        now: Date,
        changes: PersonalSchedule.Changes? = nil,
        short: Bool = false
    ) -> RenderedMail {
        let draft = d.draft
        let personal = PersonalSchedule(d, for: r)
        let when = ItineraryDays.span(draft.startsAt, draft.endsAt)
        let subject: String
        var intro: String
        switch rule {
        case .schedule:
            subject = "Visit schedule: \(draft.title), \(when)"
            intro =
                draft.direction == .inbound
                ? "Beijing Institute of Technology looks forward to welcoming the \(draft.title). The schedule of the "
                    + "visit follows; the attached invitation adds it to your calendar."
                : "The schedule of the \(draft.title) follows; the attached invitation adds it to your calendar."
        case .update where changes.map({ $0.isEmpty && !$0.people.isEmpty }) ?? false:
            subject = "Briefing: who comes to your sessions of the \(draft.title) has changed"
            intro =
                "The people expected at sessions you host for the \(draft.title) have changed; the times and "
                + "places have not. The schedule follows."
        case .update:
            subject = "Updated schedule: \(draft.title), \(when)"
            intro =
                "The schedule of the \(draft.title) has changed. The updated schedule follows and replaces the one "
                + "sent before; the attached invitation updates the sessions that changed in your calendar."
        case .removal:
            let all = changes?.leftVisit ?? true
            subject = all ? "No longer on the visit: \(draft.title)" : "Removed from your schedule: \(draft.title)"
            intro =
                all
                ? "You are no longer expected at the \(draft.title) (\(when)). The attached notice removes its "
                    + "sessions from your calendar."
                : "Some sessions of the \(draft.title) are no longer on your schedule; the attached notice removes "
                    + "them from your calendar."
        case .cancel:
            subject = "Cancelled: \(draft.title), \(when)"
            intro = "The \(draft.title) planned for \(when) has been cancelled."
            if let why = d.cancelReason { intro += " Reason: \(why)." }
            intro += " The attached notice removes it from your calendar."
        case .postpone:
            subject = "Postponed: \(draft.title)"
            intro = "The \(draft.title) planned for \(when) has been postponed; a new schedule will follow."
            if let why = d.postponedReason { intro += " Reason: \(why)." }
            intro += " The attached notice removes the old dates from your calendar."
        case .reminder:
            let n = reminderDays ?? 1
            subject = "Reminder: \(draft.title) begins in \(n) day\(n == 1 ? "" : "s")"
            intro =
                "A reminder: the \(draft.title) begins in \(n) day\(n == 1 ? "" : "s"), on "
                + "\(ItineraryDays.dayTitle(draft.startsAt)). The schedule follows."
        }
        let schedule =
            [.cancel, .postpone, .removal].contains(rule) ? [] : scheduleLines(d, personal, view: r.view, short: short)
        var opening = ["Dear \(r.displayName),", "", intro, ""]
        if let c = changes, rule == .update || rule == .removal { opening += PersonalSchedule.lines(c) + [""] }
        if rule == .removal, let c = changes, !c.removed.isEmpty {
            opening += ["Removed:"] + c.removed.map { "  • \($0.title), \(PersonalSchedule.when($0))" } + [""]
        }
        var text = opening + facts(d) + [""] + schedule
        if r.view == .host && [.schedule, .update, .reminder].contains(rule) {
            let briefing = HostBriefing.lines(d, sessions: personal.mine)
            if !briefing.isEmpty { text += [""] + briefing }
        }
        text += [
            "", "With kind regards,", settings.from.name ?? "International Office", "Beijing Institute of Technology",
        ]

        // One VEVENT per session the recipient is expected at: the whole set with the schedule,
        // only what changed with an update, exactly what they lose with a cancellation.
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
                fullNotes: rule == .schedule && !short
            )
            calendar = (method, ICalendar.build(method: method, events: events))
        }
        return RenderedMail(
            subject: subject,
            text: text.joined(separator: "\n") + "\n",
            html: html(title: subject, lines: text),
            calendar: calendar
        )
    }

    static func facts(_ d: Delegation) -> [String] {
        let draft = d.draft
        // Each partner with its own country: a joint visit speaks for every partner, not the lead's.
        let partner = draft.partners.map { p in
            let country = p.country.flatMap { Country.named($0)?.name ?? $0 }
            return p.label + (country.map { ", \($0)" } ?? "")
        }
        let partners = partner.isEmpty ? "Partner:  \(d.countryName)" : draft.partners.count > 1
            ? "Partners: " + partner.joined(separator: "; ") : "Partner:  " + partner[0]
        var out = [
            "Visit:    \(draft.title)", partners,
            "When:     \(ItineraryDays.span(draft.startsAt, draft.endsAt)), \(draft.startsAt.time)"
                + "–\(draft.endsAt.time) (\(draft.timeZone) time)",
        ]
        if let p = draft.purpose { out.append("Purpose:  \(p)") }
        return out
    }

    /// How many people a short message lists (by name, in the delegation and per session).
    static let shortList = 40

    /// The recipient's sessions day by day, the rest of the programme marked as for
    /// information, then the people; hosts also see every member's needs. `short`: the lists of
    /// people cut at `shortList` names, with how many more there are.
    static func scheduleLines(
        _ d: Delegation,
        _ personal: PersonalSchedule,
        view: RecipientView,
        short: Bool = false
    )
        -> [String]
    {
        let draft = d.draft
        var out: [String] = []
        for (heading, list) in [
            ("Your sessions (times in \(draft.timeZone)):", personal.mine),
            ("For information only — the rest of the programme, where you are not expected:", personal.others),
        ] where !list.isEmpty {
            out.append(heading)
            for (day, items) in ItineraryDays.group(list) {
                out.append("")
                out.append(ItineraryDays.dayTitle(day))
                for (_, item) in items {
                    var line = "  \(ItineraryDays.times(item))  \(item.title)"
                    if let v = item.venue { line += " — \(v)" }
                    out.append(line)
                    if view == .host && !item.everyone {
                        let names = draft.attendees(of: item).map(\.name)
                        let shown = short ? Array(names.prefix(shortList)) : names
                        let more = names.count - shown.count
                        out.append(
                            "               with: " + shown.joined(separator: ", ")
                                + (more > 0 ? " and \(more) more" : "")
                        )
                    }
                }
            }
            out.append("")
        }
        out.append("Delegation (\(draft.headCount.map(String.init) ?? "\(draft.members.count) named, and groups")):")
        let listed = short ? Array(draft.members.prefix(shortList)) : draft.members
        for m in listed {
            var line = "  • \(m.name)"
            if let l = m.nameLocal { line += " (\(l))" }
            if let t = m.title, t != m.name { line += ", \(t)" }
            if m.role != .other { line += " — \(m.role.rawValue)" }
            if view == .host {
                if let e = m.email { line += " <\(e)>" }
                var needs: [String] = []
                if let x = m.needs?.dietary { needs.append("diet: \(x)") }
                if let x = m.needs?.accessibility { needs.append("access: \(x)") }
                if m.needs?.interpreter == true { needs.append("needs an interpreter") }
                if !needs.isEmpty { line += " — " + needs.joined(separator: "; ") }
            }
            out.append(line + draft.comesFrom(m.partner))
        }
        if listed.count < draft.members.count {
            out.append(
                "  … and \(draft.members.count - listed.count) more (the International Office has the full list)"
            )
        }
        if !draft.hosts.isEmpty {
            out.append("Hosts:")
            for h in draft.hosts { out.append("  • \(h.name)\(h.unit.map { ", \($0)" } ?? "") <\(h.email)>") }
        }
        return out
    }

    static func html(title: String, lines: [String]) -> String {
        var body =
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(HTML.escape(title))</title></head>\n<body "
            + "style=\"font-family: sans-serif\">\n"
        var inList = false
        for l in lines {
            if l.hasPrefix("  • ") {
                if !inList { body += "<ul>\n"; inList = true }
                body += "<li>\(HTML.escape(String(l.dropFirst(4))))</li>\n"
                continue
            }
            if inList { body += "</ul>\n"; inList = false }
            if l.isEmpty { continue }
            if l.hasPrefix("  ") {
                body +=
                    "<p style=\"margin:0 0 0 1.5em; font-family: "
                    + "monospace\">\(HTML.escape(l.trimmingWhitespace()))</p>\n"
            } else {
                body += "<p>\(HTML.escape(l))</p>\n"
            }
        }
        if inList { body += "</ul>\n" }
        return body + "</body></html>\n"
    }
}
