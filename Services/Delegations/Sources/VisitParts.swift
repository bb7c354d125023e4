import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// Finding a part of a visit as people name it, and carrying a change of one part into what names
/// it: the rules behind the edit methods (`delegations.add_member` …), without a store.
struct VisitParts {
    var draft: DelegationDraft
    let ref: String

    // MARK: - People

    /// A person as lists name them: "Amina Haddad <amina@example.org>".
    static func label(name: String, email: String?) -> String { email.map { "\(name) <\($0)>" } ?? name }

    /// Whether a person is who `who` names: their email or name, in any case.
    static func same(name: String, email: String?, as who: String) -> Bool {
        let w = who.lowercased()
        return email?.lowercased() == w || name.lowercased() == w
    }

    /// The ways sessions may name a member: their email and their name, lowercased.
    static func names(_ m: Member) -> Set<String> { Set([m.email, m.name].compactMap { $0?.lowercased() }) }

    /// The one of `people` whom `who` names (by email or name); `invalid_params` naming them all
    /// when no one or several do.
    static func index<P>(
        of who: String,
        in people: [P],
        _ what: String,
        ref: String,
        field: String,
        name: (P) -> String,
        email: (P) -> String?
    ) throws -> Int {
        let matches = people.indices.filter { same(name: name(people[$0]), email: email(people[$0]), as: who) }
        if matches.count == 1 { return matches[0] }
        func labels(_ list: [Int]) -> String {
            list.map { label(name: name(people[$0]), email: email(people[$0])) }.joined(separator: ", ")
        }
        if matches.isEmpty {
            let known = people.isEmpty ? "it has none" : "\(what)s: " + labels(Array(people.indices))
            throw ServiceError.invalidParams(
                field: field,
                "\(ref) has no \(what) \"\(who)\" (by email or name); \(known)"
            )
        }
        throw ServiceError.invalidParams(
            field: field,
            "\"\(who)\" names \(matches.count) \(what)s of \(ref): \(labels(matches)); name them by email"
        )
    }

    func memberIndex(_ who: String) throws -> Int {
        try Self.index(of: who, in: draft.members, "member", ref: ref, field: "which", name: \.name, email: \.email)
    }

    func hostIndex(_ who: String) throws -> Int {
        try Self.index(of: who, in: draft.hosts, "host", ref: ref, field: "which", name: \.name, email: { $0.email })
    }

    /// Whether a session's attendees name anyone by `refs` (lowercased).
    func named(_ refs: Set<String>) -> Bool {
        draft.itinerary.contains { $0.attendees.contains { refs.contains($0.lowercased()) } }
    }

    /// The sessions whose attendees name no one but by `refs`: they would be for everyone without them.
    func onlyAttended(by refs: Set<String>) -> [Int] {
        draft.itinerary.indices.filter { i in
            let list = draft.itinerary[i].attendees
            return !list.isEmpty && list != ["all"] && list.allSatisfy { refs.contains($0.lowercased()) }
        }
    }

    /// Sessions naming anyone by `refs` (lowercased) name `with` instead (nobody when empty).
    mutating func rewriteAttendees(_ refs: Set<String>, with: [String]) {
        guard !refs.isEmpty else { return }
        for i in draft.itinerary.indices
        where draft.itinerary[i].attendees.contains(where: { refs.contains($0.lowercased()) }) {
            var list: [String] = []
            for n in draft.itinerary[i].attendees {
                for v in refs.contains(n.lowercased()) ? with : [n] where !list.contains(v) { list.append(v) }
            }
            draft.itinerary[i].attendees = list
        }
    }

    // MARK: - Groups and sessions

    /// The group `which` names: its number in `delegation show`, or words of its description.
    func groupIndex(_ which: String) throws -> Int {
        let groups = draft.groups
        if let n = Int(which) { return try numbered(n, of: groups.count, "group") }
        let matches = groups.indices.filter { groups[$0].description.lowercased().contains(which.lowercased()) }
        if matches.count == 1 { return matches[0] }
        let list = (matches.isEmpty ? Array(groups.indices) : matches).map { "\($0 + 1). \(groups[$0].description)" }
        throw ServiceError.invalidParams(
            field: "which",
            "\(ref) has \(matches.isEmpty ? "no group" : "\(matches.count) groups") matching \"\(which)\"; "
                + (list.isEmpty ? "it has none" : "groups: " + list.joined(separator: "; ")) + "; name it by its number"
        )
    }

    /// The session `which` names: its number in `delegation show`, its id (`it-…`), or its title.
    func itemIndex(_ which: String) throws -> Int {
        let order = ItineraryDays.numbered(draft.itinerary)
        let items = draft.itinerary
        if let n = Int(which) { return order[try numbered(n, of: order.count, "session")] }
        let w = which.lowercased()
        var matches = order.filter { items[$0].id == which }
        if matches.isEmpty { matches = order.filter { items[$0].title.lowercased() == w } }
        if matches.isEmpty { matches = order.filter { items[$0].title.lowercased().contains(w) } }
        if matches.count == 1 { return matches[0] }
        let shown = (matches.isEmpty ? order : matches).map(describe).joined(separator: "; ")
        let what = matches.isEmpty ? "no session \"\(which)\"" : "\(matches.count) sessions matching \"\(which)\""
        throw ServiceError.invalidParams(field: "which", "\(ref) has \(what): \(shown); name it by its number")
    }

    /// The place of number `n` (as `delegation show` counts, from 1) among `count` of `what`.
    private func numbered(_ n: Int, of count: Int, _ what: String) throws -> Int {
        guard n >= 1 && n <= count else {
            throw ServiceError.invalidParams(
                field: "which",
                "\(ref) has \(count) \(what)\(count == 1 ? "" : "s"); there is no number \(n)"
            )
        }
        return n - 1
    }

    /// "2. “Lab tour” 2026-12-14T11:00–12:00".
    func describe(_ i: Int) -> String {
        let n = ItineraryDays.numbered(draft.itinerary).firstIndex(of: i).map { "\($0 + 1). " } ?? ""
        let item = draft.itinerary[i]
        return "\(n)“\(item.title)” " + Self.span(item.startsAt, item.endsAt)
    }

    /// "2026-12-14T11:00–12:00", or both in full when the end is on another day.
    static func span(_ start: LocalDateTime, _ end: LocalDateTime) -> String {
        let s = start.description, e = end.description
        return "\(s)–" + (e.prefix(10) == s.prefix(10) ? String(e.dropFirst(11)) : e)
    }

    /// A local time as people give it: `14:00` on `day`, or a full `2026-03-12T14:00`.
    static func localTime(_ field: String, _ text: String, day: String?) throws -> LocalDateTime {
        var why = ""
        let full =
            text.count <= 5 && text.contains(":") ? day.map { "\($0)T\(text.count == 4 ? "0" + text : text)" } : text
        guard let full, let t = LocalDateTime.parse(full, why: &why) else {
            throw ServiceError.invalidParams(
                field: field,
                "expected a local time like 2026-03-12T09:00\(day == nil ? "" : " (or 09:00 on the same day)"), not "
                    + "\(text)"
            )
        }
        return t
    }
}
