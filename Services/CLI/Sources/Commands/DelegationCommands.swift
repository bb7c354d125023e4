import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var delegationCommand: CLICommand {
        Command(
            name: "delegation",
            abstract: "Create, list, show and move delegations through their lifecycle.",
            usage: "delegation <subcommand>",
            subcommands: [
                delegationCreate, delegationList, delegationShow, delegationUpdate, delegationMember, delegationHost,
                delegationGroup,
                delegationItem, delegationCheck, delegationHistory, delegationProgramme,
                delegationAttendance,
                transition(DelegationsAPI.confirm, "proposed → confirmed (refused while the itinerary has clashes)."),
                delegationReschedule,
                transition(DelegationsAPI.postpone, "Postpone a visit that has not started.", reason: .optional),
                transition(DelegationsAPI.cancel, "Cancel a visit that has not started.", reason: .required),
                transition(
                    DelegationsAPI.start,
                    "confirmed → in_progress (from the visit's first day; --force --reason before).",
                    force: true
                ),
                transition(
                    DelegationsAPI.complete,
                    "in_progress → completed (once it began; --force --reason before).",
                    outcome: true,
                    force: true
                ),
            ]
        )
    }

    static let versionOption = OptionSpec(
        ["--expect-version"],
        value: "N",
        "The record version you read: a change made since is refused (default: the one stored)."
    )

    /// `--expect-version`, when given.
    static func expectedVersion(_ args: ParsedArgs) throws -> Int? {
        args.value("--expect-version") == nil
            ? nil : try args.int("--expect-version", default: 1, in: 1...Int(Int32.max))
    }

    static func transition(
        _ method: Method<DelegationTransition, SavedDelegation>,
        _ abstract: String,
        reason: ReasonUse = .none,
        outcome: Bool = false,
        force: Bool = false
    ) -> CLICommand {
        let name = String(method.name.split(separator: ".").last ?? "")
        var options = [versionOption]
        if reason != .none {
            options.append(OptionSpec(["--reason"], value: "TEXT", reason == .required ? "Why (required)." : "Why."))
        }
        if outcome { options.append(OptionSpec(["--outcome"], value: "TEXT", "What came of the visit (required).")) }
        if force {
            options.append(
                OptionSpec(["--force"], "Against the visit's dates: an exception, kept in the history with --reason.")
            )
            options.append(OptionSpec(["--reason"], value: "TEXT", "Why the dates are overridden (with --force)."))
        }
        var usage = "delegation \(name) ID [--expect-version N]"
        if reason == .required { usage += " --reason TEXT" } else if reason == .optional { usage += " [--reason TEXT]" }
        if outcome { usage += " --outcome TEXT" }
        if force { usage += " [--force --reason TEXT]" }
        return Command(
            name: name,
            abstract: abstract,
            usage: usage + " [--json]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: options
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            if reason == .required && args.value("--reason") == nil { throw UsageError("\(name) needs --reason TEXT") }
            if outcome && args.value("--outcome") == nil { throw UsageError("\(name) needs --outcome TEXT") }
            if args.has("--force") && args.value("--reason") == nil {
                throw UsageError("--force needs --reason TEXT (kept in the history)")
            }
            let p = DelegationTransition(
                id: id,
                expectedVersion: try expectedVersion(args),
                reason: args.value("--reason"),
                outcome: args.value("--outcome"),
                force: args.has("--force") ? true : nil
            )
            let s = try ctx.call(method, p)
            if ctx.json { ctx.printJSON(s); return ExitCode.ok }
            ctx.print("\(s.delegation.ref): \(s.delegation.status.rawValue) (version \(s.delegation.version))")
            return ExitCode.ok
        }
    }

    static var delegationReschedule: CLICommand {
        Command(
            name: "reschedule",
            abstract:
                "Move a visit: new window and/or itinerary (a confirmed visit must stay clash-free; one under way "
                + "keeps its start).",
            usage:
                "delegation reschedule ID [--shift 3d|-2h|90m | --to DATE | --starts-at T --ends-at T] [--time-zone "
                + "TZ] [-f SCHEDULE.json] [--reason TEXT] [--expect-version N]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                versionOption, OptionSpec(["--starts-at"], value: "T", "New start, local time (2026-03-12T09:00)."),
                OptionSpec(["--ends-at"], value: "T", "New end."),
                OptionSpec(["--time-zone"], value: "TZ", "New IANA time zone."),
                OptionSpec(
                    ["-f", "--file"],
                    value: "FILE",
                    "JSON with any of starts_at, ends_at, time_zone, itinerary."
                ),
                OptionSpec(["--reason"], value: "TEXT", "Why (the update mails give it)."),
                OptionSpec(
                    ["--shift"],
                    value: "SPAN",
                    "Move the window and every item: 3d, -2d, 2h, 90m, 1d2h (times kept in the visit's zone)."
                ),
                OptionSpec(["--to"], value: "DATE", "Move the window and every item so the visit begins on DATE."),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            var o: JSONObject = [:]
            if args.value("-f") != nil {
                let file = try readJSONFile(args.value("-f"))
                for k in ["starts_at", "ends_at", "time_zone", "itinerary", "reason"] {
                    if let v = file[k] { o[k] = v }
                }
            }
            if let s = args.value("--shift") {
                guard let m = shiftMinutes(s) else {
                    throw UsageError("--shift: expected a span like 3d, -2d, 2h, 90m or 1d2h, not \(s)")
                }
                o["shift_minutes"] = .int(Int64(m))
            }
            for (flag, key) in [
                ("--starts-at", "starts_at"), ("--ends-at", "ends_at"), ("--time-zone", "time_zone"),
                ("--reason", "reason"), ("--to", "to"),
            ] {
                if let v = args.value(flag) { o[key] = .string(v) }
            }
            guard
                o.keys.contains(where: {
                    ["starts_at", "ends_at", "time_zone", "itinerary", "shift_minutes", "to"].contains($0)
                })
            else {
                throw UsageError(
                    "give --shift, --to, --starts-at, --ends-at, --time-zone or -f FILE with the new schedule"
                )
            }
            o["id"] = .string(id)
            if let v = try expectedVersion(args) { o["expected_version"] = .int(Int64(v)) }
            let s = try ctx.call(DelegationsAPI.reschedule, try input(DelegationReschedule.self, o, "the new schedule"))
            if ctx.json { ctx.printJSON(s); return ExitCode.ok }
            let d = s.delegation
            ctx.print(
                "\(d.ref): \(d.status.rawValue), \(d.draft.startsAt) – \(d.draft.endsAt) (\(d.draft.timeZone)), "
                    + "schedule version \(d.scheduleVersion)"
            )
            printFindings(ctx, s.found)
            return ExitCode.ok
        }
    }

    /// Minutes in a span like `3d`, `-2h`, `90m`, `1d2h30m`; nil when it is not one.
    package static func shiftMinutes(_ s: String) -> Int? {
        var text = Substring(s)
        let sign = text.first == "-" ? -1 : 1
        if text.first == "-" || text.first == "+" { text = text.dropFirst() }
        var total = 0, number = "", units = 0
        for ch in text {
            if ch.isASCII && ch.isNumber {
                number.append(ch)
                continue
            }
            guard let n = Int(number), n <= 100_000, let unit = ["d": 1440, "h": 60, "m": 1][String(ch)] else {
                return nil
            }
            total += n * unit
            number = ""
            units += 1
        }
        guard number.isEmpty, units > 0, total <= 5_256_000 else { return nil }
        return sign * total
    }
}
