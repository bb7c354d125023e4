import Foundation
import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

/// One session of a visit added, moved, changed or dropped (`delegation item …`). On a
/// confirmed visit (or one under way) the people whose sessions change are mailed what changed,
/// with `--reason`.
extension CLI {
    static var delegationItem: CLICommand {
        Command(
            name: "item",
            abstract: "Add, move, change or drop one session of a visit's itinerary.",
            usage: "delegation item add|move|update|remove",
            subcommands: [itemAdd, itemMove, itemUpdate, itemRemove]
        )
    }

    static let itemArguments = [
        ("ID", "The delegation's id or reference."),
        ("ITEM", "The session: its number in 'delegation show', its id (it-…), or its title."),
    ]

    /// A session's details as flags (times apart).
    static let itemFields: [FieldFlag] = [
        FieldFlag(flag: "--title", key: "title", help: "What it is."),
        FieldFlag(flag: "--venue", key: "venue", help: "Where (a room, a building)."),
        FieldFlag(flag: "--kind", key: "kind", help: "What kind of session.", oneOf: ItemKind.self),
        FieldFlag(flag: "--hosts", key: "hosts", help: "Host emails, comma-separated.", shape: .list),
        FieldFlag(
            flag: "--attendees",
            key: "attendees",
            help: "Members (emails or names), comma-separated; all for the whole delegation.",
            shape: .list
        ),
        FieldFlag(flag: "--notes", key: "notes", help: "A note printed with it."),
    ]

    /// The session fields the flags give (an empty value clears a field; `--attendees all` is
    /// the whole delegation).
    static func itemFieldsGiven(_ args: ParsedArgs) -> JSONObject {
        var o = fields(args, itemFields)
        if let a = args.value("--attendees"), a.trimmingCharacters(in: .whitespaces).lowercased() == "all" {
            o["attendees"] = []
        }
        if o["hosts"] == .null { o["hosts"] = [] }
        if o["attendees"] == .null { o["attendees"] = [] }
        return o
    }

    /// A local time as `--at`/`--until` take it: `2026-03-12T09:00`, or `09:00` on `day`.
    package static func localTime(_ flag: String, _ text: String, day: String?) throws -> LocalDateTime {
        var why = ""
        let full =
            text.count <= 5 && text.contains(":") ? day.map { "\($0)T\(text.count == 4 ? "0" + text : text)" } : text
        guard let full, let t = LocalDateTime.parse(full, why: &why) else {
            throw UsageError(
                "\(flag): expected a local time like "
                    + "2026-03-12T09:00\(day == nil ? "" : " (or 09:00 on the same day)"), not \(text)"
            )
        }
        return t
    }

    static var itemAdd: CLICommand {
        Command(
            name: "add",
            abstract: "Add a session.",
            usage:
                "delegation item add ID --title T --at 2026-03-12T14:00 (--until 15:30 | --for 90m) [--venue V] "
                + "[--kind K] [--attendees …]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                OptionSpec(["--at"], value: "TIME", "When it starts, in the visit's zone: 2026-03-12T14:00."),
                OptionSpec(["--until"], value: "TIME", "When it ends: 15:30 (that day) or a full time."),
                OptionSpec(["--for"], value: "SPAN", "Or how long: 90m, 2h."),
            ] + itemFields.map(\.option) + writeOptions
        ) { args, ctx in
            guard let title = args.value("--title"), !title.isEmpty else { throw UsageError("missing --title") }
            guard let at = args.value("--at") else { throw UsageError("missing --at TIME (when it starts)") }
            let start = try localTime("--at", at, day: nil)
            guard let end = try itemEnd(args, start: start) else {
                throw UsageError("give --until TIME or --for SPAN (when it ends)")
            }
            var o = itemFieldsGiven(args)
            o["starts_at"] = .string(start.description)
            o["ends_at"] = .string(end.description)
            let item = try input(ItineraryItem.self, JSONObject(o.members.filter { $0.value != .null }), "the session")
            return try edited(ctx, DelegationsAPI.addItem, PartEdit(try visit(args), part: item))
        }
    }

    /// The end `--until` or `--for` gives, after `start`; nil when neither is given.
    static func itemEnd(_ args: ParsedArgs, start: LocalDateTime) throws -> LocalDateTime? {
        if let u = args.value("--until") { return try localTime("--until", u, day: start.date) }
        guard let f = args.value("--for") else { return nil }
        guard let m = shiftMinutes(f), m > 0 else {
            throw UsageError("--for: expected a length like 90m, 2h or 1h30m, not \(f)")
        }
        return start.adding(minutes: m)
    }

    static var itemMove: CLICommand {
        Command(
            name: "move",
            abstract: "Move a session: to another time (its length kept unless --until), or along by a span.",
            usage: "delegation item move ID ITEM (--at TIME [--until TIME] | --shift 30m) [--venue V] [--reason TEXT]",
            arguments: itemArguments,
            options: [
                OptionSpec(["--at"], value: "TIME", "The new start: 14:00 (the same day) or 2026-03-13T14:00."),
                OptionSpec(["--until"], value: "TIME", "The new end (default: its length kept)."),
                OptionSpec(["--shift"], value: "SPAN", "Or move it along: 30m, -1h, 1d."),
                OptionSpec(["--venue"], value: "VENUE", "A new place too."),
            ] + writeOptions
        ) { args, ctx in
            guard (args.value("--at") == nil) != (args.value("--shift") == nil) else {
                throw UsageError("give --at TIME or --shift SPAN")
            }
            var shift: Int?
            if let s = args.value("--shift") {
                guard let m = shiftMinutes(s) else {
                    throw UsageError("--shift: expected a span like 30m, -1h or 1d, not \(s)")
                }
                shift = m
            }
            var p = ItemMove(
                try visit(args),
                which: try args.positional(1, "ITEM"),
                at: args.value("--at"),
                until: args.value("--until"),
                shiftMinutes: shift
            )
            p.venue = args.value("--venue")
            return try edited(ctx, DelegationsAPI.moveItem, p)
        }
    }

    static var itemUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change a session's title, place, kind, hosts, attendees or notes (move changes its time).",
            usage:
                "delegation item update ID ITEM [--title T] [--venue V] [--kind K] [--hosts A,B] [--attendees "
                + "A,B|all] [--notes N]",
            arguments: itemArguments,
            options: itemFields.map(\.option) + writeOptions
        ) { args, ctx in
            let changes = itemFieldsGiven(args)
            guard changes.count > 0 else { throw UsageError("nothing to change: give a flag (see --help)") }
            let p = PartEdit<ItineraryItem>(try visit(args), which: try args.positional(1, "ITEM"), changes: changes)
            return try edited(ctx, DelegationsAPI.updateItem, p)
        }
    }

    static var itemRemove: CLICommand {
        Command(
            name: "remove",
            abstract: "Drop a session (a confirmed visit cancels it in the calendars of those expected at it).",
            usage: "delegation item remove ID ITEM [--reason TEXT]",
            arguments: itemArguments,
            options: writeOptions
        ) { args, ctx in
            try edited(
                ctx,
                DelegationsAPI.removeItem,
                PartEdit<ItineraryItem>(try visit(args), which: try args.positional(1, "ITEM"))
            )
        }
    }
}
