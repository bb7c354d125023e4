import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var partnerCommand: CLICommand {
        Command(
            name: "partner",
            abstract:
                "The partner registry: institutions, their people, their visits and agreements; merge duplicates.",
            usage: "partner <subcommand>",
            subcommands: [
                partnerCreate, partnerList, partnerShow, partnerUpdate, partnerMerge,
                Command(
                    name: "person",
                    abstract: "People at a partner institution.",
                    usage: "partner person add|update|remove|show",
                    subcommands: [personAdd, personUpdate, personRemove, personShow]
                ),
            ]
        )
    }

    /// The options describing a partner, and the fields they set.
    static let partnerFields: [FieldFlag] = [
        FieldFlag(flag: "--name", key: "name", help: "Name in English (or romanised)."),
        FieldFlag(flag: "--name-local", key: "name_local", help: "Name in its own script."),
        FieldFlag(flag: "--kind", key: "kind", help: "What kind of institution.", oneOf: PartnerKind.self),
        FieldFlag(flag: "--country", key: "country", help: "ISO 3166-1 alpha-2 code, e.g. TH."),
        FieldFlag(flag: "--city", key: "city", help: "City."),
        FieldFlag(flag: "--website", key: "website", help: "Website."),
        FieldFlag(flag: "--parent", key: "parent", help: "The institution it belongs to (a partner id)."),
        FieldFlag(flag: "--notes", key: "notes", help: "Notes."),
    ]

    static func printPartnerLine(_ ctx: CLIContext, _ p: PartnerRecord) {
        var line = "\(p.id)  \(p.draft.name)"
        if let l = p.draft.nameLocal { line += " (\(l))" }
        ctx.print(
            line
                + " — \(p.draft.kind.rawValue), \(p.countryName.isEmpty ? p.draft.country : p.countryName) [version "
                + "\(p.version)]"
        )
    }

    /// Calls a registry method that answers the partner, and prints it.
    static func changePartner<P>(_ ctx: CLIContext, _ method: Method<P, PartnerRecord>, _ params: P) throws -> Int32 {
        let p = try ctx.call(method, params)
        if ctx.json { ctx.printJSON(p) } else { printPartnerLine(ctx, p) }
        return ExitCode.ok
    }

    static var partnerCreate: CLICommand {
        Command(
            name: "create",
            abstract: "Register a partner institution.",
            usage:
                "partner create --name N --kind K --country CC [--name-local N] [--city C] [--website URL] [--parent "
                + "ID] | -f FILE",
            options: [OptionSpec(["-f", "--file"], value: "FILE", "The partner as JSON (with people), '-' for stdin.")]
                + partnerFields.map(\.option)
        ) { args, ctx in
            try changePartner(
                ctx,
                PartnersAPI.create,
                try input(PartnerCreate.self, try changes(args, partnerFields), "the partner")
            )
        }
    }

    static var partnerList: CLICommand {
        Command(
            name: "list",
            abstract: "Partners by name.",
            usage: "partner list [--country CC | --continent C] [--kind K] [--text WORDS] [--merged] [--all]",
            options: [
                OptionSpec(["--country"], value: "CC", "Partners in this country."),
                OptionSpec(["--continent"], Continent.self, "Partners in a country of this continent."),
                OptionSpec(["--kind"], PartnerKind.self, ""),
                OptionSpec(["--text"], value: "WORDS", "Words in the name (either script) or city."),
                OptionSpec(["--merged"], "Also the entries merged into others."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 100)."),
                OptionSpec(["--all"], "Every page."),
            ]
        ) { args, ctx in
            var f = PartnerFilter(
                text: args.value("--text"),
                limit: try args.int("--limit", default: 100, in: 1...1000)
            )
            f.country = args.value("--country")
            f.continent = try args.choice("--continent", Continent.self)
            f.kind = try args.choice("--kind", PartnerKind.self)
            if args.has("--merged") { f.includeMerged = true }
            let (items, next) = try ctx.list(PartnersAPI.list, f, all: args.has("--all"))
            if ctx.json { ctx.printJSONList(items, next: next); return ExitCode.ok }
            var t = Table(["ID", "NAME", "KIND", "COUNTRY", "CITY", "PEOPLE"])
            for x in items {
                var name = x.draft.name
                if let l = x.draft.nameLocal { name += " (\(l))" }
                if x.status == .merged { name += " → merged into \(x.mergedInto ?? "?")" }
                t.add([
                    x.id, name, x.draft.kind.rawValue, "\(x.draft.country) \(x.countryName)", x.draft.city ?? "",
                    String(x.people.count),
                ])
            }
            ctx.print(t.rows.isEmpty ? "(no partners match)" : t.render())
            if let next { ctx.print("(more: --all; next cursor \(next))") }
            return ExitCode.ok
        }
    }

    /// `partner show --json`: the registry's entry with the agreements and sites naming it.
    struct PartnerSummary: Encodable {
        var partner: PartnerView
        var agreements: [Agreement]
        var sites: [Site]
        var lastContact: PartialDate?

        enum CodingKeys: String, CodingKey { case agreements, sites, lastContact = "last_contact" }

        func encode(to encoder: any Encoder) throws {
            try partner.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(agreements, forKey: .agreements)
            try c.encode(sites, forKey: .sites)
            try c.encode(lastContact, forKey: .lastContact)
        }
    }

    static var partnerShow: CLICommand {
        Command(
            name: "show",
            abstract: "A partner with its people, visits, agreements, sites and last contact.",
            usage: "partner show ID",
            arguments: [("ID", "The partner's id (par-…); an id merged into another shows the one kept.")]
        ) { args, ctx in
            let v = try ctx.call(PartnersAPI.get, PartnerID(try args.positional(0, "ID")))
            let p = v.partner
            var filter = AgreementFilter(limit: 200)
            filter.partner = p.id
            let agreements = try ctx.list(AgreementsAPI.list, filter, all: true).items
            let sites = try ctx.call(SitesAPI.list, SiteFilter()).items.filter { s in
                s.draft.partners.contains { $0.id == p.id }
            }
            let last = lastContact(v, agreements, today: LocalDate.utc(millis: wallClockMillis()))
            if ctx.json {
                ctx.printJSON(PartnerSummary(partner: v, agreements: agreements, sites: sites, lastContact: last))
                return ExitCode.ok
            }
            printPartnerLine(ctx, p)
            for (label, value) in [
                ("City", p.draft.city), ("Website", p.draft.website), ("Parent", p.draft.parent),
                ("Notes", p.draft.notes),
            ] {
                if let value { ctx.print("\(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(value)") }
            }
            ctx.print("Last contact \(last.map(\.display) ?? "none recorded")")
            if !p.mergedFrom.isEmpty { ctx.print("Merged from  \(p.mergedFrom.joined(separator: ", "))") }
            ctx.print("")
            ctx.print("People (\(p.people.count))")
            for x in p.people {
                var line = "  • \(x.name)"
                if let l = x.nameLocal { line += " (\(l))" }
                if let t = x.title { line += ", \(t)" }
                line += " — \(x.role.rawValue)"
                if let e = x.email { line += " <\(e)>" }
                ctx.print(line + "  [\(x.id)]")
            }
            ctx.print("Visits (\(v.visits.count))")
            for x in v.visits {
                ctx.print("  \(x.ref)  \(x.when)  \(x.status.rawValue)  \(x.title)\(x.lead ? "" : "  (joint)")")
            }
            ctx.print("Agreements (\(agreements.count))")
            for a in agreements {
                let when = PartialDate.shown(a.draft.signedOn ?? a.draft.startsOn) ?? ""
                ctx.print("  \(a.currentReference)  \(a.status.rawValue)  \(when)  \(a.draft.title)")
            }
            if !sites.isEmpty {
                ctx.print("Sites (\(sites.count))")
                for s in sites { ctx.print("  \(s.draft.name) — \(s.countryName)") }
            }
            return ExitCode.ok
        }
    }

    /// The latest contact that has happened by `today`: the last visit, agreements' signing and
    /// start, and their activities (a date still to come is not a contact yet).
    static func lastContact(_ p: PartnerView, _ agreements: [Agreement], today: LocalDate) -> PartialDate? {
        var why = ""
        var dates = [p.lastVisit].compactMap { $0.flatMap { PartialDate.parse($0, why: &why) } }
        for a in agreements {
            dates += [a.draft.signedOn, a.draft.startsOn].compactMap { $0 }
            dates += a.activities.compactMap { PartialDate.parse($0.on.description, why: &why) }
        }
        return dates.filter { $0.first <= today }.max()
    }

    static var partnerUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change a partner's entry (every visit and agreement naming it shows the change).",
            usage: "partner update ID [--name N] [--kind K] [--country CC] [--city C] … [--expect-version N]",
            arguments: [("ID", "The partner's id.")],
            options: partnerFields.map(\.option) + [
                OptionSpec(["-f", "--file"], value: "FILE", "The fields to change as JSON."), partnerVersionOption,
            ]
        ) { args, ctx in
            let p = try changes(args, partnerFields)
            guard !p.members.isEmpty else {
                throw UsageError("nothing to change: give --name, --kind, --country, --city … or -f FILE")
            }
            return try changePartner(
                ctx,
                PartnersAPI.update,
                PartnerUpdate(id: try args.positional(0, "ID"), expectedVersion: try expectedVersion(args), changes: p)
            )
        }
    }

    static var partnerMerge: CLICommand {
        Command(
            name: "merge",
            abstract: "Merge a duplicate into the entry kept; both histories stay, visits and agreements follow.",
            usage: "partner merge DUPLICATE KEPT [--reason TEXT]",
            arguments: [("DUPLICATE", "The id merged away."), ("KEPT", "The id kept.")],
            options: [OptionSpec(["--reason"], value: "TEXT", "Why (kept in both histories).")]
        ) { args, ctx in
            let p = PartnerMerge(
                from: try args.positional(0, "DUPLICATE"),
                into: try args.positional(1, "KEPT"),
                reason: args.value("--reason")
            )
            return try changePartner(ctx, PartnersAPI.merge, p)
        }
    }

    static let personFields = FieldFlag.person(title: "e.g. Minister for the Development of ICT.", email: "Email.")

    static var personAdd: CLICommand {
        Command(
            name: "add",
            abstract: "Add someone to a partner's people.",
            usage:
                "partner person add PARTNER --name N [--name-local N] [--title T] [--role R] [--email E] [--phone P]",
            arguments: [("PARTNER", "The partner's id.")],
            options: personFields.map(\.option)
        ) { args, ctx in
            guard args.value("--name") != nil else { throw UsageError("missing --name") }
            let person = try input(
                Person.self,
                JSONObject(fields(args, personFields).members.filter { $0.value != .null }),
                "the person"
            )
            return try changePartner(
                ctx,
                PartnersAPI.addPerson,
                PersonAdd(partner: try args.positional(0, "PARTNER"), person: person)
            )
        }
    }

    static let partnerVersionOption = OptionSpec(
        ["--expect-version"],
        value: "N",
        "The partner's version you last read: a change made since is refused (default: the one stored)."
    )

    static let personArguments = [
        ("PARTNER", "The partner's id."), ("WHO", "The person's id (per-…) or email, as 'partner show' lists them."),
    ]

    static var personUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change someone's details (an empty value clears a field).",
            usage:
                "partner person update PARTNER WHO [--name N] [--title T] [--role R] [--email E] [--phone P] "
                + "[--expect-version N]",
            arguments: personArguments,
            options: personFields.map(\.option) + [partnerVersionOption]
        ) { args, ctx in
            let changes = fields(args, personFields)
            guard changes.count > 0 else {
                throw UsageError("nothing to change: give --name, --title, --email … (see --help)")
            }
            let p = PersonUpdate(
                partner: try args.positional(0, "PARTNER"),
                person: try args.positional(1, "WHO"),
                expectedVersion: try expectedVersion(args),
                changes: changes
            )
            return try changePartner(ctx, PartnersAPI.updatePerson, p)
        }
    }

    static var personRemove: CLICommand {
        Command(
            name: "remove",
            abstract: "Someone is no longer at the partner (kept in its history).",
            usage: "partner person remove PARTNER WHO [--expect-version N]",
            arguments: personArguments,
            options: [partnerVersionOption]
        ) { args, ctx in
            let p = PersonRemove(
                partner: try args.positional(0, "PARTNER"),
                person: try args.positional(1, "WHO"),
                expectedVersion: try expectedVersion(args)
            )
            return try changePartner(ctx, PartnersAPI.removePerson, p)
        }
    }

    static var siteCommand: CLICommand {
        Command(
            name: "site",
            abstract: "BIT's own places abroad (workstations, offices), counted by their own country.",
            usage: "site <subcommand>",
            subcommands: [
                Command(
                    name: "create",
                    abstract: "Record a site from a JSON file.",
                    usage: "site create -f FILE",
                    options: [OptionSpec(["-f", "--file"], value: "FILE", "The site as JSON ('-' for stdin).")]
                ) { args, ctx in
                    let s = try ctx.call(
                        SitesAPI.create,
                        try input(SiteDraft.self, try readJSONFile(args.value("-f")), "the site")
                    )
                    if ctx.json { ctx.printJSON(s) } else { ctx.print("\(s.id)  \(s.draft.name)") }
                    return ExitCode.ok
                },
                Command(
                    name: "list",
                    abstract: "Sites by name.",
                    usage: "site list [--country CC]",
                    options: [OptionSpec(["--country"], value: "CC", "Sites in this country.")]
                ) { args, ctx in
                    let items = try ctx.call(SitesAPI.list, SiteFilter(country: args.value("--country"))).items
                    if ctx.json { ctx.printJSON(items); return ExitCode.ok }
                    var t = Table(["ID", "NAME", "KIND", "COUNTRY", "SINCE", "AGREEMENT", "PARTNERS"])
                    for s in items {
                        t.add([
                            s.id, s.draft.name, s.draft.kind.rawValue, s.countryName,
                            PartialDate.shown(s.draft.established) ?? "",
                            s.agreementReference ?? "",
                            s.draft.partners.map { "\($0.name ?? "") (\($0.country ?? ""))" }.joined(separator: "; "),
                        ])
                    }
                    ctx.print(t.rows.isEmpty ? "(no sites)" : t.render())
                    return ExitCode.ok
                },
            ]
        )
    }
}
