import Foundation
import LiaisonModels
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var agreementCommand: CLICommand {
        Command(
            name: "agreement", abstract: "Partnership agreements: create, sign, renew, amend, record activities, link visits.",
            usage: "agreement <subcommand>",
            subcommands: [
                agreementCreate, agreementList, agreementShow, agreementUpdate, agreementFromVisit,
                agreementTransition("negotiate", "draft → negotiating."), agreementSign,
                agreementTransition("activate", "signed → active (normally automatic on its start date)."),
                agreementTransition("suspend", "active → suspended.", reason: true),
                agreementTransition("resume", "suspended → active."),
                agreementTransition("terminate", "End an agreement early.", reason: true),
                agreementRenew, agreementAmend, agreementActivity, agreementLink, agreementHistory, agreementSweep, agreementAttach,
                agreementVerify,
            ])
    }

    static func agreementVersion(_ args: ParsedArgs, _ ctx: CLIContext, _ id: String) throws -> Int64 {
        if args.value("--expect-version") != nil { return Int64(try args.int("--expect-version", default: 1, in: 1...Int(Int32.max))) }
        return try ctx.call("agreements", "agreements.get", ["id": .string(id)])["version"]?.intValue ?? 1
    }

    static func printAgreementLine(_ ctx: CLIContext, _ a: JSONValue) {
        ctx.print(
            "\(a["current_reference"]?.stringValue ?? ""): \(a["status"]?.stringValue ?? "") (version \(a["version"]?.intValue ?? 0)) — "
                + "\(a["title"]?.stringValue ?? "")"
        )
    }

    static var agreementCreate: CLICommand {
        Command(
            name: "create", abstract: "Create an agreement from flags, or from a JSON file.",
            usage:
                "agreement create (--title T --partner ID… --coordinator-name N --coordinator-email E [--kind K] [--starts-on D] "
                + "[--ends-on D] | -f FILE) [--json]",
            options: [
                OptionSpec(["-f", "--file"], value: "FILE", "The agreement as JSON, as in PROTOCOL.md ('-' for stdin); flags go over it.")
            ]
                + agreementFlags.map { OptionSpec([$0.flag], value: "VALUE", $0.help) } + [
                    OptionSpec(["--coordinator-name"], value: "NAME", "BIT's coordinator."),
                    OptionSpec(["--coordinator-email"], value: "EMAIL", "The coordinator's email (notices go to it)."),
                    OptionSpec(["--coordinator-unit"], value: "UNIT", "The coordinator's unit."),
                ]
        ) { args, ctx in
            var a = try changes(args, agreementFlags)
            var coordinator = a["coordinator"]?.objectValue ?? [:]
            for (flag, key) in [("--coordinator-name", "name"), ("--coordinator-email", "email"), ("--coordinator-unit", "unit")] {
                if let v = args.value(flag) { coordinator[key] = .string(v) }
            }
            if coordinator.count > 0 { a["coordinator"] = .object(coordinator) }
            if args.value("-f") == nil {
                guard a["title"] != nil, a["partners"] != nil, a["coordinator"] != nil else {
                    throw UsageError(
                        "give --title, --partner and --coordinator-name/--coordinator-email (or -f FILE)",
                        hint: "find a partner's id with 'liaison partner list'; an agreement from a visit: agreement from-visit")
                }
                a["kind"] = a["kind"] ?? "mou"
            }
            a = try ctx.call("agreements", "agreements.create", .object(a)).objectValue ?? a
            if ctx.json { ctx.printJSON(.object(a)) } else { printAgreementLine(ctx, .object(a)) }
            return ExitCode.ok
        }
    }

    static var agreementList: CLICommand {
        Command(
            name: "list", abstract: "Agreements as a table.",
            usage: "agreement list [--status S] [--kind K] [--country CC] [--continent C] [--text WORDS] [--limit N] [--all] [--json]",
            options: [
                OptionSpec(["--status"], value: "S", "draft, negotiating, signed, active, suspended, expired, terminated, superseded."),
                OptionSpec(
                    ["--kind"], value: "K", "mou, exchange, joint_programme, workstation, industry_education, research, scholarship, other."
                ),
                OptionSpec(["--country"], value: "CC", "A partner's country."),
                OptionSpec(["--continent"], value: "C", "A partner's continent."),
                OptionSpec(["--text"], value: "WORDS", "Words anywhere in the agreement."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 100, at most 200)."),
                OptionSpec(["--all"], "Every page, not only the first."),
            ]
        ) { args, ctx in
            var p: JSONObject = ["limit": .int(Int64(try args.int("--limit", default: 100, in: 1...200)))]
            for k in ["status", "kind", "country", "continent", "text"] { if let v = args.value("--" + k) { p[k] = .string(v) } }
            let (items, _, next) = try ctx.list("agreements", "agreements.list", p, all: args.has("--all"))
            if ctx.json { ctx.printJSONList(items, next: next); return ExitCode.ok }
            var t = Table(["REFERENCE", "STATUS", "KIND", "PARTNERS", "TERM", "TITLE"])
            for a in items {
                let partners = (a["partners"]?.arrayValue ?? []).map { p in
                    "\(p["name"]?.stringValue ?? "") (\(p["country"]?.stringValue ?? ""))"
                }.joined(separator: "; ")
                t.add([
                    a["current_reference"]?.stringValue ?? "", a["status"]?.stringValue ?? "", a["kind"]?.stringValue ?? "", partners,
                    "\(PartialDate.shown(a["starts_on"]?.stringValue) ?? "?") – \(PartialDate.shown(a["ends_on"]?.stringValue) ?? "open")",
                    a["title"]?.stringValue ?? "",
                ])
            }
            ctx.print(t.rows.isEmpty ? "(no agreements match)" : t.render())
            if let next { ctx.print("(more: --all, or --limit; next cursor \(next))") }
            return ExitCode.ok
        }
    }

    static var agreementShow: CLICommand {
        Command(
            name: "show", abstract: "One agreement in full.", usage: "agreement show ID [--json]", arguments: [("ID", "Id or reference.")]
        ) { args, ctx in
            let a = try ctx.call("agreements", "agreements.get", ["id": .string(try args.positional(0, "ID"))])
            if ctx.json { ctx.printJSON(a); return ExitCode.ok }
            ctx.print(
                "\(a["current_reference"]?.stringValue ?? "")  \(a["title"]?.stringValue ?? "")  [\(a["status"]?.stringValue ?? ""), "
                    + "version \(a["version"]?.intValue ?? 0)]"
            )
            ctx.print("Kind         \(a["kind"]?.stringValue ?? "")")
            for p in a["partners"]?.arrayValue ?? [] {
                ctx.print(
                    "Partner      \(p["name"]?.stringValue ?? "")\(p["name_local"]?.stringValue.map { " (\($0))" } ?? "") — "
                        + "\(p["kind"]?.stringValue ?? ""), \(p["country"]?.stringValue ?? "")  [\(p["id"]?.stringValue ?? "")]"
                )
            }
            ctx.print("Coordinator  \(a["coordinator"]?["name"]?.stringValue ?? "") <\(a["coordinator"]?["email"]?.stringValue ?? "")>")
            let unsigned = ["draft", "negotiating"].contains(a["status"]?.stringValue ?? "")
            ctx.print("Signed       \(PartialDate.shown(a["signed_on"]?.stringValue) ?? (unsigned ? "not yet" : "date not recorded"))")
            ctx.print(
                "Term         \(PartialDate.shown(a["starts_on"]?.stringValue) ?? "?") – "
                    + (PartialDate.shown(a["ends_on"]?.stringValue) ?? "open-ended")
                    + (a["auto_renew"] == true ? " (renews automatically)" : "")
            )
            if let f = a["focus_areas"]?.arrayValue, !f.isEmpty {
                ctx.print("Focus        \(f.compactMap(\.stringValue).joined(separator: ", "))")
            }
            if let n = a["notes"]?.stringValue { ctx.print("Notes        \(n)") }
            if let p = a["places_per_year"]?.intValue { ctx.print("Places/year  \(p)") }
            if let r = a["termination_reason"]?.stringValue { ctx.print("Terminated   \(r)") }
            if let s = a["predecessor_id"]?.stringValue { ctx.print("Renews       \(s)") }
            if let s = a["successor_id"]?.stringValue { ctx.print("Renewed by   \(s)") }
            for s in a["signatories"]?.arrayValue ?? [] {
                ctx.print(
                    "Signatory    \(s["name"]?.stringValue ?? "")\(s["title"]?.stringValue.map { ", \($0)" } ?? "") — "
                        + "\(s["side"]?.stringValue ?? "")"
                )
            }
            for d in a["documents"]?.arrayValue ?? [] {
                ctx.print("Document     \(d["title"]?.stringValue ?? "") sha256 \(d["sha256"]?.stringValue ?? "")")
            }
            for m in a["amendments"]?.arrayValue ?? [] {
                ctx.print(
                    "Amendment    \(m["reference"]?.stringValue ?? "") (\(m["effective_on"]?.stringValue ?? "")): "
                        + "\(m["summary"]?.stringValue ?? "") [\((m["changes"]?.objectValue?.keys ?? []).joined(separator: ", "))]"
                )
            }
            for x in a["activities"]?.arrayValue ?? [] {
                ctx.print(
                    "Activity     \(x["on"]?.stringValue ?? "") \(x["kind"]?.stringValue ?? ""): "
                        + "\(x["summary"]?.stringValue ?? "")\(x["count"]?.intValue.map { " (\($0))" } ?? "")"
                )
            }
            for l in a["delegations"]?.arrayValue ?? [] {
                ctx.print(
                    "Visit        \(l["ref"]?.stringValue ?? "") \(l["relation"]?.stringValue ?? ""): \(l["title"]?.stringValue ?? "") "
                        + "(\(PartialDate.shown(l["starts_at"]?.stringValue) ?? ""))"
                )
            }
            return ExitCode.ok
        }
    }

    static func agreementTransition(_ name: String, _ abstract: String, reason: Bool = false, extra: [OptionSpec] = []) -> CLICommand {
        var options = [versionOption] + extra
        if reason { options.append(OptionSpec(["--reason"], value: "TEXT", "Why (required).")) }
        return Command(
            name: name, abstract: abstract, usage: "agreement \(name) ID [--expect-version N]\(reason ? " --reason TEXT" : "") [--json]",
            arguments: [("ID", "Id or reference.")], options: options
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            if reason && args.value("--reason") == nil { throw UsageError("\(name) needs --reason TEXT") }
            var p: JSONObject = ["id": .string(id), "expected_version": .int(try agreementVersion(args, ctx, id))]
            if let r = args.value("--reason") { p["reason"] = .string(r) }
            if let s = args.value("--signed-on") { p["signed_on"] = .string(s) }
            let a = try ctx.call("agreements", "agreements.\(name)", .object(p))
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    static var agreementRenew: CLICommand {
        Command(
            name: "renew", abstract: "Renew for a new term: a successor agreement linked to this one, which becomes superseded.",
            usage: "agreement renew ID --ends-on DATE [--starts-on DATE] [--signed-on DATE] [--json]",
            arguments: [("ID", "Id or reference.")],
            options: [
                OptionSpec(["--ends-on"], value: "DATE", "When the new term ends (required)."),
                OptionSpec(["--starts-on"], value: "DATE", "Default: the day after the old end."),
                OptionSpec(["--signed-on"], value: "DATE", "Default today."),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            guard let end = args.value("--ends-on") else { throw UsageError("renew needs --ends-on DATE") }
            var p: JSONObject = ["id": .string(id), "ends_on": .string(end)]
            if let s = args.value("--starts-on") { p["starts_on"] = .string(s) }
            if let s = args.value("--signed-on") { p["signed_on"] = .string(s) }
            let r = try ctx.call("agreements", "agreements.renew", .object(p))
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            printAgreementLine(ctx, r["original"] ?? .null)
            printAgreementLine(ctx, r["successor"] ?? .null)
            return ExitCode.ok
        }
    }

    static var agreementAmend: CLICommand {
        Command(
            name: "amend", abstract: "Amend a signed agreement: the fields to change (JSON file and/or --ends-on) and a summary.",
            usage:
                "agreement amend ID --summary TEXT [-f CHANGES.json] [--ends-on DATE] [--effective-on DATE] [--expect-version N] [--json]",
            arguments: [("ID", "Id or reference.")],
            options: [
                versionOption, OptionSpec(["--summary"], value: "TEXT", "What changes and why (required)."),
                OptionSpec(["-f", "--file"], value: "FILE", "A JSON object of the fields to change."),
                OptionSpec(["--ends-on"], value: "DATE", "A new end date."),
                OptionSpec(["--effective-on"], value: "DATE", "Default today."),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            guard let summary = args.value("--summary") else { throw UsageError("amend needs --summary TEXT") }
            var changes = JSONObject()
            if args.value("-f") != nil, case .object(let o) = try readJSONFile(args.value("-f")) { changes = o }
            if let e = args.value("--ends-on") { changes["ends_on"] = .string(e) }
            guard changes.count > 0 else { throw UsageError("give the changes: -f CHANGES.json and/or --ends-on DATE") }
            var p: JSONObject = [
                "id": .string(id), "expected_version": .int(try agreementVersion(args, ctx, id)), "summary": .string(summary),
                "changes": .object(changes),
            ]
            if let e = args.value("--effective-on") { p["effective_on"] = .string(e) }
            let a = try ctx.call("agreements", "agreements.amend", .object(p))
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    static var agreementActivity: CLICommand {
        Command(
            name: "activity", abstract: "Record what happened under an agreement.",
            usage: "agreement activity add ID --on DATE --summary TEXT [--kind K] [--count N]",
            subcommands: [
                Command(
                    name: "add", abstract: "Record an activity or outcome.",
                    usage: "agreement activity add ID --on DATE --summary TEXT [--kind K] [--count N] [--json]",
                    arguments: [("ID", "Id or reference.")],
                    options: [
                        OptionSpec(["--on"], value: "DATE", "When (required)."),
                        OptionSpec(["--summary"], value: "TEXT", "What (required)."),
                        OptionSpec(["--kind"], value: "K", "exchange, visit, workshop, research, outcome, other (default outcome)."),
                        OptionSpec(["--count"], value: "N", "How many (students each way, …)."),
                    ]
                ) { args, ctx in
                    let id = try args.positional(0, "ID")
                    guard let on = args.value("--on"), let summary = args.value("--summary") else {
                        throw UsageError("activity add needs --on DATE and --summary TEXT")
                    }
                    var p: JSONObject = [
                        "id": .string(id), "on": .string(on), "summary": .string(summary),
                        "kind": .string(args.value("--kind") ?? "outcome"),
                    ]
                    if args.value("--count") != nil { p["count"] = .int(Int64(try args.int("--count", default: 0, in: 0...1_000_000))) }
                    let a = try ctx.call("agreements", "agreements.add_activity", .object(p))
                    ctx.show(a) { "\(a["current_reference"]?.stringValue ?? ""): \(a["activities"]?.arrayValue?.count ?? 0) activities" }
                    return ExitCode.ok
                }
            ])
    }

    static var agreementLink: CLICommand {
        Command(
            name: "link", abstract: "Link a delegation that led to the agreement (or followed from it).",
            usage: "agreement link ID DELEGATION [--relation led_to|followed_from] [--json]",
            arguments: [("ID", "The agreement."), ("DELEGATION", "The delegation's id or reference.")],
            options: [OptionSpec(["--relation"], value: "R", "led_to (default) or followed_from.")]
        ) { args, ctx in
            let a = try ctx.call(
                "agreements", "agreements.link_delegation",
                [
                    "id": .string(try args.positional(0, "ID")), "delegation_id": .string(try args.positional(1, "DELEGATION")),
                    "relation": .string(args.value("--relation") ?? "led_to"),
                ])
            ctx.show(a) { "\(a["current_reference"]?.stringValue ?? ""): \(a["delegations"]?.arrayValue?.count ?? 0) linked visit(s)" }
            return ExitCode.ok
        }
    }

    static var agreementHistory: CLICommand {
        Command(
            name: "history", abstract: "Every change: when, by which uid, what.", usage: "agreement history ID [--json]",
            arguments: [("ID", "Id or reference.")]
        ) { args, ctx in
            let h = try ctx.call("agreements", "agreements.history", ["id": .string(try args.positional(0, "ID"))])
            if ctx.json { ctx.printJSON(h); return ExitCode.ok }
            for e in h["items"]?.arrayValue ?? [] {
                let fields = e["action"] == "create" ? "created" : (e["changes"]?.objectValue?.keys.joined(separator: ", ") ?? "")
                ctx.print(
                    "v\(e["version"]?.intValue ?? 0)  \(e["at"]?.stringValue ?? "")  uid \(e["uid"]?.intValue ?? 0)  "
                        + "\(e["action"]?.stringValue ?? "")  \(fields)"
                )
                if let st = e["changes"]?["status"] { ctx.print("      status: \(short(st["from"])) → \(short(st["to"]))") }
            }
            return ExitCode.ok
        }
    }

    static var agreementSweep: CLICommand {
        Command(
            name: "sweep", abstract: "Apply the dates now: activations, expiries, renewals, expiring notices; --today DATE previews.",
            usage: "agreement sweep [--today DATE [--apply]] [--json]",
            options: [
                OptionSpec(["--today"], value: "DATE", "Preview the sweep as of this date: what would change, which notices would go."),
                OptionSpec(["--apply"], "With --today: really apply the dates as of that day."),
            ]
        ) { args, ctx in
            var p = JSONObject()
            if let t = args.value("--today") { p["today"] = .string(t) }
            if args.has("--apply") {
                guard p["today"] != nil else { throw UsageError("--apply goes with --today (a plain sweep applies today's dates)") }
                p["apply"] = true
            }
            let r = try ctx.call("agreements", "agreements.sweep", .object(p))
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            let preview = r["applied"] == false
            let head = preview ? "Preview (nothing changed, nothing sent; --apply to do it)" : "Applied"
            ctx.print("\(head) as of \(r["today"]?.stringValue ?? ""):")
            for k in ["activated", "expired", "renewed", "expiring"] {
                let items = r[k]?.arrayValue ?? []
                ctx.print(
                    "  \(k): \(items.isEmpty ? "none" : items.map { $0.stringValue ?? JSONWriter.string($0) }.joined(separator: ", "))")
            }
            for m in r["mails"]?.arrayValue ?? [] {
                let what = "\(m["kind"]?.stringValue ?? "") \(m["reference"]?.stringValue ?? "")"
                ctx.print("  notice \(preview ? "that would go" : "sent"): \(what) → " + (m["to"]?.stringValue ?? ""))
            }
            return ExitCode.ok
        }
    }
}
