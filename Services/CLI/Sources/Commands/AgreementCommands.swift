import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var agreementCommand: CLICommand {
        Command(
            name: "agreement",
            abstract: "Partnership agreements: create, sign, renew, amend, record activities, link visits.",
            usage: "agreement <subcommand>",
            subcommands: [
                agreementCreate, agreementList, agreementShow, agreementUpdate, agreementFromVisit,
                agreementTransition(AgreementsAPI.negotiate, "draft → negotiating."), agreementSign,
                agreementTransition(AgreementsAPI.activate, "signed → active (normally automatic on its start date)."),
                agreementTransition(AgreementsAPI.suspend, "active → suspended.", reason: true),
                agreementTransition(AgreementsAPI.resume, "suspended → active."),
                agreementTransition(AgreementsAPI.terminate, "End an agreement early.", reason: true),
                agreementRenew, agreementAmend, agreementActivity, agreementLink, agreementHistory, agreementSweep,
                agreementAttach,
                agreementVerify,
            ]
        )
    }

    static func printAgreementLine(_ ctx: CLIContext, _ a: Agreement) {
        ctx.print("\(a.currentReference): \(a.status.rawValue) (version \(a.version)) — \(a.draft.title)")
    }

    static var agreementCreate: CLICommand {
        Command(
            name: "create",
            abstract: "Create an agreement from flags, or from a JSON file.",
            usage:
                "agreement create (--title T --partner ID… --coordinator-name N --coordinator-email E [--kind K] "
                + "[--starts-on D] [--ends-on D] | -f FILE) [--json]",
            options: [
                OptionSpec(
                    ["-f", "--file"],
                    value: "FILE",
                    "The agreement as JSON, as in PROTOCOL.md ('-' for stdin); flags go over it."
                )
            ]
                + agreementFlags.map(\.option) + [
                    OptionSpec(["--coordinator-name"], value: "NAME", "BIT's coordinator."),
                    OptionSpec(["--coordinator-email"], value: "EMAIL", "The coordinator's email (notices go to it)."),
                    OptionSpec(["--coordinator-unit"], value: "UNIT", "The coordinator's unit."),
                ]
        ) { args, ctx in
            var coordinator: JSONObject = [:]
            for (flag, key) in [
                ("--coordinator-name", "name"), ("--coordinator-email", "email"), ("--coordinator-unit", "unit"),
            ] {
                if let v = args.value(flag) { coordinator[key] = .string(v) }
            }
            // The flags over the file, the coordinator's member by member.
            var a = Patch(coordinator.count > 0 ? ["coordinator": .object(coordinator)] : [:]).merged(
                into: try changes(args, agreementFlags)
            )
            if args.value("-f") == nil {
                guard a["title"] != nil, a["partners"] != nil, a["coordinator"] != nil else {
                    throw UsageError(
                        "give --title, --partner and --coordinator-name/--coordinator-email (or -f FILE)",
                        hint:
                            "find a partner's id with 'liaison partner list --text NAME'; an agreement from a visit: "
                            + "agreement from-visit"
                    )
                }
                a["kind"] = a["kind"] ?? .string(AgreementKind.mou.rawValue)
            }
            let s = try ctx.call(AgreementsAPI.create, try input(AgreementDraft.self, a, "the agreement"))
            if ctx.json { ctx.printJSON(s) } else { printAgreementLine(ctx, s.agreement) }
            return ExitCode.ok
        }
    }

    static var agreementList: CLICommand {
        Command(
            name: "list",
            abstract: "Agreements as a table.",
            usage:
                "agreement list [--status S] [--kind K] [--country CC] [--continent C] [--text WORDS] [--limit N] "
                + "[--all] [--json]",
            options: [
                OptionSpec(["--status"], AgreementStatus.self, ""), OptionSpec(["--kind"], AgreementKind.self, ""),
                OptionSpec(["--country"], value: "CC", "A partner's country."),
                OptionSpec(["--continent"], Continent.self, "A partner's."),
                OptionSpec(["--text"], value: "WORDS", "Words anywhere in the agreement."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 100, at most 200)."),
                OptionSpec(["--all"], "Every page, not only the first."),
            ]
        ) { args, ctx in
            var f = AgreementFilter(limit: try args.int("--limit", default: 100, in: 1...200))
            f.status = try args.choice("--status", AgreementStatus.self)
            f.kind = try args.choice("--kind", AgreementKind.self)
            f.continent = try args.choice("--continent", Continent.self)
            (f.country, f.text) = (args.value("--country"), args.value("--text"))
            let (items, next) = try ctx.list(AgreementsAPI.list, f, all: args.has("--all"))
            if ctx.json { ctx.printJSONList(items, next: next); return ExitCode.ok }
            var t = Table(["REFERENCE", "STATUS", "KIND", "PARTNERS", "TERM", "TITLE"])
            for a in items {
                let d = a.draft
                let partners = d.partners.map { "\($0.name ?? $0.id ?? "?") (\($0.country ?? ""))" }.joined(
                    separator: "; "
                )
                let term = "\(PartialDate.shown(d.startsOn) ?? "?") – \(PartialDate.shown(d.endsOn) ?? "open")"
                t.add([a.currentReference, a.status.rawValue, d.kind.rawValue, partners, term, d.title])
            }
            ctx.print(t.rows.isEmpty ? "(no agreements match)" : t.render())
            if let next { ctx.print("(more: --all, or --limit; next cursor \(next))") }
            return ExitCode.ok
        }
    }

    static var agreementShow: CLICommand {
        Command(
            name: "show",
            abstract: "One agreement in full.",
            usage: "agreement show ID [--json]",
            arguments: [("ID", "Id or reference.")]
        ) { args, ctx in
            let a = try ctx.call(AgreementsAPI.get, AgreementID(try args.positional(0, "ID")))
            if ctx.json { ctx.printJSON(a); return ExitCode.ok }
            ctx.print(AgreementText.render(a))
            return ExitCode.ok
        }
    }

    static func agreementTransition(
        _ method: Method<AgreementTransition, Agreement>,
        _ abstract: String,
        reason: Bool = false
    ) -> CLICommand {
        let name = String(method.name.split(separator: ".").last ?? "")
        var options = [versionOption]
        if reason { options.append(OptionSpec(["--reason"], value: "TEXT", "Why (required).")) }
        return Command(
            name: name,
            abstract: abstract,
            usage: "agreement \(name) ID [--expect-version N]\(reason ? " --reason TEXT" : "") [--json]",
            arguments: [("ID", "Id or reference.")],
            options: options
        ) { args, ctx in
            if reason && args.value("--reason") == nil { throw UsageError("\(name) needs --reason TEXT") }
            let p = AgreementTransition(
                id: try args.positional(0, "ID"),
                expectedVersion: try expectedVersion(args),
                reason: args.value("--reason")
            )
            let a = try ctx.call(method, p)
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    /// A day given with `flag`.
    static func day(_ args: ParsedArgs, _ flag: String) throws -> LocalDate? {
        guard let s = args.value(flag) else { return nil }
        var why = ""
        guard let d = LocalDate.parse(s, why: &why) else { throw UsageError("\(flag): \(why)") }
        return d
    }

    static var agreementRenew: CLICommand {
        Command(
            name: "renew",
            abstract: "Renew for a new term: a successor agreement linked to this one, which becomes superseded.",
            usage: "agreement renew ID --ends-on DATE [--starts-on DATE] [--signed-on DATE] [--json]",
            arguments: [("ID", "Id or reference.")],
            options: [
                OptionSpec(["--ends-on"], value: "DATE", "When the new term ends (required)."),
                OptionSpec(["--starts-on"], value: "DATE", "Default: the day after the old end."),
                OptionSpec(["--signed-on"], value: "DATE", "Default today."),
            ]
        ) { args, ctx in
            guard let end = try day(args, "--ends-on") else { throw UsageError("renew needs --ends-on DATE") }
            var p = AgreementRenewal(id: try args.positional(0, "ID"), endsOn: end)
            (p.startsOn, p.signedOn) = (try day(args, "--starts-on"), try day(args, "--signed-on"))
            let r = try ctx.call(AgreementsAPI.renew, p)
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            printAgreementLine(ctx, r.original)
            printAgreementLine(ctx, r.successor)
            return ExitCode.ok
        }
    }

    static var agreementAmend: CLICommand {
        Command(
            name: "amend",
            abstract: "Amend a signed agreement: the fields to change (JSON file and/or --ends-on) and a summary.",
            usage:
                "agreement amend ID --summary TEXT [-f CHANGES.json] [--ends-on DATE] [--effective-on DATE] "
                + "[--expect-version N] [--json]",
            arguments: [("ID", "Id or reference.")],
            options: [
                versionOption, OptionSpec(["--summary"], value: "TEXT", "What changes and why (required)."),
                OptionSpec(["-f", "--file"], value: "FILE", "A JSON object of the fields to change."),
                OptionSpec(["--ends-on"], value: "DATE", "A new end date."),
                OptionSpec(["--effective-on"], value: "DATE", "Default today."),
            ]
        ) { args, ctx in
            guard let summary = args.value("--summary") else { throw UsageError("amend needs --summary TEXT") }
            var changes: JSONObject = args.value("-f") != nil ? try readJSONFile(args.value("-f")) : [:]
            if let e = args.value("--ends-on") { changes["ends_on"] = .string(e) }
            guard changes.count > 0 else { throw UsageError("give the changes: -f CHANGES.json and/or --ends-on DATE") }
            let p = AgreementAmendment(
                id: try args.positional(0, "ID"),
                expectedVersion: try expectedVersion(args),
                summary: summary,
                changes: changes,
                effectiveOn: try day(args, "--effective-on")
            )
            let a = try ctx.call(AgreementsAPI.amend, p)
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    static var agreementActivity: CLICommand {
        Command(
            name: "activity",
            abstract: "Record what happened under an agreement.",
            usage: "agreement activity add ID --on DATE --summary TEXT [--kind K] [--count N]",
            subcommands: [
                Command(
                    name: "add",
                    abstract: "Record an activity or outcome.",
                    usage: "agreement activity add ID --on DATE --summary TEXT [--kind K] [--count N] [--json]",
                    arguments: [("ID", "Id or reference.")],
                    options: [
                        OptionSpec(["--on"], value: "DATE", "When (required)."),
                        OptionSpec(["--summary"], value: "TEXT", "What (required)."),
                        OptionSpec(["--kind"], ActivityKind.self, "Default outcome."),
                        OptionSpec(["--count"], value: "N", "How many (students each way, …)."),
                    ]
                ) { args, ctx in
                    guard let on = try day(args, "--on"), let summary = args.value("--summary") else {
                        throw UsageError("activity add needs --on DATE and --summary TEXT")
                    }
                    let p = ActivityParams(
                        id: try args.positional(0, "ID"),
                        on: on,
                        kind: try args.choice("--kind", ActivityKind.self) ?? .outcome,
                        summary: summary,
                        count: args.value("--count") == nil
                            ? nil : try args.int("--count", default: 0, in: 0...1_000_000)
                    )
                    let a = try ctx.call(AgreementsAPI.addActivity, p)
                    ctx.show(a) { "\(a.currentReference): \(a.activities.count) activities" }
                    return ExitCode.ok
                }
            ]
        )
    }

    static var agreementLink: CLICommand {
        Command(
            name: "link",
            abstract: "Link a delegation that led to the agreement (or followed from it).",
            usage: "agreement link ID DELEGATION [--relation led_to|followed_from] [--json]",
            arguments: [("ID", "The agreement."), ("DELEGATION", "The delegation's id or reference.")],
            options: [OptionSpec(["--relation"], LinkRelation.self, "Default led_to.")]
        ) { args, ctx in
            let p = LinkParams(
                id: try args.positional(0, "ID"),
                delegationID: try args.positional(1, "DELEGATION"),
                relation: try args.choice("--relation", LinkRelation.self) ?? .ledTo
            )
            let a = try ctx.call(AgreementsAPI.linkDelegation, p)
            ctx.show(a) { "\(a.currentReference): \(a.delegations.count) linked visit(s)" }
            return ExitCode.ok
        }
    }

    static var agreementHistory: CLICommand {
        Command(
            name: "history",
            abstract: "Every change: when, by which uid, what.",
            usage: "agreement history ID [--json]",
            arguments: [("ID", "Id or reference.")]
        ) { args, ctx in
            let h = try ctx.wholeHistory(AgreementsAPI.history, id: try args.positional(0, "ID"))
            if ctx.json { ctx.printJSON(h); return ExitCode.ok }
            printHistory(ctx, h.items, shown: ["status"])
            return ExitCode.ok
        }
    }

    static var agreementSweep: CLICommand {
        Command(
            name: "sweep",
            abstract: "Apply the dates now: activations, expiries, renewals, expiring notices; --today DATE previews.",
            usage: "agreement sweep [--today DATE [--apply]] [--json]",
            options: [
                OptionSpec(
                    ["--today"],
                    value: "DATE",
                    "Preview the sweep as of this date: what would change, which notices would go."
                ),
                OptionSpec(["--apply"], "With --today: really apply the dates as of that day."),
            ]
        ) { args, ctx in
            let p = SweepParams(today: try day(args, "--today"), apply: args.has("--apply") ? true : nil)
            if p.apply == true && p.today == nil {
                throw UsageError("--apply goes with --today (a plain sweep applies today's dates)")
            }
            let r = try ctx.call(AgreementsAPI.sweep, p)
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            let preview = !r.applied
            ctx.print(
                "\(preview ? "Preview (nothing changed, nothing sent; --apply to do it)" : "Applied") as of \(r.today):"
            )
            func line(_ k: String, _ items: [String]) {
                ctx.print("  \(k): \(items.isEmpty ? "none" : items.joined(separator: ", "))")
            }
            line("activated", r.activated)
            line("expired", r.expired)
            line("renewed", r.renewed.map { "\($0.from) → \($0.to)" })
            line(
                "expiring",
                r.expiring.map { "\($0.reference) (in \($0.daysLeft) days; the \($0.leadDays)-day notice)" }
            )
            for m in r.mails {
                ctx.print("  notice \(preview ? "that would go" : "sent"): \(m.kind) \(m.reference) → \(m.to)")
            }
            return ExitCode.ok
        }
    }
}

/// An agreement as text people read.
enum AgreementText {
    static func render(_ a: Agreement) -> String {
        let d = a.draft
        var out = [
            "\(a.currentReference)  \(d.title)  [\(a.status.rawValue), version \(a.version)]",
            "Kind         \(d.kind.rawValue)",
        ]
        for p in d.partners {
            out.append("Partner      \(p.label) — \(p.kind?.rawValue ?? ""), \(p.country ?? "")  [\(p.id ?? "")]")
        }
        out.append("Coordinator  \(d.coordinator.name)" + (d.coordinator.email.map { " <\($0)>" } ?? ""))
        let unsigned = a.status == .draft || a.status == .negotiating
        out.append("Signed       \(PartialDate.shown(d.signedOn) ?? (unsigned ? "not yet" : "date not recorded"))")
        out.append(
            "Term         \(PartialDate.shown(d.startsOn) ?? "?") – \(PartialDate.shown(d.endsOn) ?? "open-ended")"
                + (d.autoRenew ? " (renews automatically)" : "")
        )
        if !d.focusAreas.isEmpty { out.append("Focus        \(d.focusAreas.joined(separator: ", "))") }
        if let n = d.notes { out.append("Notes        \(n)") }
        if let p = d.placesPerYear { out.append("Places/year  \(p)") }
        if let r = a.terminationReason { out.append("Terminated   \(r)") }
        if let s = a.predecessorID { out.append("Renews       \(s)") }
        if let s = a.successorID { out.append("Renewed by   \(s)") }
        for s in d.signatories { out.append("Signatory    \(s.name)\(s.title.map { ", \($0)" } ?? "") — \(s.side)") }
        for doc in d.documents { out.append("Document     \(doc.title) sha256 \(doc.sha256)") }
        for m in a.amendments {
            out.append(
                "Amendment    \(m.reference) (\(m.effectiveOn)): \(m.summary) "
                    + "[\(m.changes.keys.sorted().joined(separator: ", "))]"
            )
        }
        for x in a.activities {
            out.append("Activity     \(x.on) \(x.kind): \(x.summary)\(x.count.map { " (\($0))" } ?? "")")
        }
        for l in a.delegations {
            out.append(
                "Visit        \(l.ref ?? l.delegationID) \(l.relation): \(l.title ?? "") "
                    + "(\(PartialDate.shown(l.startsAt) ?? ""))"
            )
        }
        return out.joined(separator: "\n")
    }
}
