import Foundation
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// A visit's people and sessions changed one at a time, without writing JSON: someone joins or
/// leaves, a session is added, moved, changed or dropped. Each command reads the visit, changes
/// that part and writes it back at the version it read: a change made in between is a conflict,
/// and nothing of it is lost.
extension CLI {
    static var delegationMember: CLICommand {
        Command(
            name: "member", abstract: "Add, change or remove one member of a visit.", usage: "delegation member add|update|remove",
            subcommands: [memberAdd, memberUpdate, memberRemove])
    }

    static var delegationHost: CLICommand {
        Command(
            name: "host", abstract: "Add or remove one of BIT's hosts of a visit.", usage: "delegation host add|remove",
            subcommands: [hostAdd, hostRemove])
    }

    static var delegationItem: CLICommand {
        Command(
            name: "item", abstract: "Add, move, change or drop one session of a visit's itinerary.",
            usage: "delegation item add|move|update|remove", subcommands: [itemAdd, itemMove, itemUpdate, itemRemove])
    }

    /// A member's fields as flags (`--interpreter` is a flag: they need one).
    static let memberFields: [(flag: String, key: String, help: String)] = [
        ("--name", "name", "Name (romanised)."), ("--name-local", "name_local", "In their own script."),
        ("--title", "title", "Title or rank."),
        ("--role", "role", "head, minister, official, principal, teacher, student, interpreter, staff, other."),
        ("--email", "email", "Email (their schedule is mailed to it)."), ("--phone", "phone", "Phone."),
        ("--languages", "languages", "Language tags, comma-separated (th,en)."),
        ("--partner", "partner", "The partner (id) they come from."),
        ("--dietary", "needs.dietary", "Dietary needs."), ("--accessibility", "needs.accessibility", "Accessibility needs."),
    ]

    static var memberOptions: [OptionSpec] {
        memberFields.map { OptionSpec([$0.flag], value: "VALUE", $0.help) } + [
            OptionSpec(["--interpreter"], "They need an interpreter."), OptionSpec(["--no-interpreter"], "They do not need one."),
        ] + writeOptions
    }

    static let writeOptions = [
        versionOption, OptionSpec(["--reason"], value: "TEXT", "Why (a confirmed visit's update mails give it)."),
    ]

    /// The member fields the flags give, over `base`.
    static func member(_ args: ParsedArgs, over base: JSONObject = [:]) -> JSONObject {
        var m = base
        var needs = base["needs"]?.objectValue ?? [:]
        for f in memberFields {
            guard let v = args.value(f.flag) else { continue }
            let value: JSONValue = v.isEmpty ? .null : f.key == "languages" ? list(v) : .string(v)
            if f.key.hasPrefix("needs.") { needs[String(f.key.dropFirst(6))] = value } else { m[f.key] = value }
        }
        if args.has("--interpreter") { needs["interpreter"] = true }
        if args.has("--no-interpreter") { needs["interpreter"] = .null }
        needs = JSONObject(needs.members.filter { $0.value != .null }.map { ($0.key, $0.value) })
        m["needs"] = needs.count == 0 ? JSONValue?.none : .object(needs)
        return JSONObject(m.members.filter { $0.value != .null }.map { ($0.key, $0.value) })
    }

    static func list(_ v: String) -> JSONValue {
        .array(v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { .string($0) })
    }

    static var memberAdd: CLICommand {
        Command(
            name: "add", abstract: "Add someone to a visit (a confirmed visit mails them its schedule).",
            usage: "delegation member add ID --name N [--email E] [--title T] [--role R] [--languages th,en] [--dietary …] [--interpreter]",
            arguments: [("ID", "The delegation's id or reference.")], options: memberOptions
        ) { args, ctx in
            guard args.value("--name")?.isEmpty == false else { throw UsageError("missing --name") }
            var v = try VisitEdit(ctx, args)
            let m = member(args)
            let email = m["email"]?.stringValue
            if let clash = v.members.first(where: { VisitEdit.same($0, as: email ?? m["name"]?.stringValue ?? "") }) {
                throw CLIError(
                    ExitCode.dataError, "\(v.ref) already has \(VisitEdit.label(clash))", hint: "to change them: delegation member update")
            }
            v.members.append(.object(m))
            return try v.save(ctx, args, people: true, "added \(VisitEdit.label(.object(m)))")
        }
    }

    static var memberUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change one member's details (a new email is carried into the sessions naming them).",
            usage: "delegation member update ID WHO [--email E] [--title T] [--role R] [--dietary …] … (an empty value clears a field)",
            arguments: [("ID", "The delegation's id or reference."), ("WHO", "The member's email or name.")], options: memberOptions
        ) { args, ctx in
            var v = try VisitEdit(ctx, args)
            let i = try v.memberIndex(try args.positional(1, "WHO"))
            let before = v.members[i]
            let after = member(args, over: before.objectValue ?? [:])
            guard after["name"] != nil else { throw UsageError("--name cannot be emptied") }
            guard JSONValue.object(after) != before else { throw UsageError("nothing to change: give a flag (see --help)") }
            v.members[i] = .object(after)
            let moved = v.retarget(before, to: .object(after))
            return try v.save(ctx, args, people: true, items: moved, "changed \(VisitEdit.label(.object(after)))")
        }
    }

    static var memberRemove: CLICommand {
        Command(
            name: "remove", abstract: "Take someone off a visit (a confirmed visit cancels their sessions in their calendar).",
            usage: "delegation member remove ID WHO [--reason TEXT]",
            arguments: [("ID", "The delegation's id or reference."), ("WHO", "The member's email or name.")], options: writeOptions
        ) { args, ctx in
            var v = try VisitEdit(ctx, args)
            let who = try args.positional(1, "WHO")
            // Taken off already, with sessions still naming them (the second write of an earlier
            // removal did not happen): what is left to do is the sessions.
            let stray = !v.members.contains { VisitEdit.same($0, as: who) } && v.names(who)
            let refs: Set<String>, label: String
            if stray {
                (refs, label) = ([who.lowercased()], who)
            } else {
                let gone = v.members.remove(at: try v.memberIndex(who))
                (refs, label) = (VisitEdit.names(gone), VisitEdit.label(gone))
            }
            // A session that named only them would be left naming nobody: for everyone.
            let alone = v.itinerary.indices.filter { v.onlyAttendee(refs, of: $0) }
            if !alone.isEmpty {
                throw CLIError(
                    ExitCode.dataError,
                    "\(label) is the only attendee of " + alone.map { v.describe($0) }.joined(separator: ", ")
                        + ": without them it would be for the whole delegation",
                    hint: "give it other attendees (delegation item update ID ITEM --attendees …) or drop it (delegation item remove) first"
                )
            }
            let named = v.dropAttendees(refs)
            let what = stray ? "took \(who) out of the sessions still naming them" : "removed \(label)"
            return try v.save(ctx, args, people: !stray, items: named, what)
        }
    }

    static var hostAdd: CLICommand {
        Command(
            name: "add", abstract: "Add one of BIT's hosts (a confirmed visit mails them its schedule).",
            usage: "delegation host add ID --name N --email E [--unit U] [--interpreter]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                OptionSpec(["--name"], value: "NAME", "Name."), OptionSpec(["--email"], value: "EMAIL", "Email (required)."),
                OptionSpec(["--unit"], value: "UNIT", "e.g. International Office."), OptionSpec(["--phone"], value: "PHONE", "Phone."),
                OptionSpec(["--interpreter"], "They can interpret."),
            ] + writeOptions
        ) { args, ctx in
            guard let name = args.value("--name"), !name.isEmpty else { throw UsageError("missing --name") }
            guard let email = args.value("--email"), !email.isEmpty else {
                throw UsageError("missing --email (a host's schedule goes to it)")
            }
            var v = try VisitEdit(ctx, args)
            if let clash = v.hosts.first(where: { VisitEdit.same($0, as: email) }) {
                throw CLIError(ExitCode.dataError, "\(v.ref) already has \(VisitEdit.label(clash)) as a host")
            }
            var h: JSONObject = ["name": .string(name), "email": .string(email)]
            if let u = args.value("--unit") { h["unit"] = .string(u) }
            if let p = args.value("--phone") { h["phone"] = .string(p) }
            if args.has("--interpreter") { h["interpreter"] = true }
            v.hosts.append(.object(h))
            return try v.save(ctx, args, people: true, "added host \(VisitEdit.label(.object(h)))")
        }
    }

    static var hostRemove: CLICommand {
        Command(
            name: "remove", abstract: "Remove a host (the sessions they hosted keep their other hosts).",
            usage: "delegation host remove ID WHO [--reason TEXT]",
            arguments: [("ID", "The delegation's id or reference."), ("WHO", "The host's email or name.")], options: writeOptions
        ) { args, ctx in
            var v = try VisitEdit(ctx, args)
            let gone = v.hosts.remove(at: try v.hostIndex(try args.positional(1, "WHO")))
            let email = gone["email"]?.stringValue ?? ""
            var named = false
            for i in v.itinerary.indices {
                let hosts = VisitEdit.strings(v.itinerary[i]["hosts"])
                let kept = hosts.filter { $0.lowercased() != email.lowercased() }
                if kept.count != hosts.count {
                    v.itinerary[i] = v.itinerary[i].setting("hosts", .array(kept.map { .string($0) }))
                    named = true
                }
            }
            return try v.save(ctx, args, people: true, items: named, "removed host \(VisitEdit.label(gone))")
        }
    }
}
