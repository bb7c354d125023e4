import Foundation
import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

/// People a visit counts rather than names ("30 international students"): a group added,
/// its number given once known, or dropped (`delegation group …`).
extension CLI {
    static var delegationGroup: CLICommand {
        Command(
            name: "group",
            abstract: "Add, change or drop a group counted rather than named (30 students).",
            usage: "delegation group add|update|remove",
            subcommands: [groupAdd, groupUpdate, groupRemove]
        )
    }

    static let groupFields: [FieldFlag] = [
        FieldFlag(flag: "--description", key: "description", help: "Who they are: International students of BIT."),
        FieldFlag(flag: "--count", key: "count", help: "How many (when known)."),
        FieldFlag(flag: "--role", key: "role", help: "Their part.", oneOf: MemberRole.self),
        FieldFlag(flag: "--partner", key: "partner", help: "The partner (id) they come from."),
    ]

    static var groupOptions: [OptionSpec] { groupFields.map(\.option) + [versionOption] }

    /// The group fields the flags give (an empty value clears a field).
    static func groupFieldsGiven(_ args: ParsedArgs) throws -> JSONObject {
        var g = fields(args, groupFields)
        if case .string(let v)? = g["count"] {
            guard let n = Int(v), n >= 0 else {
                throw UsageError("--count: expected a whole number of people, not \(v)")
            }
            g["count"] = .int(Int64(n))
        }
        return g
    }

    static let groupArguments = [
        ("ID", "The delegation's id or reference."),
        ("GROUP", "The group: its number in 'delegation show', or words of its description."),
    ]

    static var groupAdd: CLICommand {
        Command(
            name: "add",
            abstract: "Add a group.",
            usage: "delegation group add ID --description D [--count N] [--role R] [--partner ID]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: groupOptions
        ) { args, ctx in
            guard args.value("--description")?.isEmpty == false else { throw UsageError("missing --description") }
            let g = try input(
                MemberGroup.self,
                JSONObject(try groupFieldsGiven(args).members.filter { $0.value != .null }),
                "the group"
            )
            return try edited(ctx, DelegationsAPI.addGroup, PartEdit(try visit(args), part: g))
        }
    }

    static var groupUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change a group: its number once known, who they are.",
            usage: "delegation group update ID GROUP [--count N] [--description D] [--role R] [--partner ID]",
            arguments: groupArguments,
            options: groupOptions
        ) { args, ctx in
            let changes = try groupFieldsGiven(args)
            guard changes.count > 0 else { throw UsageError("nothing to change: give a flag (see --help)") }
            if changes["description"] == .null { throw UsageError("--description cannot be emptied") }
            let p = PartEdit<MemberGroup>(try visit(args), which: try args.positional(1, "GROUP"), changes: changes)
            return try edited(ctx, DelegationsAPI.updateGroup, p)
        }
    }

    static var groupRemove: CLICommand {
        Command(
            name: "remove",
            abstract: "Drop a group.",
            usage: "delegation group remove ID GROUP",
            arguments: groupArguments,
            options: [versionOption]
        ) { args, ctx in
            try edited(
                ctx,
                DelegationsAPI.removeGroup,
                PartEdit<MemberGroup>(try visit(args), which: try args.positional(1, "GROUP"))
            )
        }
    }
}
