import Foundation
import LiaisonModels
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var delegationCommand: CLICommand {
        Command(
            name: "delegation", abstract: "Create, list, show and move delegations through their lifecycle.",
            usage: "delegation <subcommand>",
            subcommands: [
                delegationCreate, delegationList, delegationShow, delegationUpdate, delegationMember, delegationHost, delegationGroup,
                delegationItem,
                delegationCheck, delegationHistory,
                transition("confirm", "proposed → confirmed (refused while the itinerary has clashes)."),
                delegationReschedule,
                transition("postpone", "Postpone a visit that has not started.", reason: .optional),
                transition("cancel", "Cancel a visit that has not started.", reason: .required),
                transition("start", "confirmed → in_progress (from the visit's first day; --force --reason before).", force: true),
                transition("complete", "in_progress → completed (once it began; --force --reason before).", outcome: true, force: true),
            ])
    }

    static let versionOption = OptionSpec(
        ["--expect-version"], value: "N", "The record version you expect (default: the current one, read first).")

    /// Reads a JSON file (`-` for stdin) as an object.
    static func readJSONFile(_ path: String?) throws -> JSONValue {
        guard let path else { throw UsageError("missing -f FILE (a JSON file, or - for stdin)") }
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: path) else { throw CLIError(ExitCode.dataError, "cannot read \(path)") }
            data = d
        }
        do {
            let v = try JSONParser.parse([UInt8](data))
            guard case .object = v else { throw CLIError(ExitCode.dataError, "\(path) must hold a JSON object, not \(v.typeName)") }
            return v
        } catch let e as JSONParseError {
            throw CLIError(ExitCode.dataError, "\(path) is not valid JSON: \(e)")
        }
    }

    /// Prints what the itinerary checker found (in a write's or a check's answer).
    static func printFindings(_ ctx: CLIContext, _ answer: JSONValue) {
        let findings = answer["findings"]?.arrayValue ?? []
        let total = Int(answer["findings_total"]?.intValue ?? Int64(findings.count))
        guard total > 0 else { return }
        let blocking = Int(answer["findings_blocking"]?.intValue ?? Int64(total))
        let warnings = total - blocking
        var head: [String] = []
        if blocking > 0 { head.append("\(blocking) clash\(blocking == 1 ? "" : "es") (confirm is refused until they are fixed)") }
        if warnings > 0 { head.append("\(warnings) warning\(warnings == 1 ? "" : "s") (proposed visits wanting the same room or host)") }
        ctx.print("Itinerary check: " + head.joined(separator: "; ") + ":")
        for f in findings {
            ctx.print("  \(f["severity"] == "warning" ? "!" : "✗") [\(f["kind"]?.stringValue ?? "")] \(f["message"]?.stringValue ?? "")")
        }
        if case .object(let omitted)? = answer["findings_omitted"] {
            let counts = omitted.members.map { "\($0.value.intValue ?? 0) \($0.key)" }.joined(separator: ", ")
            ctx.print("  … and \(total - findings.count) more not listed (\(counts))")
        }
    }

    static var delegationCreate: CLICommand {
        Command(
            name: "create",
            abstract: "Create a delegation from flags (then add people and sessions with member and item), or from a JSON file.",
            usage:
                "delegation create (--title T --partner ID… (--starts-at T --ends-at T | --date 2024-10) [--direction outbound] "
                + "[--purpose P] [--topics A,B] | -f FILE) [--json]",
            options: [
                OptionSpec(["-f", "--file"], value: "FILE", "The delegation as JSON, as in PROTOCOL.md ('-' for stdin); flags go over it.")
            ]
                + (delegationFlags + createFlags).map { OptionSpec([$0.flag], value: "VALUE", $0.help) }
        ) { args, ctx in
            var draft = try changes(args, delegationFlags + createFlags)
            if args.value("-f") == nil {
                guard draft["title"] != nil, draft["partners"] != nil else {
                    throw UsageError(
                        "give --title and --partner (or -f FILE)",
                        hint: "find a partner's id with 'liaison partner list', or register it: partner create")
                }
                draft["direction"] = draft["direction"] ?? "inbound"
            }
            let d = try ctx.call("delegations", "delegations.create", .object(draft))
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            let verb = d["created"] == false ? "Already stored (same external_key)" : "Created"
            ctx.print(
                "\(verb): \(d["ref"]?.stringValue ?? "") \(d["id"]?.stringValue ?? "") — \(d["status"]?.stringValue ?? ""), version "
                    + "\(d["version"]?.intValue ?? 0)"
            )
            printFindings(ctx, d)
            return ExitCode.ok
        }
    }

    static var delegationList: CLICommand {
        Command(
            name: "list", abstract: "List delegations as a table (ref, partner, country, dates, status).",
            usage:
                "delegation list [--status S] [--country CC] [--continent C] [--region R] [--kind K] [--direction D] [--from DATE] [--to "
                + "DATE] [--text WORDS] [--limit N] [--all]",
            options: [
                OptionSpec(["--status"], value: "S", "proposed, confirmed, in_progress, completed, cancelled, postponed."),
                OptionSpec(["--country"], value: "CC", "ISO 3166-1 alpha-2, e.g. TH."),
                OptionSpec(["--continent"], value: "C", "Africa, Asia, Europe, North America, South America, Oceania."),
                OptionSpec(["--region"], value: "R", "e.g. 'Central Asia', 'Middle East'."),
                OptionSpec(["--kind"], value: "K", "Partner kind: university, government, school, enterprise, ngo, other."),
                OptionSpec(["--direction"], value: "D", "inbound or outbound."),
                OptionSpec(["--from"], value: "DATE", "Visits ending on or after this date (YYYY-MM-DD)."),
                OptionSpec(["--to"], value: "DATE", "Visits starting on or before this date."),
                OptionSpec(["--text"], value: "WORDS", "Words in titles, partners, purposes, topics, names (any script)."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 50)."),
                OptionSpec(["--all"], "Fetch every page."),
            ]
        ) { args, ctx in
            var params = JSONObject()
            for (flag, key) in [
                ("--status", "status"), ("--country", "country"), ("--continent", "continent"), ("--region", "region"), ("--kind", "kind"),
                ("--direction", "direction"), ("--from", "from"), ("--to", "to"), ("--text", "text"),
            ] {
                if let v = args.value(flag) { params[key] = .string(v) }
            }
            params["limit"] = .int(Int64(try args.int("--limit", default: 50, in: 1...500)))
            let (items, _, next) = try ctx.list("delegations", "delegations.list", params, all: args.has("--all"))
            if ctx.json {
                ctx.printJSONList(items, next: next)
                return ExitCode.ok
            }
            var t = Table(["REF", "PARTNER", "COUNTRY", "DATES", "STATUS", "TITLE"])
            for d in items {
                let partners = d["partners"]?.arrayValue ?? []
                let p = partners.first { $0["lead"] == true } ?? partners.first
                var partner = p?["name"]?.stringValue ?? ""
                if let local = p?["name_local"]?.stringValue { partner += " (\(local))" }
                if partners.count > 1 { partner += " +\(partners.count - 1)" }
                let s = d["starts_at"]?.stringValue ?? "", e = d["ends_at"]?.stringValue ?? ""
                let dates =
                    d["date"] != nil
                    ? d["when"]?.stringValue ?? ""
                    : s.prefix(10) == e.prefix(10) ? String(s.prefix(10)) : "\(s.prefix(10)) – \(e.prefix(10))"
                t.add([
                    d["ref"]?.stringValue ?? "", partner, "\(p?["country"]?.stringValue ?? "") \(d["country_name"]?.stringValue ?? "")",
                    dates,
                    d["status"]?.stringValue ?? "", d["title"]?.stringValue ?? "",
                ])
            }
            ctx.print(t.render())
            if let next { ctx.print("(more: --all, or --limit; next cursor \(next))") }
            if items.isEmpty { ctx.print("(no delegations match)") }
            return ExitCode.ok
        }
    }

    static var delegationShow: CLICommand {
        Command(
            name: "show", abstract: "Show a delegation and its itinerary day by day in the visit's time zone.",
            usage: "delegation show ID [--json]", arguments: [("ID", "The delegation's id or reference (DEL-2026-0001).")]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            let d = try ctx.call("delegations", "delegations.get", ["id": .string(id)])
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print(ItineraryText.render(d))
            return ExitCode.ok
        }
    }

    static var delegationCheck: CLICommand {
        Command(
            name: "check",
            abstract: "Run the itinerary checker on a delegation file (or a stored ID) without saving; exit 1 when it finds clashes.",
            usage: "delegation check (-f FILE | ID) [--json]", arguments: [("ID", "A stored delegation instead of a file.")],
            options: [OptionSpec(["-f", "--file"], value: "FILE", "The delegation as JSON ('-' for stdin).")]
        ) { args, ctx in
            let params: JSONValue =
                args.value("-f") != nil ? try readJSONFile(args.value("-f")) : ["id": .string(try args.positional(0, "ID or -f FILE"))]
            let r = try ctx.call("delegations", "delegations.check", params)
            if ctx.json {
                ctx.printJSON(r)
            } else if r["findings_total"] == 0 {
                ctx.print("No clashes.")
            } else {
                printFindings(ctx, r)
            }
            return r["ok"] == true ? ExitCode.ok : ExitCode.failure
        }
    }

    static var delegationHistory: CLICommand {
        Command(
            name: "history", abstract: "The audit trail: every change, when, by which uid, what changed.",
            usage: "delegation history ID [--json]", arguments: [("ID", "The delegation's id or reference.")]
        ) { args, ctx in
            let h = try ctx.call("delegations", "delegations.history", ["id": .string(try args.positional(0, "ID"))])
            if ctx.json { ctx.printJSON(h); return ExitCode.ok }
            for e in h["items"]?.arrayValue ?? [] {
                let changes = e["changes"]?.objectValue
                let fields = e["action"] == "create" ? "created" : (changes?.keys.joined(separator: ", ") ?? "")
                ctx.print(
                    "v\(e["version"]?.intValue ?? 0)  \(e["at"]?.stringValue ?? "")  uid \(e["uid"]?.intValue ?? 0)  "
                        + "\(e["action"]?.stringValue ?? "")  \(fields)"
                )
                if e["action"] != "create", let changes {
                    for m in changes.members
                    where ["status", "starts_at", "ends_at", "time_zone", "cancel_reason", "outcome", "postponed_reason", "title"].contains(
                        m.key)
                    {
                        ctx.print("      \(m.key): \(short(m.value["from"])) → \(short(m.value["to"]))")
                    }
                }
            }
            return ExitCode.ok
        }
    }

    static func short(_ v: JSONValue?) -> String {
        guard let v else { return "—" }
        if case .string(let s) = v { return s }
        let text = JSONWriter.string(v)
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }

    enum ReasonUse { case none, optional, required }

    /// The current version unless --expect-version says which.
    static func expectedVersion(_ args: ParsedArgs, _ ctx: CLIContext, id: String) throws -> Int64 {
        if args.value("--expect-version") != nil { return Int64(try args.int("--expect-version", default: 1, in: 1...Int(Int32.max))) }
        return try ctx.call("delegations", "delegations.get", ["id": .string(id)])["version"]?.intValue ?? 1
    }

    static func transition(
        _ name: String, _ abstract: String, reason: ReasonUse = .none, outcome: Bool = false, force: Bool = false
    ) -> CLICommand {
        var options = [versionOption]
        if reason != .none { options.append(OptionSpec(["--reason"], value: "TEXT", reason == .required ? "Why (required)." : "Why.")) }
        if outcome { options.append(OptionSpec(["--outcome"], value: "TEXT", "What came of the visit (required).")) }
        if force {
            options.append(OptionSpec(["--force"], "Against the visit's dates: an exception, kept in the history with --reason."))
            options.append(OptionSpec(["--reason"], value: "TEXT", "Why the dates are overridden (with --force)."))
        }
        var usage = "delegation \(name) ID [--expect-version N]"
        if reason == .required { usage += " --reason TEXT" } else if reason == .optional { usage += " [--reason TEXT]" }
        if outcome { usage += " --outcome TEXT" }
        if force { usage += " [--force --reason TEXT]" }
        return Command(
            name: name, abstract: abstract, usage: usage + " [--json]", arguments: [("ID", "The delegation's id or reference.")],
            options: options
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            if reason == .required && args.value("--reason") == nil { throw UsageError("\(name) needs --reason TEXT") }
            if outcome && args.value("--outcome") == nil { throw UsageError("\(name) needs --outcome TEXT") }
            if args.has("--force") && args.value("--reason") == nil {
                throw UsageError("--force needs --reason TEXT (kept in the history)")
            }
            var params: JSONObject = ["id": .string(id), "expected_version": .int(try expectedVersion(args, ctx, id: id))]
            if let r = args.value("--reason") { params["reason"] = .string(r) }
            if let o = args.value("--outcome") { params["outcome"] = .string(o) }
            if args.has("--force") { params["force"] = true }
            let d = try ctx.call("delegations", "delegations.\(name)", .object(params))
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print("\(d["ref"]?.stringValue ?? id): \(d["status"]?.stringValue ?? "") (version \(d["version"]?.intValue ?? 0))")
            return ExitCode.ok
        }
    }

    static var delegationReschedule: CLICommand {
        Command(
            name: "reschedule",
            abstract: "Move a visit: new window and/or itinerary (a confirmed visit must stay clash-free; one under way keeps its start).",
            usage:
                "delegation reschedule ID [--shift 3d|-2h|90m | --to DATE | --starts-at T --ends-at T] [--time-zone TZ] "
                + "[-f SCHEDULE.json] [--reason TEXT] [--expect-version N]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                versionOption, OptionSpec(["--starts-at"], value: "T", "New start, local time (2026-03-12T09:00)."),
                OptionSpec(["--ends-at"], value: "T", "New end."), OptionSpec(["--time-zone"], value: "TZ", "New IANA time zone."),
                OptionSpec(["-f", "--file"], value: "FILE", "JSON with any of starts_at, ends_at, time_zone, itinerary."),
                OptionSpec(["--reason"], value: "TEXT", "Why (the update mails give it)."),
                OptionSpec(
                    ["--shift"], value: "SPAN", "Move the window and every item: 3d, -2d, 2h, 90m, 1d2h (times kept in the visit's zone)."),
                OptionSpec(["--to"], value: "DATE", "Move the window and every item so the visit begins on DATE."),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            var params: JSONObject = [:]
            if let s = args.value("--shift") {
                guard let m = shiftMinutes(s) else { throw UsageError("--shift: expected a span like 3d, -2d, 2h, 90m or 1d2h, not \(s)") }
                params["shift_minutes"] = .int(Int64(m))
            }
            if let to = args.value("--to") { params["to"] = .string(to) }
            if args.value("-f") != nil, case .object(let o) = try readJSONFile(args.value("-f")) {
                for k in ["starts_at", "ends_at", "time_zone", "itinerary", "reason"] { if let v = o[k] { params[k] = v } }
            }
            for (flag, key) in [
                ("--starts-at", "starts_at"), ("--ends-at", "ends_at"), ("--time-zone", "time_zone"), ("--reason", "reason"),
            ] {
                if let v = args.value(flag) { params[key] = .string(v) }
            }
            guard params.keys.contains(where: { ["starts_at", "ends_at", "time_zone", "itinerary", "shift_minutes", "to"].contains($0) })
            else {
                throw UsageError("give --shift, --to, --starts-at, --ends-at, --time-zone or -f FILE with the new schedule")
            }
            params["id"] = .string(id)
            params["expected_version"] = .int(try expectedVersion(args, ctx, id: id))
            let d = try ctx.call("delegations", "delegations.reschedule", .object(params))
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print(
                "\(d["ref"]?.stringValue ?? id): \(d["status"]?.stringValue ?? ""), \(d["starts_at"]?.stringValue ?? "") – "
                    + "\(d["ends_at"]?.stringValue ?? "") (\(d["time_zone"]?.stringValue ?? "")), schedule version "
                    + "\(d["schedule_version"]?.intValue ?? 0)"
            )
            printFindings(ctx, d)
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
            guard let n = Int(number), n <= 100_000, let unit = ["d": 1440, "h": 60, "m": 1][String(ch)] else { return nil }
            total += n * unit
            number = ""
            units += 1
        }
        guard number.isEmpty, units > 0, total <= 5_256_000 else { return nil }
        return sign * total
    }
}
