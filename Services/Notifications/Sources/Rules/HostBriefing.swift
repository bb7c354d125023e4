import LiaisonModels

/// What a host needs to know of the sessions they host: how many come, who, and what they need
/// (diet, access, an interpreter) — in the schedule sent on confirmation, and as an update when
/// any of it changes (issue 27, item 2).
enum HostBriefing {
    /// One session's people: name → what they need ("" when nothing).
    static func people(of item: ItineraryItem, in d: Delegation) -> [String: String] {
        var out: [String: String] = [:]
        for m in d.draft.attendees(of: item) { out[m.name] = needs(m) }
        return out
    }

    /// How many come to `item`: its named attendees, or the whole delegation with its groups.
    static func count(of item: ItineraryItem, in d: Delegation) -> Int? {
        item.everyone ? d.draft.headCount : d.draft.attendees(of: item).count
    }

    static func needs(_ m: Member) -> String {
        var out: [String] = []
        if let x = m.needs?.dietary { out.append("diet: \(x)") }
        if let x = m.needs?.accessibility { out.append("access: \(x)") }
        if m.needs?.interpreter == true { out.append("needs an interpreter") }
        return out.joined(separator: "; ")
    }

    /// The briefing of the schedule: each hosted session, how many come, and what they need.
    static func lines(_ d: Delegation, sessions: [ItineraryItem]) -> [String] {
        guard !sessions.isEmpty else { return [] }
        var out = ["Briefing — who comes to the sessions you host:"]
        for item in sessions {
            let people = people(of: item, in: d)
            let n = count(of: item, in: d).map { "\($0) \($0 == 1 ? "person" : "people")" } ?? "people not yet counted"
            var line = "  • \(item.title), \(PersonalSchedule.when(item)): \(n)"
            let needs = people.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
            if !needs.isEmpty { line += "; needs: " + needs.joined(separator: ", ") }
            out.append(line + ".")
        }
        return out
    }

    /// What changed in who comes to `sessions` (the host's, after the change) since `before`.
    static func changes(from before: Delegation, to after: Delegation, sessions: [ItineraryItem]) -> [String] {
        let old = Dictionary(
            before.draft.itinerary.compactMap { i in i.id.map { ($0, i) } },
            uniquingKeysWith: { a, _ in a }
        )
        var out: [String] = []
        for item in sessions {
            guard let id = item.id, let was = old[id] else { continue }  // a new session is in the update itself
            let (a, b) = (people(of: was, in: before), people(of: item, in: after))
            var parts: [String] = []
            for name in a.keys.sorted() where b[name] == nil { parts.append("\(name) no longer comes") }
            for name in b.keys.sorted() where a[name] == nil {
                parts.append("\(name) comes" + (b[name]!.isEmpty ? "" : " (\(b[name]!))"))
            }
            for name in b.keys.sorted() where a[name] != nil && a[name] != b[name] {
                parts.append("\(name) now: " + (b[name]!.isEmpty ? "no particular needs" : b[name]!))
            }
            let (n0, n1) = (count(of: was, in: before), count(of: item, in: after))
            if parts.isEmpty && n0 == n1 { continue }
            let total = n1.map { "now \($0) \($0 == 1 ? "person" : "people")" } ?? "not yet counted"
            out.append(
                "  • \(item.title), \(PersonalSchedule.when(item)): "
                    + (parts.isEmpty ? "" : parts.joined(separator: "; ") + "; ") + total
                    + (n0 != n1 ? " (was \(n0.map(String.init) ?? "not counted"))" : "") + "."
            )
        }
        return out
    }
}
