import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

/// How a visit is shown: what was saved, what the checker found, its dates and its history.
extension CLI {
    /// Prints what the itinerary checker found (in a write's or a check's answer).
    static func printFindings(_ ctx: CLIContext, _ found: CheckFindings) {
        let total = found.total
        guard total > 0 else { return }
        let blocking = found.blocking, warnings = total - blocking
        var head: [String] = []
        if blocking > 0 {
            head.append("\(blocking) clash\(blocking == 1 ? "" : "es") (confirm is refused until they are fixed)")
        }
        if warnings > 0 {
            head.append(
                "\(warnings) warning\(warnings == 1 ? "" : "s") (proposed visits wanting the same room or host)"
            )
        }
        ctx.print("Itinerary check: " + head.joined(separator: "; ") + ":")
        for f in found.findings { ctx.print("  \(f.severity == "warning" ? "!" : "✗") [\(f.kind)] \(f.message)") }
        if !found.omitted.isEmpty {
            let counts = found.omitted.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(
                separator: ", "
            )
            ctx.print("  … and \(total - found.findings.count) more not listed (\(counts))")
        }
    }

    /// "DEL-2026-0001: confirmed (version 3)", then the findings.
    static func printSaved(_ ctx: CLIContext, _ s: SavedDelegation, _ what: String? = nil) {
        let d = s.delegation
        ctx.print("\(d.ref): \(what.map { "\($0) " } ?? "")(\(d.status.rawValue), version \(d.version))")
        printFindings(ctx, s.found)
    }

    static var delegationCreate: CLICommand {
        Command(
            name: "create",
            abstract:
                "Create a delegation from flags (then add people and sessions with member and item), or from a JSON "
                + "file.",
            usage:
                "delegation create (--title T --partner ID… (--starts-at T --ends-at T | --date 2024-10) "
                + "[--direction outbound] [--purpose P] [--topics A,B] | -f FILE) [--json]",
            options: [
                OptionSpec(
                    ["-f", "--file"],
                    value: "FILE",
                    "The delegation as JSON, as in PROTOCOL.md ('-' for stdin); flags go over it."
                )
            ] + (delegationFlags + createFlags).map(\.option)
        ) { args, ctx in
            var draft = try changes(args, delegationFlags + createFlags)
            if args.value("-f") == nil {
                guard draft["title"] != nil, draft["partners"] != nil else {
                    throw UsageError(
                        "give --title and --partner (or -f FILE)",
                        hint:
                            "find a partner's id with 'liaison partner list --text NAME', or register it: liaison "
                            + "partner create"
                    )
                }
                draft["direction"] = draft["direction"] ?? "inbound"
            }
            let s = try ctx.call(DelegationsAPI.create, try input(DelegationDraft.self, draft, "the delegation"))
            if ctx.json { ctx.printJSON(s); return ExitCode.ok }
            let d = s.delegation
            let verb = s.created == false ? "Already stored (same external_key)" : "Created"
            ctx.print("\(verb): \(d.ref) \(d.id) — \(d.status.rawValue), version \(d.version)")
            printFindings(ctx, s.found)
            return ExitCode.ok
        }
    }

    static var delegationList: CLICommand {
        Command(
            name: "list",
            abstract: "List delegations as a table (ref, partner, country, dates, status).",
            usage:
                "delegation list [--status S] [--country CC] [--continent C] [--region R] [--kind K] [--direction D] "
                + "[--from DATE] [--to DATE] [--text WORDS] [--limit N] [--all]",
            options: [
                OptionSpec(["--status"], DelegationStatus.self, ""),
                OptionSpec(["--country"], value: "CC", "ISO 3166-1 alpha-2, e.g. TH."),
                OptionSpec(["--continent"], Continent.self, ""),
                OptionSpec(["--region"], value: "R", "e.g. 'Central Asia', 'Middle East'."),
                OptionSpec(["--kind"], PartnerKind.self, "The partner's kind."),
                OptionSpec(["--direction"], Direction.self, ""),
                OptionSpec(["--from"], value: "DATE", "Visits ending on or after this date (YYYY-MM-DD)."),
                OptionSpec(["--to"], value: "DATE", "Visits starting on or before this date."),
                OptionSpec(
                    ["--text"],
                    value: "WORDS",
                    "Words in titles, partners, purposes, topics, names (any script)."
                ),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 50)."),
                OptionSpec(["--all"], "Fetch every page."),
            ]
        ) { args, ctx in
            var f = DelegationFilter(limit: try args.int("--limit", default: 50, in: 1...500))
            f.status = try args.choice("--status", DelegationStatus.self)
            f.continent = try args.choice("--continent", Continent.self)
            f.kind = try args.choice("--kind", PartnerKind.self)
            f.direction = try args.choice("--direction", Direction.self)
            (f.country, f.region, f.from, f.to, f.text) =
                (
                    args.value("--country"), args.value("--region"), args.value("--from"), args.value("--to"),
                    args.value("--text")
                )
            let (items, next) = try ctx.list(DelegationsAPI.list, f, all: args.has("--all"))
            if ctx.json {
                ctx.printJSONList(items, next: next)
                return ExitCode.ok
            }
            var t = Table(["REF", "PARTNER", "COUNTRY", "DATES", "STATUS", "TITLE"])
            for d in items {
                var partner = d.lead.map(\.label) ?? ""
                if d.partners.count > 1 { partner += " +\(d.partners.count - 1)" }
                t.add([
                    d.ref, partner, "\(d.lead?.country ?? "") \(d.countryName)", dates(d), d.status.rawValue, d.title,
                ])
            }
            ctx.print(t.render())
            if let next { ctx.print("(more: --all, or --limit; next cursor \(next))") }
            if items.isEmpty { ctx.print("(no delegations match)") }
            return ExitCode.ok
        }
    }

    /// A visit's dates as the list shows them: as known, one day, or from – to.
    static func dates(_ d: DelegationSummary) -> String {
        guard d.date == nil, let s = d.startsAt?.date, let e = d.endsAt?.date else { return d.when }
        return s == e ? s : "\(s) – \(e)"
    }

    static var delegationShow: CLICommand {
        Command(
            name: "show",
            abstract: "Show a delegation and its itinerary day by day in the visit's time zone.",
            usage: "delegation show ID [--json]",
            arguments: [("ID", "The delegation's id or reference (DEL-2026-0001).")]
        ) { args, ctx in
            let d = try ctx.call(DelegationsAPI.get, DelegationID(try args.positional(0, "ID")))
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print(ItineraryText.render(d))
            for line in answersShown(ctx, d) ?? [] { ctx.print(line) }
            return ExitCode.ok
        }
    }

    static var delegationCheck: CLICommand {
        Command(
            name: "check",
            abstract:
                "Run the itinerary checker on a delegation file (or a stored ID) without saving; exit 1 when it finds "
                + "clashes.",
            usage: "delegation check (-f FILE | ID) [--json]",
            arguments: [("ID", "A stored delegation instead of a file.")],
            options: [OptionSpec(["-f", "--file"], value: "FILE", "The delegation as JSON ('-' for stdin).")]
        ) { args, ctx in
            let params =
                args.value("-f") != nil
                ? DelegationCheck(
                    draft: try input(DelegationDraft.self, try readJSONFile(args.value("-f")), "the delegation")
                )
                : DelegationCheck(id: try args.positional(0, "ID or -f FILE"))
            let r = try ctx.call(DelegationsAPI.check, params)
            if ctx.json {
                ctx.printJSON(r)
            } else if r.found.total == 0 {
                ctx.print("No clashes.")
            } else {
                printFindings(ctx, r.found)
            }
            return r.ok ? ExitCode.ok : ExitCode.failure
        }
    }

    static var delegationHistory: CLICommand {
        Command(
            name: "history",
            abstract: "The audit trail: every change, when, by which uid, what changed.",
            usage: "delegation history ID [--json]",
            arguments: [("ID", "The delegation's id or reference.")]
        ) { args, ctx in
            let h = try ctx.wholeHistory(DelegationsAPI.history, id: try args.positional(0, "ID"))
            if ctx.json { ctx.printJSON(h); return ExitCode.ok }
            printHistory(
                ctx,
                h.items,
                shown: [
                    "status", "starts_at", "ends_at", "time_zone", "cancel_reason", "outcome", "postponed_reason",
                    "title",
                ]
            )
            return ExitCode.ok
        }
    }

    /// An audit trail, a line per change, with the values of `shown` fields before and after.
    static func printHistory(_ ctx: CLIContext, _ items: [HistoryEntry], shown: Set<String>) {
        for e in items {
            let changes = e.changes.objectValue
            let fields = e.action == "create" ? "created" : (changes?.keys.joined(separator: ", ") ?? "")
            ctx.print("v\(e.version)  \(e.at)  uid \(e.uid)  \(e.action)  \(fields)")
            guard e.action != "create", let changes else { continue }
            for m in changes.members where shown.contains(m.key) {
                guard let c = try? JSONDecoding.decode(HistoryChange.self, from: m.value) else { continue }
                ctx.print("      \(m.key): \(short(c.from)) → \(short(c.to))")
            }
        }
    }

    /// A change of one field as the history keeps it.
    struct HistoryChange: Decodable {
        var from, to: JSONValue?
    }

    static func short(_ v: JSONValue?) -> String {
        guard let v, v != .null else { return "—" }
        if case .string(let s) = v { return s }
        let text = JSONWriter.string(v)
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }

    enum ReasonUse { case none, optional, required }
}
