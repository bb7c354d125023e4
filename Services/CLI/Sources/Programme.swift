import LiaisonModels
import LiaisonLocale

/// A visit's programme as a document to print and hand out: an A4 page per day after a first
/// page with the visit, its partners, its people (names in their own script beside the
/// romanised ones) and BIT's contacts; each day's sessions with times, venues and hosts — in a
/// language with English beside it, as the mails are.
package enum Programme {
    /// The programme of `d` as HTML made for A4 print; `contact` is the office's (a name and an
    /// address, as the notifications service signs its mail).
    /// The language most of the delegation reads first (of those Liaison has catalogues for;
    /// the first member's on a tie), English when none.
    package static func language(of d: Delegation) -> Catalogue {
        var count: [String: (n: Int, first: Int)] = [:]
        for (i, m) in d.draft.members.enumerated() where !m.languages.isEmpty {
            let c = Catalogue.first(of: m.languages).code
            count[c] = ((count[c]?.n ?? 0) + 1, count[c]?.first ?? i)
        }
        let best = count.max { a, b in (a.value.n, -a.value.first) < (b.value.n, -b.value.first) }
        return best.flatMap { Catalogue.named($0.key) } ?? .english
    }

    package static func html(_ d: Delegation, contact: String?, language t: Catalogue = .english) -> String {
        let draft = d.draft
        let e = HTML.escape
        let en = Catalogue.english
        // A label in the language, then English: "合作方 · Partners".
        func label(_ key: String) -> String {
            // A field's name as a heading: without its colon ("Partners:" → "Partners").
            func bare(_ s: String) -> String { String(s.reversed().drop { ":： ".contains($0) }.reversed()) }
            return t.code == "en" ? e(bare(en(key))) : both(bare(t(key)), bare(en(key)))
        }
        // Each language's words isolated, so that right-to-left text around them keeps their order.
        func both(_ a: String, _ b: String) -> String { a == b ? e(a) : "<bdi>\(e(a))</bdi> · <bdi>\(e(b))</bdi>" }
        func local(_ name: String, _ own: String?) -> String {
            guard let own, own != name else { return e(name) }
            return "\(e(name)) <span class=\"own\" dir=\"auto\"><bdi>\(e(own))</bdi></span>"
        }
        var body: [String] = []
        body.append(
            "<header><p class=\"kicker\">\(both(t("institution"), en("institution"))) · "
                + "\(label("programme.kicker"))</p>"
        )
        body.append("<h1>\(e(draft.title))</h1>")
        let when =
            draft.date.map { e($0.display) }
            ?? both(t.span(draft.startsAt, draft.endsAt), en.span(draft.startsAt, draft.endsAt))
            + " (\(e(draft.timeZone)))"
        body.append("<p class=\"when\">\(when) · \(e(d.ref))</p></header>")
        body.append("<section><h2>\(label(draft.partners.count == 1 ? "fact.partner" : "fact.partners"))</h2><ul>")
        for p in draft.partners {
            let country = Country.named(p.country ?? "").map(\.name) ?? p.country ?? ""
            let lead = draft.partners.count > 1 && p.lead == true ? e(t("programme.lead")) : ""
            body.append("<li>\(local(p.name ?? p.label, p.nameLocal)), \(e(country))\(lead)</li>")
        }
        body.append("</ul></section>")
        if let purpose = draft.purpose {
            body.append("<section><h2>\(label("programme.purpose"))</h2><p>\(e(purpose))</p></section>")
        }
        func from(_ partner: String?) -> String {
            draft.partnerName(of: partner).map { e(t("delegation.from", ["partner": $0])) } ?? ""
        }
        if !draft.members.isEmpty || !draft.groups.isEmpty {
            body.append("<section><h2>\(label("programme.delegation"))</h2><ul>")
            for m in draft.members {
                let title = m.title.map { ", \(e($0))" } ?? ""
                body.append("<li>\(local(m.name, m.nameLocal))\(title)\(from(m.partner))</li>")
            }
            for g in draft.groups {
                let count = g.count.map { " — " + e(t("briefing.count", count: $0)) } ?? ""
                body.append("<li>\(e(g.description))\(count)\(from(g.partner))</li>")
            }
            body.append("</ul></section>")
        }
        if !draft.hosts.isEmpty || contact != nil {
            body.append("<section><h2>\(label("programme.hosts"))</h2><ul>")
            for h in draft.hosts {
                let unit = h.unit.map { ", \(e($0))" } ?? ""
                let mail = h.email.isEmpty ? "" : " · \(e(h.email))"
                body.append("<li>\(local(h.name, h.nameLocal))\(unit)\(mail)</li>")
            }
            if let contact { body.append("<li class=\"office\">\(e(contact))</li>") }
            body.append("</ul></section>")
        }
        for (day, items) in ItineraryDays.group(draft.itinerary) {
            body.append("<section class=\"day\"><h2>\(both(t.day(day), en.day(day)))</h2><table>")
            body.append(
                "<tr>"
                    + ["programme.time", "programme.session", "programme.venue", "programme.hosts_column"]
                    .map { "<th>\(label($0))</th>" }.joined() + "</tr>"
            )
            for (_, item) in items {
                let hosts = item.hosts.map { mail in
                    draft.hosts.first { $0.email.lowercased() == mail.lowercased() }.map {
                        local($0.name, $0.nameLocal)
                    }
                        ?? e(mail)
                }
                let with = draft.attendees(of: item).map { local($0.name, $0.nameLocal) }.joined(separator: ", ")
                // The names are HTML already: escaped around, not twice.
                let withText = e(t("programme.with", ["names": "\u{1}"])).replacingOccurrences(of: "\u{1}", with: with)
                let who = item.everyone ? "" : "<div class=\"who\">\(withText)</div>"
                let note = item.notes.map { "<div class=\"note\">\(e($0))</div>" } ?? ""
                body.append(
                    "<tr><td class=\"time\"><bdi dir=\"ltr\">\(e(t.times(item)))</bdi></td>"
                        + "<td>\(e(item.title))\(who)\(note)</td>"
                        + "<td>\(e(item.venue ?? ""))</td><td>\(hosts.joined(separator: "<br>"))</td></tr>"
                )
            }
            body.append("</table></section>")
        }
        if draft.itinerary.isEmpty { body.append("<p class=\"empty\">\(label("programme.empty"))</p>") }
        return """
            <!DOCTYPE html>
            <html lang="\(t.code)" dir="\(t.rightToLeft ? "rtl" : "ltr")"><head><meta charset="utf-8">
            <title>\(e(draft.title)) — programme</title>
            <style>
            @page { size: A4; margin: 18mm 16mm; }
            body { font-family: "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "Noto Sans Thai", Helvetica,
              Arial, sans-serif; font-size: 10.5pt; color: #1f2933; line-height: 1.4; }
            h1 { font-size: 20pt; margin: 0 0 .2em; }
            h2 { font-size: 13pt; border-bottom: 1px solid #c9d2dc; padding-bottom: .2em; }
            .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 8.5pt; color: #52606d; margin: 0; }
            .when { font-size: 12pt; margin-top: 0; } .own { color: #3e4c59; }
            table { border-collapse: collapse; width: 100%; } th, td { text-align: start; vertical-align: top;
              padding: .35em .5em; border-bottom: 1px solid #e4e7eb; } th { font-size: 9pt; color: #52606d; }
            td.time { white-space: nowrap; width: 7em; } .who, .note { font-size: 9pt; color: #52606d; }
            section.day { break-before: page; page-break-before: always; }
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }
}
