import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var reportCommand: CLICommand {
        Command(
            name: "report",
            abstract:
                "Reports on partners and agreements: by continent, the visit funnel, dormant and expiring "
                + "partnerships.",
            usage: "report <subcommand>",
            subcommands: [reportPartners, reportRegistry, reportFunnel, reportDormant, reportExpiring]
        )
    }

    static var reportPartners: CLICommand {
        Command(
            name: "partners",
            abstract:
                "Partners and agreements by continent, region, country, kind or year; --svg/--html draw the chart.",
            usage:
                "report partners [--by continent|region|country|kind|year] [--active-on DATE | --signed-in YEAR] "
                + "[--svg FILE] [--html FILE] [--json]",
            options: [
                OptionSpec(["--by"], ReportGrouping.self, "Default continent."),
                OptionSpec(["--active-on"], value: "DATE", "Agreements in force on this date (default today)."),
                OptionSpec(["--signed-in"], value: "YEAR", "Agreements signed in this year instead."),
                OptionSpec(["--svg"], value: "FILE", "Write the chart as SVG ('-': to stdout)."),
                OptionSpec(["--html"], value: "FILE", "Write the chart and table as an HTML page."),
            ]
        ) { args, ctx in
            let p = PartnersReportParams(
                by: try args.choice("--by", ReportGrouping.self) ?? .continent,
                activeOn: try day(args, "--active-on"),
                signedIn: args.value("--signed-in") == nil
                    ? nil : try args.int("--signed-in", default: 2024, in: 1900...2200)
            )
            let r = try ctx.call(AgreementsAPI.partnersReport, p)
            for (flag, render) in [("--svg", PartnerChart.svg), ("--html", PartnerChart.html)] {
                guard let file = args.value(flag) else { continue }
                if file == "-" {  // the chart on stdout, nothing else
                    ctx.print(render(r))
                    return ExitCode.ok
                }
                guard FileManager.default.createFile(atPath: file, contents: Data(render(r).utf8)) else {
                    throw CLIError(ExitCode.failure, "cannot write \(file)")
                }
                ctx.note("wrote \(file)")
            }
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table([r.by.rawValue.uppercased(), "PARTNERS", "AGREEMENTS", "NEGOTIATING", "SITES", "WHO"])
            for row in r.rows {
                let who = (row.partnerNames + row.siteNames.map { "site: \($0)" }).joined(separator: "; ")
                t.add([
                    row.key, String(row.partners), String(row.agreements), String(row.negotiating), String(row.sites),
                    who,
                ])
            }
            ctx.print(PartnerChart.subtitle(r))
            ctx.print("Counted: \(r.counting).")
            ctx.print(t.rows.isEmpty ? "(no agreements)" : t.render())
            return ExitCode.ok
        }
    }

    static var reportFunnel: CLICommand {
        Command(
            name: "funnel",
            abstract: "Visits → agreements that cite them → agreements with recorded activities, per continent.",
            usage: "report funnel [--json]"
        ) { _, ctx in
            let r = try ctx.call(AgreementsAPI.funnelReport, NoParams())
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table(["CONTINENT", "VISITS", "→ AGREEMENTS", "CONVERSION", "AGREEMENTS", "WITH ACTIVITIES"])
            for row in r.rows {
                t.add([
                    row.continent, String(row.visits), String(row.visitsLeadingToAgreements),
                    row.visitConversionPct.map { "\($0) %" } ?? "-",
                    String(row.agreements), String(row.agreementsWithActivities),
                ])
            }
            let tot = r.totals
            ctx.print(
                "\(tot.visits) visits (not cancelled); \(tot.visitsLeadingToAgreements) of them led to agreements; "
                    + "\(tot.agreementsCitingVisits) agreements cite those visits, \(tot.agreementsWithActivities) of "
                    + "them with recorded activities."
            )
            ctx.print("Each agreement counts once above; in the table, under each continent it has a cited visit in.")
            ctx.print(t.render())
            return ExitCode.ok
        }
    }

    static var reportRegistry: CLICommand {
        Command(
            name: "registry",
            abstract: "The partner registry counted by continent, country or kind, with or without agreements.",
            usage: "report registry [--by continent|country|kind] [--json]",
            options: [OptionSpec(["--by"], RegistryReportParams.Axis.self, "Default continent.")]
        ) { args, ctx in
            let r = try ctx.call(
                PartnersAPI.report,
                RegistryReportParams(by: try args.choice("--by", RegistryReportParams.Axis.self))
            )
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table([r.by.uppercased(), "PARTNERS", "WITH VISITS", "VISITS"])
            for row in r.rows + [r.totals] {
                t.add([
                    row.name.map { "\(row.key) \($0)" } ?? row.key, String(row.partners), String(row.withVisits),
                    String(row.visits),
                ])
            }
            ctx.print(t.render())
            return ExitCode.ok
        }
    }

    static var reportDormant: CLICommand {
        Command(
            name: "dormant",
            abstract: "Active agreements with no linked visit or activity in N months.",
            usage: "report dormant [--months N] [--json]",
            options: [OptionSpec(["--months"], value: "N", "Default 12.")]
        ) { args, ctx in
            let r = try ctx.call(
                AgreementsAPI.dormantReport,
                DormantParams(months: try args.int("--months", default: 12, in: 1...600))
            )
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            ctx.print("Active agreements with no visit or activity since \(r.cutoff):")
            var t = Table(["REFERENCE", "LAST CONTACT", "PARTNERS", "COORDINATOR", "TITLE"])
            for row in r.rows {
                t.add([
                    row.reference, PartialDate.shown(row.lastContactKnown) ?? row.lastContact ?? "never",
                    row.partners.joined(separator: "; "), row.coordinator,
                    row.title,
                ])
            }
            ctx.print(t.rows.isEmpty ? "(none: every active partnership has had a visit or an activity)" : t.render())
            return ExitCode.ok
        }
    }

    static var reportExpiring: CLICommand {
        Command(
            name: "expiring",
            abstract: "Agreements ending within N days and their renewal status.",
            usage: "report expiring [--days N] [--json]",
            options: [OptionSpec(["--days"], value: "N", "Default 90.")]
        ) { args, ctx in
            let r = try ctx.call(
                AgreementsAPI.expiringReport,
                ExpiringParams(days: try args.int("--days", default: 90, in: 1...3650))
            )
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table(["REFERENCE", "ENDS", "DAYS LEFT", "RENEWAL", "PARTNERS", "TITLE"])
            for row in r.rows {
                t.add([
                    row.reference, row.endsOn, String(row.daysLeft), row.renewal, row.partners.joined(separator: "; "),
                    row.title,
                ])
            }
            ctx.print(t.rows.isEmpty ? "(nothing ends within \(r.days) days)" : t.render())
            return ExitCode.ok
        }
    }
}
