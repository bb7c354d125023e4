import Foundation
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var partnerCommand: CLICommand {
        Command(
            name: "partner", abstract: "The partner registry: institutions, their people, their visits and agreements; merge duplicates.",
            usage: "partner <subcommand>",
            subcommands: [
                partnerCreate, partnerList, partnerShow, partnerUpdate, partnerMerge,
                Command(
                    name: "person", abstract: "People at a partner institution.", usage: "partner person add|update|remove",
                    subcommands: [personAdd, personUpdate, personRemove]),
            ])
    }

    /// The options describing a partner, and the fields they set.
    static let partnerFields: [(flag: String, key: String, help: String)] = [
        ("--name", "name", "Name in English (or romanised)."), ("--name-local", "name_local", "Name in its own script."),
        ("--kind", "kind", "university, government, school, enterprise, ngo or other."),
        ("--country", "country", "ISO 3166-1 alpha-2 code, e.g. TH."), ("--city", "city", "City."), ("--website", "website", "Website."),
        ("--parent", "parent", "The institution it belongs to (a partner id)."), ("--notes", "notes", "Notes."),
    ]

    static func partnerParams(_ args: ParsedArgs) throws -> JSONObject {
        var p: JSONObject = [:]
        if let f = args.value("-f") {
            guard case .object(let o) = try readJSONFile(f) else { return p }
            p = o
        }
        for f in partnerFields { if let v = args.value(f.flag) { p[f.key] = .string(v) } }
        return p
    }

    static func printPartnerLine(_ ctx: CLIContext, _ p: JSONValue) {
        var line = "\(p["id"]?.stringValue ?? "")  \(p["name"]?.stringValue ?? "")"
        if let l = p["name_local"]?.stringValue { line += " (\(l))" }
        line += " — \(p["kind"]?.stringValue ?? ""), \(p["country_name"]?.stringValue ?? p["country"]?.stringValue ?? "")"
        ctx.print(line + " [version \(p["version"]?.intValue ?? 0)]")
    }

    /// Calls a registry method that answers the partner, and prints it.
    static func changePartner(_ ctx: CLIContext, _ method: String, _ params: JSONValue) throws -> Int32 {
        let p = try ctx.call("delegations", method, params)
        if ctx.json { ctx.printJSON(p) } else { printPartnerLine(ctx, p) }
        return ExitCode.ok
    }

    static var partnerCreate: CLICommand {
        Command(
            name: "create", abstract: "Register a partner institution.",
            usage: "partner create --name N --kind K --country CC [--name-local N] [--city C] [--website URL] [--parent ID] | -f FILE",
            options: [OptionSpec(["-f", "--file"], value: "FILE", "The partner as JSON (with people), '-' for stdin.")]
                + partnerFields.map { OptionSpec([$0.flag], value: "VALUE", $0.help) }
        ) { args, ctx in
            try changePartner(ctx, "partners.create", .object(try partnerParams(args)))
        }
    }

    static var partnerList: CLICommand {
        Command(
            name: "list", abstract: "Partners by name.", usage: "partner list [--country CC] [--kind K] [--text WORDS] [--merged] [--all]",
            options: [
                OptionSpec(["--country"], value: "CC", "Partners in this country."), OptionSpec(["--kind"], value: "K", "Of this kind."),
                OptionSpec(["--text"], value: "WORDS", "Words in the name (either script) or city."),
                OptionSpec(["--merged"], "Also the entries merged into others."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 100)."), OptionSpec(["--all"], "Every page."),
            ]
        ) { args, ctx in
            var p: JSONObject = ["limit": .int(Int64(try args.int("--limit", default: 100, in: 1...1000)))]
            for k in ["country", "kind", "text"] { if let v = args.value("--" + k) { p[k] = .string(v) } }
            if args.has("--merged") { p["include_merged"] = true }
            let (items, _, next) = try ctx.list("delegations", "partners.list", p, all: args.has("--all"))
            if ctx.json { ctx.printJSONList(items, next: next); return ExitCode.ok }
            var t = Table(["ID", "NAME", "KIND", "COUNTRY", "CITY", "PEOPLE"])
            for x in items {
                var name = x["name"]?.stringValue ?? ""
                if let l = x["name_local"]?.stringValue { name += " (\(l))" }
                if x["status"] == "merged" { name += " → merged into \(x["merged_into"]?.stringValue ?? "?")" }
                t.add([
                    x["id"]?.stringValue ?? "", name, x["kind"]?.stringValue ?? "",
                    "\(x["country"]?.stringValue ?? "") \(x["country_name"]?.stringValue ?? "")", x["city"]?.stringValue ?? "",
                    String(x["people"]?.arrayValue?.count ?? 0),
                ])
            }
            ctx.print(t.rows.isEmpty ? "(no partners match)" : t.render())
            if let next { ctx.print("(more: --all; next cursor \(next))") }
            return ExitCode.ok
        }
    }

    static var partnerShow: CLICommand {
        Command(
            name: "show", abstract: "A partner with its people, visits, agreements, sites and last contact.", usage: "partner show ID",
            arguments: [("ID", "The partner's id (par-…); an id merged into another shows the one kept.")]
        ) { args, ctx in
            let p = try ctx.call("delegations", "partners.get", ["id": .string(try args.positional(0, "ID"))])
            let id = p["id"]!
            let agreements = try ctx.list("agreements", "agreements.list", ["partner": id, "limit": 200], all: true).0
            let sites = (try ctx.call("agreements", "sites.list", [:])["items"]?.arrayValue ?? []).filter { s in
                (s["partners"]?.arrayValue ?? []).contains { $0["id"] == id }
            }
            let last = lastContact(p, agreements)
            if ctx.json {
                guard case .object(var o) = p else { return ExitCode.ok }
                o["agreements"] = .array(agreements)
                o["sites"] = .array(sites)
                o["last_contact"] = last.map { .string($0.description) } ?? .null
                ctx.printJSON(.object(o))
                return ExitCode.ok
            }
            printPartnerLine(ctx, p)
            for (label, key) in [("City", "city"), ("Website", "website"), ("Parent", "parent"), ("Notes", "notes")] {
                if let v = p[key]?.stringValue { ctx.print("\(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(v)") }
            }
            ctx.print("Last contact \(last.map { "\($0.display)" } ?? "none recorded")")
            if let merged = p["merged_from"]?.arrayValue, !merged.isEmpty {
                ctx.print("Merged from  \(merged.compactMap(\.stringValue).joined(separator: ", "))")
            }
            ctx.print("")
            ctx.print("People (\(p["people"]?.arrayValue?.count ?? 0))")
            for x in p["people"]?.arrayValue ?? [] {
                var line = "  • \(x["name"]?.stringValue ?? "")"
                if let l = x["name_local"]?.stringValue { line += " (\(l))" }
                if let t = x["title"]?.stringValue { line += ", \(t)" }
                line += " — \(x["role"]?.stringValue ?? "")"
                if let e = x["email"]?.stringValue { line += " <\(e)>" }
                if let id = x["id"]?.stringValue { line += "  [\(id)]" }
                ctx.print(line)
            }
            ctx.print("Visits (\(p["visits"]?.arrayValue?.count ?? 0))")
            for v in p["visits"]?.arrayValue ?? [] {
                ctx.print(
                    "  \(v["ref"]?.stringValue ?? "")  \(v["when"]?.stringValue ?? "")  \(v["status"]?.stringValue ?? "")  "
                        + "\(v["title"]?.stringValue ?? "")\(v["lead"] == true ? "" : "  (joint)")")
            }
            ctx.print("Agreements (\(agreements.count))")
            for a in agreements {
                ctx.print(
                    "  \(a["current_reference"]?.stringValue ?? "")  \(a["status"]?.stringValue ?? "")  "
                        + (PartialDate.shown(a["signed_on"]?.stringValue ?? a["starts_on"]?.stringValue) ?? "")
                        + "  \(a["title"]?.stringValue ?? "")"
                )
            }
            if !sites.isEmpty {
                ctx.print("Sites (\(sites.count))")
                for s in sites { ctx.print("  \(s["name"]?.stringValue ?? "") — \(s["country_name"]?.stringValue ?? "")") }
            }
            return ExitCode.ok
        }
    }

    /// The latest of the last visit, agreements' signing and start, and their activities.
    static func lastContact(_ p: JSONValue, _ agreements: [JSONValue]) -> PartialDate? {
        var why = ""
        var dates = [p["last_visit"]?.stringValue].compactMap { $0.flatMap { PartialDate.parse($0, why: &why) } }
        for a in agreements {
            for k in ["signed_on", "starts_on"] {
                if let s = a[k]?.stringValue, let d = PartialDate.parse(s, why: &why) { dates.append(d) }
            }
            for act in a["activities"]?.arrayValue ?? [] {
                if let s = act["on"]?.stringValue, let d = PartialDate.parse(s, why: &why) { dates.append(d) }
            }
        }
        return dates.max()
    }

    static var partnerUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change a partner's entry (every visit and agreement naming it shows the change).",
            usage: "partner update ID [--name N] [--kind K] [--country CC] [--city C] … [--expect-version N]",
            arguments: [("ID", "The partner's id.")],
            options: partnerFields.map { OptionSpec([$0.flag], value: "VALUE", $0.help) } + [
                OptionSpec(["-f", "--file"], value: "FILE", "The fields to change as JSON."),
                OptionSpec(["--expect-version"], value: "N", "The version you last read (default: the current one)."),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            var p = try partnerParams(args)
            guard !p.members.isEmpty else { throw UsageError("nothing to change: give --name, --kind, --country, --city … or -f FILE") }
            p["id"] = .string(id)
            p["expected_version"] =
                args.value("--expect-version") != nil
                ? .int(Int64(try args.int("--expect-version", default: 1, in: 1...Int(Int32.max))))
                : try ctx.call("delegations", "partners.get", ["id": .string(id)])["version"] ?? 1
            return try changePartner(ctx, "partners.update", .object(p))
        }
    }

    static var partnerMerge: CLICommand {
        Command(
            name: "merge", abstract: "Merge a duplicate into the entry kept; both histories stay, visits and agreements follow.",
            usage: "partner merge DUPLICATE KEPT [--reason TEXT]",
            arguments: [("DUPLICATE", "The id merged away."), ("KEPT", "The id kept.")],
            options: [OptionSpec(["--reason"], value: "TEXT", "Why (kept in both histories).")]
        ) { args, ctx in
            var p: JSONObject = ["from": .string(try args.positional(0, "DUPLICATE")), "into": .string(try args.positional(1, "KEPT"))]
            if let r = args.value("--reason") { p["reason"] = .string(r) }
            return try changePartner(ctx, "partners.merge", .object(p))
        }
    }

    static var personAdd: CLICommand {
        Command(
            name: "add", abstract: "Add someone to a partner's people.",
            usage: "partner person add PARTNER --name N [--name-local N] [--title T] [--role R] [--email E] [--phone P]",
            arguments: [("PARTNER", "The partner's id.")],
            options: personOptions
        ) { args, ctx in
            guard let name = args.value("--name") else { throw UsageError("missing --name") }
            var person: JSONObject = ["name": .string(name)]
            for (flag, key) in personFlags { if let v = args.value(flag) { person[key] = .string(v) } }
            return try changePartner(
                ctx, "partners.add_person", ["partner": .string(try args.positional(0, "PARTNER")), "person": .object(person)])
        }
    }

    static let personOptions = [
        OptionSpec(["--name"], value: "NAME", "Name (romanised)."), OptionSpec(["--name-local"], value: "NAME", "In their own script."),
        OptionSpec(["--title"], value: "TITLE", "e.g. Minister for the Development of ICT."),
        OptionSpec(["--role"], value: "ROLE", "head, minister, official, principal, teacher, student, interpreter, staff, other."),
        OptionSpec(["--email"], value: "EMAIL", "Email."), OptionSpec(["--phone"], value: "PHONE", "Phone."),
    ]

    static let partnerVersionOption = OptionSpec(
        ["--expect-version"], value: "N", "The partner's version you last read (default: the current one).")

    static let personFlags = [
        ("--name-local", "name_local"), ("--title", "title"), ("--role", "role"), ("--email", "email"), ("--phone", "phone"),
    ]

    static let personArguments = [
        ("PARTNER", "The partner's id."), ("WHO", "The person's id (per-…) or email, as 'partner show' lists them."),
    ]

    static var personUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change someone's details (an empty value clears a field).",
            usage: "partner person update PARTNER WHO [--name N] [--title T] [--role R] [--email E] [--phone P] [--expect-version N]",
            arguments: personArguments,
            options: personOptions + [partnerVersionOption]
        ) { args, ctx in
            var p = try personParams(args, ctx)
            for (flag, key) in [("--name", "name")] + personFlags {
                if let v = args.value(flag) { p[key] = v.isEmpty ? .null : .string(v) }
            }
            guard p.count > 3 else { throw UsageError("nothing to change: give --name, --title, --email … (see --help)") }
            return try changePartner(ctx, "partners.update_person", .object(p))
        }
    }

    static var personRemove: CLICommand {
        Command(
            name: "remove", abstract: "Someone is no longer at the partner (kept in its history).",
            usage: "partner person remove PARTNER WHO [--expect-version N]", arguments: personArguments,
            options: [partnerVersionOption]
        ) { args, ctx in try changePartner(ctx, "partners.remove_person", .object(try personParams(args, ctx))) }
    }

    /// The partner, the person and the version a change to one of its people is made at.
    static func personParams(_ args: ParsedArgs, _ ctx: CLIContext) throws -> JSONObject {
        let partner = try args.positional(0, "PARTNER")
        return [
            "partner": .string(partner), "person": .string(try args.positional(1, "WHO")),
            "expected_version": args.value("--expect-version") != nil
                ? .int(Int64(try args.int("--expect-version", default: 1, in: 1...Int(Int32.max))))
                : try ctx.call("delegations", "partners.get", ["id": .string(partner)])["version"] ?? 1,
        ]
    }

    static var siteCommand: CLICommand {
        Command(
            name: "site", abstract: "BIT's own places abroad (workstations, offices), counted by their own country.",
            usage: "site <subcommand>",
            subcommands: [
                Command(
                    name: "create", abstract: "Record a site from a JSON file.", usage: "site create -f FILE",
                    options: [OptionSpec(["-f", "--file"], value: "FILE", "The site as JSON ('-' for stdin).")]
                ) { args, ctx in
                    let s = try ctx.call("agreements", "sites.create", try readJSONFile(args.value("-f")))
                    if ctx.json { ctx.printJSON(s) } else { ctx.print("\(s["id"]?.stringValue ?? "")  \(s["name"]?.stringValue ?? "")") }
                    return ExitCode.ok
                },
                Command(
                    name: "list", abstract: "Sites by name.", usage: "site list [--country CC]",
                    options: [OptionSpec(["--country"], value: "CC", "Sites in this country.")]
                ) { args, ctx in
                    var p: JSONObject = [:]
                    if let c = args.value("--country") { p["country"] = .string(c) }
                    let items = try ctx.call("agreements", "sites.list", .object(p))["items"]?.arrayValue ?? []
                    if ctx.json { ctx.printJSON(.array(items)); return ExitCode.ok }
                    var t = Table(["ID", "NAME", "KIND", "COUNTRY", "SINCE", "AGREEMENT", "PARTNERS"])
                    for s in items {
                        t.add([
                            s["id"]?.stringValue ?? "", s["name"]?.stringValue ?? "", s["kind"]?.stringValue ?? "",
                            s["country_name"]?.stringValue ?? "", PartialDate.shown(s["established"]?.stringValue) ?? "",
                            s["agreement_reference"]?.stringValue ?? "",
                            (s["partners"]?.arrayValue ?? []).map {
                                "\($0["name"]?.stringValue ?? "") (\($0["country"]?.stringValue ?? ""))"
                            }
                            .joined(separator: "; "),
                        ])
                    }
                    ctx.print(t.rows.isEmpty ? "(no sites)" : t.render())
                    return ExitCode.ok
                },
            ])
    }
}
