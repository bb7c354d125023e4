import Foundation
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// People a visit counts rather than names ("30 international students"): a group added,
/// its number given once known, or dropped (`delegation group …`).
extension CLI {
    static var delegationGroup: CLICommand {
        Command(
            name: "group", abstract: "Add, change or drop a group counted rather than named (30 students).",
            usage: "delegation group add|update|remove", subcommands: [groupAdd, groupUpdate, groupRemove])
    }

    static let groupFields: [(flag: String, key: String, help: String)] = [
        ("--description", "description", "Who they are: International students of BIT."), ("--count", "count", "How many (when known)."),
        ("--role", "role", "head, minister, official, principal, teacher, student, interpreter, staff, other."),
        ("--partner", "partner", "The partner (id) they come from."),
    ]

    static var groupOptions: [OptionSpec] { groupFields.map { OptionSpec([$0.flag], value: "VALUE", $0.help) } + [versionOption] }

    /// The group with the flags given set over `base` (an empty value clears a field).
    static func group(_ args: ParsedArgs, over base: JSONObject = [:]) throws -> JSONObject {
        var g = base
        for f in groupFields {
            guard let v = args.value(f.flag) else { continue }
            if v.isEmpty { g[f.key] = nil; continue }
            guard f.key == "count" else { g[f.key] = .string(v); continue }
            guard let n = Int(v), n >= 0 else { throw UsageError("--count: expected a whole number of people, not \(v)") }
            g[f.key] = .int(Int64(n))
        }
        return g
    }

    static let groupArguments = [
        ("ID", "The delegation's id or reference."), ("GROUP", "The group: its number in 'delegation show', or words of its description."),
    ]

    static var groupAdd: CLICommand {
        Command(
            name: "add", abstract: "Add a group.", usage: "delegation group add ID --description D [--count N] [--role R] [--partner ID]",
            arguments: [("ID", "The delegation's id or reference.")], options: groupOptions
        ) { args, ctx in
            guard args.value("--description")?.isEmpty == false else { throw UsageError("missing --description") }
            var v = try VisitEdit(ctx, args)
            let g = try group(args)
            v.groups.append(.object(g))
            return try v.save(ctx, args, people: true, "added the group \(g["description"]?.stringValue ?? "")")
        }
    }

    static var groupUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change a group: its number once known, who they are.",
            usage: "delegation group update ID GROUP [--count N] [--description D] [--role R] [--partner ID]", arguments: groupArguments,
            options: groupOptions
        ) { args, ctx in
            guard groupFields.contains(where: { args.value($0.flag) != nil }) else {
                throw UsageError("nothing to change: give a flag (see --help)")
            }
            var v = try VisitEdit(ctx, args)
            let i = try v.groupIndex(try args.positional(1, "GROUP"))
            let g = try group(args, over: v.groups[i].objectValue ?? [:])
            guard g["description"] != nil else { throw UsageError("--description cannot be emptied") }
            v.groups[i] = .object(g)
            return try v.save(ctx, args, people: true, "changed the group \(g["description"]?.stringValue ?? "")")
        }
    }

    static var groupRemove: CLICommand {
        Command(
            name: "remove", abstract: "Drop a group.", usage: "delegation group remove ID GROUP", arguments: groupArguments,
            options: [versionOption]
        ) { args, ctx in
            var v = try VisitEdit(ctx, args)
            let gone = v.groups.remove(at: try v.groupIndex(try args.positional(1, "GROUP")))
            return try v.save(ctx, args, people: true, "dropped the group \(gone["description"]?.stringValue ?? "")")
        }
    }
}
