import Foundation
import LiaisonModels
import LiaisonJSON
import LiaisonWire

/// A delegation as text people read: the facts, then the itinerary day by day in the visit's
/// own time zone.
package enum ItineraryText {
    package static func render(_ d: Delegation) -> String {
        let draft = d.draft
        var out: [String] = []
        out.append("\(d.ref)  \(draft.title)  [\(d.status.rawValue), version \(d.version)]")
        for (i, p) in draft.partners.enumerated() {
            let head = i == 0 ? (draft.partners.count == 1 ? "Partner  " : "Partners ") : "         "
            let lead = draft.partners.count > 1 && p.lead == true ? ", lead" : ""
            let place =
                Country.named(p.country ?? "").map { "\($0.name) (\($0.region), \($0.continent.rawValue))" } ?? p
                .country ?? ""
            out.append("\(head)  \(p.label) — \(p.kind?.rawValue ?? "?"), \(place)\(lead)  [\(p.id ?? "?")]")
        }
        out.append("Direction  \(draft.direction.rawValue)")
        if let date = draft.date {
            out.append("When       \(date.display)")
        } else {
            out.append(
                "When       \(draft.startsAt.date) \(draft.startsAt.time) – \(draft.endsAt.date) \(draft.endsAt.time) "
                    + "(\(draft.timeZone))"
            )
        }
        if let p = draft.purpose { out.append("Purpose    \(p)") }
        if !draft.topics.isEmpty { out.append("Topics     \(draft.topics.joined(separator: ", "))") }
        if let r = d.cancelReason { out.append("Cancelled  \(r)") }
        if let r = d.postponedReason { out.append("Postponed  \(r)") }
        if let o = d.outcome { out.append("Outcome    \(o)") }
        if let n = draft.notes { out.append("Notes      \(n)") }
        out.append("")
        if !draft.groups.isEmpty {
            out.append("Groups")
            for (i, g) in draft.groups.enumerated() {
                var line = "  \(i + 1). \(g.description)"
                line += g.count.map { " — \($0) people" } ?? " — number not known"
                if let r = g.role { line += ", \(r.rawValue)" }
                out.append(line + draft.comesFrom(g.partner))
            }
        }
        out.append("Members (\(draft.members.count))")
        for m in draft.members {
            var line = "  • \(m.name)"
            if let l = m.nameLocal { line += " (\(l))" }
            if let t = m.title, t != m.name { line += ", \(t)" }
            line += " — \(m.role.rawValue)"
            if let e = m.email { line += " <\(e)>" }
            if !m.languages.isEmpty { line += " [\(m.languages.joined(separator: ", "))]" }
            var needs: [String] = []
            if let n = m.needs {
                if let x = n.dietary { needs.append("diet: \(x)") }
                if let x = n.accessibility { needs.append("access: \(x)") }
                if n.interpreter == true { needs.append("needs an interpreter") }
            }
            if !needs.isEmpty { line += " — \(needs.joined(separator: "; "))" }
            out.append(line + draft.comesFrom(m.partner))
        }
        if !draft.hosts.isEmpty {
            out.append("Hosts")
            for h in draft.hosts {
                let unit = h.unit.map { " — \($0)" } ?? ""
                // A purged host keeps a name and no address: no empty "<>".
                let email = h.email.isEmpty ? "" : " <\(h.email)>"
                out.append("  • \(h.name)\(email)\(unit)\(h.interpreter == true ? " (interprets)" : "")")
            }
        }
        out.append("")
        if draft.itinerary.isEmpty {
            // A visit that took place (or never will) has no itinerary to come.
            out.append(
                d.status == .completed || d.status == .cancelled ? "(no itinerary recorded)" : "(no itinerary yet)"
            )
        }
        // Each session numbered as `delegation item` commands take it ("2."), in start order.
        let width = String(draft.itinerary.count).count
        let indent = String(repeating: " ", count: width + 17)
        var number = 0
        for (day, items) in ItineraryDays.group(draft.itinerary) {
            out.append(ItineraryDays.dayTitle(day))
            for (_, item) in items {
                number += 1
                let n = String(number)
                var line =
                    "  " + String(repeating: " ", count: width - n.count) + n
                    + ". \(ItineraryDays.times(item))  \(item.title)"
                line += " (\(item.kind.rawValue))"
                if let v = item.venue { line += " @ \(v)" }
                out.append(line)
                if !item.hosts.isEmpty {
                    let names = item.hosts.map { e in
                        draft.hosts.first { $0.email.lowercased() == e.lowercased() }?.name ?? e
                    }
                    out.append("\(indent)hosts: \(names.joined(separator: ", "))")
                }
                out.append(
                    "\(indent)with: "
                        + (item.everyone
                            ? "the whole delegation" : draft.attendees(of: item).map(\.name).joined(separator: ", "))
                )
                if let n = item.notes { out.append("\(indent)note: \(n)") }
            }
            out.append("")
        }
        return out.joined(separator: "\n").trimmingCharacters(in: .newlines)
    }
}
