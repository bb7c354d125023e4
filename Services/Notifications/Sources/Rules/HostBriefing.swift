import LiaisonModels
import LiaisonAPI
import LiaisonLocale

/// What a host needs to know of the sessions they host: how many come, who, and what they need
/// (diet, access, an interpreter) — in the schedule sent on confirmation, and as an update when
/// any of it changes (issue 27, item 2) — in the writer's language.
struct HostBriefing {
    let writer: ScheduleWriter
    var t: Catalogue { writer.t }

    /// What changed in who comes to one session a host hosts.
    struct Change {
        let item: ItineraryItem
        /// Names that no longer come; who comes now; whose needs changed.
        var left: [String] = [], joined: [Member] = [], changed: [Member] = []
        let was, now: Int?
    }

    /// One session's people: name → what they need ("" when nothing), in `t`'s words.
    static func people(of item: ItineraryItem, in d: Delegation, _ t: Catalogue) -> [String: String] {
        var out: [String: String] = [:]
        for m in d.draft.attendees(of: item) { out[m.name] = ScheduleWriter.needs(m, t) }
        return out
    }

    /// How many come to `item`: its named attendees, or the whole delegation with its groups.
    static func count(of item: ItineraryItem, in d: Delegation) -> Int? {
        item.everyone ? d.draft.headCount : d.draft.attendees(of: item).count
    }

    /// The briefing of the schedule: each hosted session, how many come, and what they need.
    func lines(_ d: Delegation, sessions: [ItineraryItem]) -> [String] {
        guard !sessions.isEmpty else { return [] }
        var out = [t("briefing.heading")]
        for item in sessions {
            let people = Self.people(of: item, in: d, t)
            let n = Self.count(of: item, in: d).map { t("briefing.count", count: $0) } ?? t("briefing.uncounted")
            var line = "  • \(writer.iso(item.title)), \(t.when(item)): \(n)"
            let needs = people.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\(writer.iso($0.key)) (\($0.value))" }
            if !needs.isEmpty { line += t("briefing.needs", ["list": needs.joined(separator: t("list.comma"))]) }
            if let id = item.id, let counts = writer.answers[id], counts.keys.contains(where: { $0 != "no_answer" }) {
                let n = { (a: Answer) in String(counts[a.rawValue] ?? 0) }
                line +=
                    t("list.semicolon")
                    + t(
                        "briefing.answers",
                        [
                            "accepted": n(.accepted), "declined": n(.declined), "tentative": n(.tentative),
                            "none": n(.noAnswer),
                        ]
                    )
            }
            out.append(line + t("briefing.end"))
        }
        return out
    }

    /// What changed in who comes to `sessions` (the host's, after the change) since `before`;
    /// needs are compared as English writes them.
    static func changes(from before: Delegation, to after: Delegation, sessions: [ItineraryItem]) -> [Change] {
        let old = Dictionary(
            before.draft.itinerary.compactMap { i in i.id.map { ($0, i) } },
            uniquingKeysWith: { a, _ in a }
        )
        var out: [Change] = []
        for item in sessions {
            guard let id = item.id, let was = old[id] else { continue }  // a new session is in the update itself
            let (a, b) = (people(of: was, in: before, .english), people(of: item, in: after, .english))
            var c = Change(item: item, was: count(of: was, in: before), now: count(of: item, in: after))
            let members = Dictionary(after.draft.members.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
            c.left = a.keys.sorted().filter { b[$0] == nil }
            c.joined = b.keys.sorted().filter { a[$0] == nil }.compactMap { members[$0] }
            c.changed = b.keys.sorted().filter { a[$0] != nil && a[$0] != b[$0] }.compactMap { members[$0] }
            if c.left.isEmpty && c.joined.isEmpty && c.changed.isEmpty && c.was == c.now { continue }
            out.append(c)
        }
        return out
    }

    /// The lines of `changes`, one a session, in the writer's language.
    func changeLines(_ changes: [Change]) -> [String] {
        changes.map { c in
            var parts: [String] = c.left.map { t("briefing.left", ["name": writer.iso($0)]) }
            parts += c.joined.map { m in
                let needs = writer.needs(m)
                return needs.isEmpty
                    ? t("briefing.joined", ["name": writer.iso(m.name)])
                    : t("briefing.joined_needs", ["name": writer.iso(m.name), "needs": needs])
            }
            parts += c.changed.map { m in
                let needs = writer.needs(m)
                return t(
                    "briefing.now_needs",
                    ["name": writer.iso(m.name), "needs": needs.isEmpty ? t("needs.none") : needs]
                )
            }
            let total = c.now.map { t("briefing.total", count: $0) } ?? t("briefing.total_uncounted")
            let was =
                c.was != c.now ? t("briefing.was", ["was": c.was.map(String.init) ?? t("briefing.was_uncounted")]) : ""
            return "  • \(writer.iso(c.item.title)), \(t.when(c.item)): "
                + (parts.isEmpty ? "" : parts.joined(separator: t("list.semicolon")) + t("list.semicolon")) + total
                + was
                + t("briefing.end")
        }
    }
}
