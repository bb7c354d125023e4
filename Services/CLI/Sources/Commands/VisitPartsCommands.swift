import Foundation
import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

/// A visit's people and sessions changed one at a time, without writing JSON: someone joins or
/// leaves, a session is added, moved, changed or dropped. Each command names the change; the
/// service makes it in one versioned change (with what names the part: the sessions naming a
/// member who leaves), at the version given with --expect-version or the one stored.
extension CLI {
    static var delegationMember: CLICommand {
        Command(
            name: "member",
            abstract: "Add, change or remove one member of a visit.",
            usage: "delegation member add|update|remove",
            subcommands: [memberAdd, memberUpdate, memberRemove]
        )
    }

    static var delegationHost: CLICommand {
        Command(
            name: "host",
            abstract: "Add or remove one of BIT's hosts of a visit.",
            usage: "delegation host add|remove",
            subcommands: [hostAdd, hostRemove]
        )
    }

    /// A member's fields as flags (`--interpreter` is a flag: they need one).
    static let memberFields: [FieldFlag] =
        FieldFlag.person(title: "Title or rank.", email: "Email (their schedule is mailed to it).") + [
        FieldFlag(flag: "--languages", key: "languages", help: "Language tags, comma-separated (th,en).", shape: .list),
        FieldFlag(flag: "--partner", key: "partner", help: "The partner (id) they come from."),
        FieldFlag(flag: "--dietary", key: "needs.dietary", help: "Dietary needs."),
        FieldFlag(flag: "--accessibility", key: "needs.accessibility", help: "Accessibility needs."),
    ]

    static var memberOptions: [OptionSpec] {
        memberFields.map(\.option) + [
            OptionSpec(["--interpreter"], "They need an interpreter."),
            OptionSpec(["--no-interpreter"], "They do not need one."),
        ] + writeOptions
    }

    static let writeOptions = [
        versionOption, OptionSpec(["--reason"], value: "TEXT", "Why (a confirmed visit's update mails give it)."),
    ]

    /// The fields the flags give, as a merge patch (an empty value clears a field: null).
    static func fields(_ args: ParsedArgs, _ flags: [FieldFlag]) -> JSONObject {
        var o: JSONObject = [:]
        var needs: JSONObject = [:]
        for f in flags {
            guard let v = args.value(f.flag) else { continue }
            let value: JSONValue = v.isEmpty ? .null : f.shape == .list ? list(v) : .string(v)
            if f.key.hasPrefix("needs.") { needs[String(f.key.dropFirst(6))] = value } else { o[f.key] = value }
        }
        if args.has("--interpreter") { needs["interpreter"] = true }
        if args.has("--no-interpreter") { needs["interpreter"] = .null }
        if needs.count > 0 { o["needs"] = .object(needs) }
        return o
    }

    /// The visit an edit names, from the arguments: ID, --expect-version, --reason.
    static func visit(_ args: ParsedArgs) throws -> VisitRef {
        VisitRef(
            try args.positional(0, "ID"),
            expectedVersion: try expectedVersion(args),
            reason: args.value("--reason")
        )
    }

    /// Runs an edit and prints what it did: "DEL-…: removed Amina <…> (confirmed, version 5)".
    static func edited<P>(_ ctx: CLIContext, _ method: Method<P, EditedDelegation>, _ params: P) throws -> Int32 {
        let e = try ctx.call(method, params)
        if ctx.json { ctx.printJSON(e); return ExitCode.ok }
        printSaved(ctx, e.saved, e.done)
        return ExitCode.ok
    }

    static var memberAdd: CLICommand {
        Command(
            name: "add",
            abstract: "Add someone to a visit (a confirmed visit mails them its schedule).",
            usage:
                "delegation member add ID (--name N [--email E] [--title T] [--role R] | --person PERSON-ID) "
                + "[--languages th,en] [--dietary …] [--interpreter]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: memberOptions + [
                OptionSpec(
                    ["--person"],
                    value: "PERSON-ID",
                    "One of the registry's people (per-…, as partner show lists them): name, script, title and "
                        + "contact come from there, and follow its changes while the visit is proposed."
                )
            ]
        ) { args, ctx in
            var o = fields(args, memberFields)
            if let person = args.value("--person") {
                // The registry's details win; the service takes them from there.
                let view = try ctx.call(PartnersAPI.person, PersonID(person))
                o["name"] = .string(view.person.name)
                o["person"] = .string(view.person.id)
            } else if args.value("--name")?.isEmpty != false {
                throw UsageError("missing --name (or --person PERSON-ID of the registry)")
            }
            if case .object(let needs)? = o["needs"] {
                o["needs"] = .object(JSONObject(needs.members.filter { $0.value != .null }))
            }
            let m = try input(Member.self, JSONObject(o.members.filter { $0.value != .null }), "the member")
            return try edited(ctx, DelegationsAPI.addMember, PartEdit(try visit(args), part: m))
        }
    }

    static var memberUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change one member's details (a new email is carried into the sessions naming them).",
            usage:
                "delegation member update ID WHO [--email E] [--title T] [--role R] [--dietary …] … (an empty value "
                + "clears a field)",
            arguments: [("ID", "The delegation's id or reference."), ("WHO", "The member's email or name.")],
            options: memberOptions
        ) { args, ctx in
            let changes = fields(args, memberFields)
            guard changes.count > 0 else { throw UsageError("nothing to change: give a flag (see --help)") }
            if changes["name"] == .null { throw UsageError("--name cannot be emptied") }
            let p = PartEdit<Member>(try visit(args), which: try args.positional(1, "WHO"), changes: changes)
            return try edited(ctx, DelegationsAPI.updateMember, p)
        }
    }

    static var memberRemove: CLICommand {
        Command(
            name: "remove",
            abstract: "Take someone off a visit (a confirmed visit cancels their sessions in their calendar).",
            usage: "delegation member remove ID WHO [--reason TEXT]",
            arguments: [("ID", "The delegation's id or reference."), ("WHO", "The member's email or name.")],
            options: writeOptions
        ) { args, ctx in
            try edited(
                ctx,
                DelegationsAPI.removeMember,
                PartEdit<Member>(try visit(args), which: try args.positional(1, "WHO"))
            )
        }
    }

    static var hostAdd: CLICommand {
        Command(
            name: "add",
            abstract: "Add one of BIT's hosts (a confirmed visit mails them its schedule).",
            usage: "delegation host add ID --name N --email E [--unit U] [--interpreter]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                OptionSpec(["--name"], value: "NAME", "Name."),
                OptionSpec(["--email"], value: "EMAIL", "Email (required)."),
                OptionSpec(["--unit"], value: "UNIT", "e.g. International Office."),
                OptionSpec(["--phone"], value: "PHONE", "Phone."),
                OptionSpec(["--interpreter"], "They can interpret."),
            ] + writeOptions
        ) { args, ctx in
            guard let name = args.value("--name"), !name.isEmpty else { throw UsageError("missing --name") }
            guard let email = args.value("--email"), !email.isEmpty else {
                throw UsageError("missing --email (a host's schedule goes to it)")
            }
            var h = LiaisonModels.Host(
                name: name,
                email: email,
                unit: args.value("--unit"),
                interpreter: args.has("--interpreter") ? true : nil
            )
            h.phone = args.value("--phone")
            return try edited(ctx, DelegationsAPI.addHost, PartEdit(try visit(args), part: h))
        }
    }

    static var hostRemove: CLICommand {
        Command(
            name: "remove",
            abstract: "Remove a host (the sessions they hosted keep their others).",
            usage: "delegation host remove ID WHO [--reason TEXT]",
            arguments: [("ID", "The delegation's id or reference."), ("WHO", "The host's email or name.")],
            options: writeOptions
        ) { args, ctx in
            try edited(
                ctx,
                DelegationsAPI.removeHost,
                PartEdit<LiaisonModels.Host>(try visit(args), which: try args.positional(1, "WHO"))
            )
        }
    }
}
