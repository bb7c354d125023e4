import Foundation
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// A visit read for a change to its people or sessions, and written back at the version read.
struct VisitEdit {
    let id, ref, status: String
    var version: Int64
    var members, hosts, groups, itinerary: [JSONValue]
    private let read: (members: [JSONValue], hosts: [JSONValue], groups: [JSONValue])

    init(_ ctx: CLIContext, _ args: ParsedArgs) throws {
        let given = try args.positional(0, "ID")
        let d = try ctx.call("delegations", "delegations.get", ["id": .string(given)])
        id = d["id"]?.stringValue ?? given
        ref = d["ref"]?.stringValue ?? given
        status = d["status"]?.stringValue ?? ""
        version =
            args.value("--expect-version") != nil
            ? Int64(try args.int("--expect-version", default: 1, in: 1...Int(Int32.max))) : d["version"]?.intValue ?? 1
        members = d["members"]?.arrayValue ?? []
        hosts = d["hosts"]?.arrayValue ?? []
        groups = d["groups"]?.arrayValue ?? []
        itinerary = d["itinerary"]?.arrayValue ?? []
        read = (members, hosts, groups)
    }

    // MARK: - People

    /// How sessions name a member: the email, else the name.
    static func reference(_ m: JSONValue) -> String { m["email"]?.stringValue ?? m["name"]?.stringValue ?? "" }

    static func label(_ p: JSONValue) -> String {
        let name = p["name"]?.stringValue ?? "?"
        return p["email"]?.stringValue.map { "\(name) <\($0)>" } ?? name
    }

    /// Whether `p` is who `who` names: their email or name, in any case.
    static func same(_ p: JSONValue, as who: String) -> Bool {
        let w = who.lowercased()
        return p["email"]?.stringValue?.lowercased() == w || p["name"]?.stringValue?.lowercased() == w
    }

    static func strings(_ v: JSONValue?) -> [String] { v?.arrayValue?.compactMap(\.stringValue) ?? [] }

    func memberIndex(_ who: String) throws -> Int { try index(of: who, in: members, "member") }

    func hostIndex(_ who: String) throws -> Int { try index(of: who, in: hosts, "host") }

    /// The one person in `people` whom `who` names.
    private func index(of who: String, in people: [JSONValue], _ what: String) throws -> Int {
        let matches = people.indices.filter { Self.same(people[$0], as: who) }
        guard matches.count == 1 else { throw notOne(what, who, matches.map { people[$0] }, all: people) }
        return matches[0]
    }

    /// No one, or several, answer to `who`: the error names them all.
    private func notOne(_ what: String, _ who: String, _ matches: [JSONValue], all: [JSONValue]) -> CLIError {
        if matches.isEmpty {
            let known = all.isEmpty ? "it has none" : "\(what)s: " + all.map(Self.label).joined(separator: ", ")
            return CLIError(ExitCode.dataError, "\(ref) has no \(what) \"\(who)\" (by email or name); \(known)")
        }
        return CLIError(
            ExitCode.dataError, "\"\(who)\" names \(matches.count) \(what)s of \(ref): " + matches.map(Self.label).joined(separator: ", "),
            hint: "name them by email")
    }

    /// The ways a session's attendees may name a member: their email and their name, lowercased.
    static func names(_ m: JSONValue) -> Set<String> {
        Set([m["email"]?.stringValue, m["name"]?.stringValue].compactMap { $0?.lowercased() })
    }

    /// Whether a session's attendees name no one but by `refs` (lowercased).
    func onlyAttendee(_ refs: Set<String>, of i: Int) -> Bool {
        let list = Self.strings(itinerary[i]["attendees"])
        return !list.isEmpty && list.allSatisfy { refs.contains($0.lowercased()) }
    }

    /// Whether a session's attendees name `who`.
    func names(_ who: String) -> Bool {
        itinerary.contains { Self.strings($0["attendees"]).contains { $0.lowercased() == who.lowercased() } }
    }

    /// Sessions naming `before` in a way `after` no longer answers to name `after`'s reference
    /// instead; whether any did.
    mutating func retarget(_ before: JSONValue, to after: JSONValue) -> Bool {
        let still = Self.names(after)
        return rewriteAttendees(Self.names(before).subtracting(still)) { [.string(Self.reference(after))] }
    }

    /// Sessions naming anyone by `refs` (lowercased) no longer do; whether any did.
    mutating func dropAttendees(_ refs: Set<String>) -> Bool { rewriteAttendees(refs) { [] } }

    private mutating func rewriteAttendees(_ refs: Set<String>, _ with: () -> [JSONValue]) -> Bool {
        var changed = false
        for i in itinerary.indices {
            let names = Self.strings(itinerary[i]["attendees"])
            guard names.contains(where: { refs.contains($0.lowercased()) }) else { continue }
            var list: [JSONValue] = []
            for n in names {
                for v in refs.contains(n.lowercased()) ? with() : [.string(n)] where !list.contains(v) { list.append(v) }
            }
            itinerary[i] = itinerary[i].setting("attendees", .array(list))
            changed = true
        }
        return changed
    }

    /// The group `which` names: its number in `delegation show`, or words of its description.
    func groupIndex(_ which: String) throws -> Int {
        if let n = Int(which) {
            guard n >= 1 && n <= groups.count else {
                throw CLIError(
                    ExitCode.dataError, "\(ref) has \(groups.count) group\(groups.count == 1 ? "" : "s"); there is no number \(n)")
            }
            return n - 1
        }
        let matches = groups.indices.filter { groups[$0]["description"]?.stringValue?.lowercased().contains(which.lowercased()) == true }
        if matches.count == 1 { return matches[0] }
        let list = (matches.isEmpty ? Array(groups.indices) : matches).map { "\($0 + 1). \(groups[$0]["description"]?.stringValue ?? "")" }
        throw CLIError(
            ExitCode.dataError,
            "\(ref) has \(matches.isEmpty ? "no group" : "\(matches.count) groups") matching \"\(which)\"; "
                + (list.isEmpty ? "it has none" : "groups: " + list.joined(separator: "; ")),
            hint: "name it by its number (as 'delegation show' lists it)")
    }

    // MARK: - Sessions

    /// The session `which` names: its number in `delegation show`, its id (`it-…`), or its title.
    func itemIndex(_ which: String) throws -> Int {
        let order = try numbered()
        if let n = Int(which) {
            guard n >= 1 && n <= order.count else {
                throw CLIError(
                    ExitCode.dataError, "\(ref) has \(order.count) session\(order.count == 1 ? "" : "s"); there is no number \(n)")
            }
            return order[n - 1]
        }
        let w = which.lowercased()
        var matches = order.filter { itinerary[$0]["id"]?.stringValue == which }
        if matches.isEmpty { matches = order.filter { itinerary[$0]["title"]?.stringValue?.lowercased() == w } }
        if matches.isEmpty { matches = order.filter { itinerary[$0]["title"]?.stringValue?.lowercased().contains(w) == true } }
        if matches.count == 1 { return matches[0] }
        let shown = (matches.isEmpty ? order : matches).map(describe).joined(separator: "; ")
        let what = matches.isEmpty ? "no session \"\(which)\"" : "\(matches.count) sessions matching \"\(which)\""
        throw CLIError(ExitCode.dataError, "\(ref) has \(what): \(shown)", hint: "name it by its number (as 'delegation show' lists it)")
    }

    /// The indices in the order `delegation show` numbers them.
    func numbered() throws -> [Int] {
        ItineraryDays.numbered(try JSONDecoding.decode([ItineraryItem].self, from: .array(itinerary)))
    }

    /// "2. “Lab tour” 2026-12-14T11:00–12:00".
    func describe(_ i: Int) -> String {
        let n = ((try? numbered()) ?? []).firstIndex(of: i).map { "\($0 + 1). " } ?? ""
        let item = itinerary[i]
        return "\(n)“\(item["title"]?.stringValue ?? "")” "
            + Self.span(item["starts_at"]?.stringValue ?? "", item["ends_at"]?.stringValue ?? "")
    }

    /// "2026-12-14T11:00–12:00", or both in full when the end is on another day.
    static func span(_ start: String, _ end: String) -> String {
        "\(start)–" + (end.prefix(10) == start.prefix(10) ? String(end.dropFirst(11)) : end)
    }

    // MARK: - Writing

    /// Writes the change: the people by `delegations.update`; then the sessions, by `reschedule`
    /// once the visit's people hold its schedule (confirmed, under way: the update mails go out,
    /// with `--reason`), else in the same update. People go first: a session may name them.
    mutating func save(_ ctx: CLIContext, _ args: ParsedArgs, people: Bool = false, items: Bool = false, _ what: String) throws -> Int32 {
        var update: JSONObject = [:]
        if people && members != read.members { update["members"] = .array(members) }
        if people && hosts != read.hosts { update["hosts"] = .array(hosts) }
        if people && groups != read.groups { update["groups"] = .array(groups) }
        let byReschedule = items && (status == "confirmed" || status == "in_progress")
        if items && !byReschedule { update["itinerary"] = .array(itinerary) }
        var answer: JSONValue = .null
        if update.count > 0 {
            update["id"] = .string(id)
            update["expected_version"] = .int(version)
            answer = try ctx.call("delegations", "delegations.update", .object(update))
            version = answer["version"]?.intValue ?? version + 1
        }
        if byReschedule {
            var p: JSONObject = ["id": .string(id), "expected_version": .int(version), "itinerary": .array(itinerary)]
            if let r = args.value("--reason") { p["reason"] = .string(r) }
            do {
                answer = try ctx.call("delegations", "delegations.reschedule", .object(p))
            } catch {
                if update.count > 0 {
                    ctx.note(
                        "\(ref): \(what) (version \(version)), but the sessions naming them were not changed: run a removal again to"
                            + " finish it, or give those sessions their attendees with 'delegation item update ID ITEM --attendees …'")
                }
                throw error
            }
        }
        if ctx.json { ctx.printJSON(answer); return ExitCode.ok }
        ctx.print("\(ref): \(what) (\(answer["status"]?.stringValue ?? status), version \(answer["version"]?.intValue ?? version))")
        CLI.printFindings(ctx, answer)
        return ExitCode.ok
    }
}

extension JSONValue {
    /// This object with `key` set (removed for nil).
    func setting(_ key: String, _ value: JSONValue?) -> JSONValue {
        var o = objectValue ?? [:]
        o[key] = value
        return .object(o)
    }
}
