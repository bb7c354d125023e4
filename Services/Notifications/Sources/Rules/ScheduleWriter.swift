import LiaisonModels
import LiaisonAPI
import LiaisonLocale

/// Writes a visit's message in one language: the subject, the opening, the visit's facts, the
/// recipient's schedule and the people, the host's briefing and the signature.
struct ScheduleWriter {
    let t: Catalogue
    let settings: NotificationsSettings
    /// Per session (item id), how many gave each answer to its invitation: hosts' briefings count them.
    var answers: [String: [String: Int]] = [:]

    /// A name or title from the data, isolated where its direction may differ from the text's.
    func iso(_ s: String) -> String { MailBody.isolate(s, in: t) }

    /// The message of `rule` for `r` in this writer's language.
    func body(
        _ rule: MailRule,
        _ d: Delegation,
        for r: Recipient,
        reminderDays: Int?,
        changes: PersonalSchedule.Changes?,
        short: Bool
    ) -> MailBody {
        let draft = d.draft
        let personal = PersonalSchedule(d, for: r)
        let v = [
            "title": iso(draft.title), "when": t.span(draft.startsAt, draft.endsAt), "institution": t("institution"),
        ]
        let subject: String
        var intro: String
        switch rule {
        case .schedule:
            subject = t("schedule.subject", v)
            intro = t(draft.direction == .inbound ? "schedule.intro.inbound" : "schedule.intro", v)
        case .update where changes.map({ $0.isEmpty && !$0.people.isEmpty }) ?? false:
            subject = t("briefing.subject", v)
            intro = t("briefing.intro", v)
        case .update:
            subject = t("update.subject", v)
            intro = t("update.intro", v)
        case .removal:
            let all = changes?.leftVisit ?? true
            subject = t(all ? "removal.subject.all" : "removal.subject.some", v)
            intro = t(all ? "removal.intro.all" : "removal.intro.some", v)
        case .cancel:
            subject = t("cancel.subject", v)
            intro = t("cancel.intro", v)
            if let why = d.cancelReason { intro += t("reason", ["reason": why]) }
            intro += t("cancel.outro")
        case .postpone:
            subject = t("postpone.subject", v)
            intro = t("postpone.intro", v)
            if let why = d.postponedReason { intro += t("reason", ["reason": why]) }
            intro += t("postpone.outro")
        case .reminder:
            let n = reminderDays ?? 1
            subject = t("reminder.subject", count: n, v)
            intro = t("reminder.intro", count: n, v.merging(["day": t.day(draft.startsAt)]) { a, _ in a })
        }
        let schedule =
            [.cancel, .postpone, .removal].contains(rule) ? [] : scheduleLines(d, personal, view: r.view, short: short)
        var text = [t("dear", ["name": iso(r.displayName)]), "", intro, ""]
        if let c = changes, rule == .update || rule == .removal { text += changeLines(c) + [""] }
        if rule == .removal, let c = changes, !c.removed.isEmpty {
            text += [t("removed.heading")] + c.removed.map { "  • \(iso($0.title)), \(t.when($0))" } + [""]
        }
        text += facts(d) + [""] + schedule
        if r.view == .host && [.schedule, .update, .reminder].contains(rule) {
            let briefing = HostBriefing(writer: self).lines(d, sessions: personal.mine)
            if !briefing.isEmpty { text += [""] + briefing }
        }
        let office = t.code == "en" ? settings.from.name ?? t("office") : t("office")
        text += ["", t("signoff"), office, t("institution")]
        return MailBody(subject: subject, lines: text, t: t)
    }

    /// The visit, its partners (each with its own country), when and why.
    func facts(_ d: Delegation) -> [String] {
        let draft = d.draft
        let partner = draft.partners.map { p in
            let country = p.country.flatMap { Country.named($0)?.name ?? $0 }
            return iso(p.label) + (country.map { t("list.comma") + $0 } ?? "")
        }
        var rows: [(String, String)] = [("fact.visit", iso(draft.title))]
        if partner.isEmpty {
            rows.append(("fact.partner", d.countryName))
        } else {
            rows.append(
                (partner.count > 1 ? "fact.partners" : "fact.partner", partner.joined(separator: t("list.semicolon")))
            )
        }
        let zone = t("fact.zone", ["zone": draft.timeZone])
        rows.append(
            (
                "fact.when",
                "\(window(PersonalSchedule.Window(draft))) \(zone)"
            )
        )
        if let p = draft.purpose { rows.append(("fact.purpose", iso(p))) }
        let labels = rows.map { t($0.0) }
        let width = ["fact.visit", "fact.partner", "fact.partners", "fact.when", "fact.purpose"].map { t($0).count }
            .max()!
        return zip(labels, rows).map { label, row in
            label + String(repeating: " ", count: width - label.count + 1) + row.1
        }
    }

    /// How many people a short message lists (by name, in the delegation and per session).
    static let shortList = 40

    /// The recipient's sessions day by day, the rest of the programme marked as for
    /// information, then the people; hosts also see every member's needs. `short`: the lists of
    /// people cut at `shortList` names, with how many more there are.
    func scheduleLines(_ d: Delegation, _ personal: PersonalSchedule, view: RecipientView, short: Bool) -> [String] {
        let draft = d.draft
        var out: [String] = []
        for (heading, list) in [
            (t("schedule.mine", ["zone": draft.timeZone]), personal.mine), (t("schedule.others"), personal.others),
        ] where !list.isEmpty {
            out.append(heading)
            for (day, items) in ItineraryDays.group(list) {
                out.append("")
                out.append(t.day(day))
                for (_, item) in items {
                    var line = "  \(iso(t.times(item)))  \(iso(item.title))"
                    if let v = item.venue { line += " — \(iso(v))" }
                    out.append(line)
                    if view == .host && !item.everyone {
                        let names = draft.attendees(of: item).map { iso($0.name) }
                        let shown = short ? Array(names.prefix(Self.shortList)) : names
                        let more = names.count - shown.count
                        out.append(
                            "               " + t("schedule.with", ["names": shown.joined(separator: t("list.comma"))])
                                + (more > 0 ? t("schedule.more", count: more) : "")
                        )
                    }
                }
            }
            out.append("")
        }
        let count = draft.headCount.map(String.init) ?? t("delegation.named_and_groups", count: draft.members.count)
        out.append(t("delegation.heading", ["count": count]))
        let listed = short ? Array(draft.members.prefix(Self.shortList)) : draft.members
        for m in listed { out.append(memberLine(m, of: draft, view: view)) }
        if listed.count < draft.members.count {
            out.append("  " + t("delegation.more", count: draft.members.count - listed.count))
        }
        if !draft.hosts.isEmpty {
            out.append(t("hosts.heading"))
            for h in draft.hosts {
                out.append("  • \(iso(h.name))\(h.unit.map { t("list.comma") + $0 } ?? "") <\(h.email)>")
            }
        }
        return out
    }

    /// "• Yousef Al Hammadi (يوسف الحمادي), Vice President — head — from Khalifa University".
    func memberLine(_ m: Member, of draft: DelegationDraft, view: RecipientView) -> String {
        var line = "  • \(iso(m.name))"
        if let l = m.nameLocal { line += " (\(iso(l)))" }
        if let title = m.title, title != m.name { line += t("list.comma") + iso(title) }
        if m.role != .other { line += " — " + t("role.\(m.role.rawValue)") }
        if view == .host {
            if let e = m.email { line += " <\(e)>" }
            let needs = needs(m)
            if !needs.isEmpty { line += " — " + needs }
        }
        if let name = draft.partnerName(of: m.partner) { line += t("delegation.from", ["partner": iso(name)]) }
        return line
    }

    /// What a member needs (diet, access, an interpreter), "" when nothing.
    func needs(_ m: Member) -> String { Self.needs(m, t) }

    static func needs(_ m: Member, _ t: Catalogue) -> String {
        var out: [String] = []
        if let x = m.needs?.dietary { out.append(t("needs.diet", ["need": x])) }
        if let x = m.needs?.accessibility { out.append(t("needs.access", ["need": x])) }
        if m.needs?.interpreter == true { out.append(t("needs.interpreter")) }
        return out.joined(separator: t("list.semicolon"))
    }

    /// The lines an update or a removal opens with: what changed for the recipient, and why.
    func changeLines(_ c: PersonalSchedule.Changes) -> [String] {
        var out = [t("changes.heading")]
        if let w = c.window {
            out.append("  • " + t("changes.window", ["new": window(w.new), "old": window(w.old)]))
        }
        for (o, n) in c.moved {
            let venue =
                o.venue != n.venue ? t("changes.venue", ["venue": n.venue.map(iso) ?? t("changes.venue_tbc")]) : ""
            let v = ["title": iso(n.title), "from": t.when(o), "to": t.when(n), "when": t.when(n), "venue": venue]
            out.append(
                "  • " + t(o.startsAt != n.startsAt || o.endsAt != n.endsAt ? "changes.moved" : "changes.changed", v)
            )
        }
        for a in c.added {
            let venue = a.venue.map { " — \(iso($0))" } ?? ""
            out.append("  • " + t("changes.added", ["title": iso(a.title), "when": t.when(a), "venue": venue]))
        }
        for r in c.removed { out.append("  • " + t("changes.removed", ["title": iso(r.title), "when": t.when(r)])) }
        if let why = c.reason { out.append(t("changes.reason", ["reason": why])) }
        if !c.people.isEmpty {
            if out.count == 1 { out = [] }
            out += [t("changes.people")] + HostBriefing(writer: self).changeLines(c.people)
        }
        return out
    }

    /// "12–14 March 2026, 09:00–17:00".
    func window(_ w: PersonalSchedule.Window) -> String {
        "\(t.span(w.start, w.end))\(t("list.comma"))\(w.start.time)–\(w.end.time)"
    }
}
