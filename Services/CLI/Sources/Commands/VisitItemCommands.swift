import Foundation
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// One session of a visit added, moved, changed or dropped (`delegation item …`). A confirmed
/// visit (or one under way) is rescheduled: the people whose sessions change are mailed what
/// changed, with `--reason`.
extension CLI {
    static let itemArguments = [
        ("ID", "The delegation's id or reference."),
        ("ITEM", "The session: its number in 'delegation show', its id (it-…), or its title."),
    ]

    /// A session's details as flags (times apart).
    static let itemFields: [(flag: String, key: String, help: String)] = [
        ("--title", "title", "What it is."), ("--venue", "venue", "Where (a room, a building)."),
        ("--kind", "kind", "meeting, tour, meal, ceremony, lecture, visit, transfer, signing, free, other."),
        ("--hosts", "hosts", "Host emails, comma-separated."),
        ("--attendees", "attendees", "Members (emails or names), comma-separated; all for the whole delegation."),
        ("--notes", "notes", "A note printed with it."),
    ]

    static var itemDetailOptions: [OptionSpec] { itemFields.map { OptionSpec([$0.flag], value: "VALUE", $0.help) } }

    /// The session with the detail flags given set (an empty value clears a field).
    static func item(_ args: ParsedArgs, over base: JSONValue) -> JSONValue {
        var o = base.objectValue ?? [:]
        for f in itemFields {
            guard let v = args.value(f.flag) else { continue }
            switch f.key {
            case "hosts": o[f.key] = list(v)
            case "attendees": o[f.key] = v.trimmingCharacters(in: .whitespaces).lowercased() == "all" ? [] : list(v)
            default: o[f.key] = v.isEmpty ? JSONValue?.none : .string(v)
            }
        }
        return .object(o)
    }

    /// A local time as `--at`/`--until` take it: `2026-03-12T09:00`, or `09:00` on `day`.
    package static func localTime(_ flag: String, _ text: String, day: String?) throws -> LocalDateTime {
        var why = ""
        let full = text.count <= 5 && text.contains(":") ? day.map { "\($0)T\(text.count == 4 ? "0" + text : text)" } : text
        guard let full, let t = LocalDateTime.parse(full, why: &why) else {
            throw UsageError(
                "\(flag): expected a local time like 2026-03-12T09:00\(day == nil ? "" : " (or 09:00 on the same day)"), not \(text)")
        }
        return t
    }

    static var itemAdd: CLICommand {
        Command(
            name: "add", abstract: "Add a session.",
            usage:
                "delegation item add ID --title T --at 2026-03-12T14:00 (--until 15:30 | --for 90m) [--venue V] [--kind K] [--attendees …]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                OptionSpec(["--at"], value: "TIME", "When it starts, in the visit's zone: 2026-03-12T14:00."),
                OptionSpec(["--until"], value: "TIME", "When it ends: 15:30 (that day) or a full time."),
                OptionSpec(["--for"], value: "SPAN", "Or how long: 90m, 2h."),
            ] + itemDetailOptions + writeOptions
        ) { args, ctx in
            guard let title = args.value("--title"), !title.isEmpty else { throw UsageError("missing --title") }
            guard let at = args.value("--at") else { throw UsageError("missing --at TIME (when it starts)") }
            let start = try localTime("--at", at, day: nil)
            guard let end = try itemEnd(args, start: start) else { throw UsageError("give --until TIME or --for SPAN (when it ends)") }
            var v = try VisitEdit(ctx, args)
            let added = item(args, over: ["starts_at": .string(start.description), "ends_at": .string(end.description)])
            v.itinerary.append(added)
            return try v.save(ctx, args, items: true, "added “\(title)” " + VisitEdit.span(start.description, end.description))
        }
    }

    /// The end `--until` or `--for` gives, after `start`; nil when neither is given.
    static func itemEnd(_ args: ParsedArgs, start: LocalDateTime) throws -> LocalDateTime? {
        if let u = args.value("--until") { return try localTime("--until", u, day: start.date) }
        guard let f = args.value("--for") else { return nil }
        guard let m = shiftMinutes(f), m > 0 else { throw UsageError("--for: expected a length like 90m, 2h or 1h30m, not \(f)") }
        return start.adding(minutes: m)
    }

    static var itemMove: CLICommand {
        Command(
            name: "move", abstract: "Move a session: to another time (its length kept unless --until), or along by a span.",
            usage: "delegation item move ID ITEM (--at TIME [--until TIME] | --shift 30m) [--venue V] [--reason TEXT]",
            arguments: itemArguments,
            options: [
                OptionSpec(["--at"], value: "TIME", "The new start: 14:00 (the same day) or 2026-03-13T14:00."),
                OptionSpec(["--until"], value: "TIME", "The new end (default: its length kept)."),
                OptionSpec(["--shift"], value: "SPAN", "Or move it along: 30m, -1h, 1d."),
                OptionSpec(["--venue"], value: "VENUE", "A new place too."),
            ] + writeOptions
        ) { args, ctx in
            guard (args.value("--at") == nil) != (args.value("--shift") == nil) else { throw UsageError("give --at TIME or --shift SPAN") }
            var v = try VisitEdit(ctx, args)
            let i = try v.itemIndex(try args.positional(1, "ITEM"))
            let old = try JSONDecoding.decode(ItineraryItem.self, from: v.itinerary[i])
            let utc = TimeZone(identifier: "UTC")!
            let length = Int(old.endsAt.epochSeconds(in: utc) - old.startsAt.epochSeconds(in: utc)) / 60
            var start = old.startsAt, end = old.endsAt
            if let s = args.value("--shift") {
                guard let m = shiftMinutes(s) else { throw UsageError("--shift: expected a span like 30m, -1h or 1d, not \(s)") }
                (start, end) = (start.adding(minutes: m), end.adding(minutes: m))
            } else if let at = args.value("--at") {
                start = try localTime("--at", at, day: old.startsAt.date)
                end = try args.value("--until").map { try localTime("--until", $0, day: start.date) } ?? start.adding(minutes: length)
            }
            var moved = v.itinerary[i].setting("starts_at", .string(start.description)).setting("ends_at", .string(end.description))
            if let venue = args.value("--venue") { moved = moved.setting("venue", venue.isEmpty ? JSONValue?.none : .string(venue)) }
            let was = v.describe(i)
            v.itinerary[i] = moved
            return try v.save(ctx, args, items: true, "moved \(was) to " + VisitEdit.span(start.description, end.description))
        }
    }

    static var itemUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change a session's title, place, kind, hosts, attendees or notes (move changes its time).",
            usage: "delegation item update ID ITEM [--title T] [--venue V] [--kind K] [--hosts A,B] [--attendees A,B|all] [--notes N]",
            arguments: itemArguments, options: itemDetailOptions + writeOptions
        ) { args, ctx in
            guard itemFields.contains(where: { args.value($0.flag) != nil }) else {
                throw UsageError("nothing to change: give a flag (see --help)")
            }
            var v = try VisitEdit(ctx, args)
            let i = try v.itemIndex(try args.positional(1, "ITEM"))
            let was = v.describe(i)
            v.itinerary[i] = item(args, over: v.itinerary[i])
            return try v.save(ctx, args, items: true, "changed \(was)")
        }
    }

    static var itemRemove: CLICommand {
        Command(
            name: "remove", abstract: "Drop a session (a confirmed visit cancels it in the calendars of those expected at it).",
            usage: "delegation item remove ID ITEM [--reason TEXT]", arguments: itemArguments, options: writeOptions
        ) { args, ctx in
            var v = try VisitEdit(ctx, args)
            let i = try v.itemIndex(try args.positional(1, "ITEM"))
            let was = v.describe(i)
            v.itinerary.remove(at: i)
            return try v.save(ctx, args, items: true, "dropped \(was)")
        }
    }
}
