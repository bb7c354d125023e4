import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var reportCommand: CLICommand {
        Command(
            name: "report",
            abstract: "Reports on partners and agreements: by continent, the visit funnel, dormant and expiring partnerships.",
            usage: "report <subcommand>", subcommands: [reportPartners, reportFunnel, reportDormant, reportExpiring])
    }

    static var reportPartners: CLICommand {
        Command(
            name: "partners", abstract: "Partners and agreements by continent, region, country, kind or year; --svg/--html draw the chart.",
            usage:
                "report partners [--by continent|region|country|kind|year] [--active-on DATE | --signed-in YEAR] [--svg FILE] [--html "
                + "FILE] [--json]",
            options: [
                OptionSpec(["--by"], value: "GROUP", "continent (default), region, country, kind or year."),
                OptionSpec(["--active-on"], value: "DATE", "Agreements in force on this date (default today)."),
                OptionSpec(["--signed-in"], value: "YEAR", "Agreements signed in this year instead."),
                OptionSpec(["--svg"], value: "FILE", "Write the chart as SVG ('-': to stdout)."),
                OptionSpec(["--html"], value: "FILE", "Write the chart and table as an HTML page."),
            ]
        ) { args, ctx in
            var p: JSONObject = ["by": .string(args.value("--by") ?? "continent")]
            if let d = args.value("--active-on") { p["active_on"] = .string(d) }
            if args.value("--signed-in") != nil {
                p["signed_in"] = .int(Int64(try args.int("--signed-in", default: 2024, in: 1900...2200)))
            }
            let r = try ctx.call("agreements", "agreements.report.partners", .object(p))
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
            var t = Table([(r["by"]?.stringValue ?? "").uppercased(), "PARTNERS", "AGREEMENTS", "NEGOTIATING", "SITES", "WHO"])
            for row in r["rows"]?.arrayValue ?? [] {
                let sites = (row["site_names"]?.arrayValue ?? []).compactMap(\.stringValue).map { "site: \($0)" }
                t.add([
                    row["key"]?.stringValue ?? "", String(row["partners"]?.intValue ?? 0), String(row["agreements"]?.intValue ?? 0),
                    String(row["negotiating"]?.intValue ?? 0), String(row["sites"]?.intValue ?? 0),
                    ((row["partner_names"]?.arrayValue ?? []).compactMap(\.stringValue) + sites).joined(separator: "; "),
                ])
            }
            ctx.print(PartnerChart.subtitle(r))
            if let c = r["counting"]?.stringValue { ctx.print("Counted: \(c).") }
            ctx.print(t.rows.isEmpty ? "(no agreements)" : t.render())
            return ExitCode.ok
        }
    }

    static var reportFunnel: CLICommand {
        Command(
            name: "funnel", abstract: "Visits → agreements that cite them → agreements with recorded activities, per continent.",
            usage: "report funnel [--json]"
        ) { _, ctx in
            let r = try ctx.call("agreements", "agreements.report.funnel")
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table(["CONTINENT", "VISITS", "→ AGREEMENTS", "CONVERSION", "AGREEMENTS", "WITH ACTIVITIES"])
            for row in r["rows"]?.arrayValue ?? [] {
                t.add([
                    row["continent"]?.stringValue ?? "", String(row["visits"]?.intValue ?? 0),
                    String(row["visits_leading_to_agreements"]?.intValue ?? 0),
                    row["visit_conversion_pct"]?.doubleValue.map { "\($0) %" } ?? "-", String(row["agreements"]?.intValue ?? 0),
                    String(row["agreements_with_activities"]?.intValue ?? 0),
                ])
            }
            let tot = r["totals"]
            ctx.print(
                "\(tot?["visits"]?.intValue ?? 0) visits (not cancelled); "
                    + "\(tot?["visits_leading_to_agreements"]?.intValue ?? 0) of them led to agreements; "
                    + "\(tot?["agreements_citing_visits"]?.intValue ?? 0) agreements cite those visits, "
                    + "\(tot?["agreements_with_activities"]?.intValue ?? 0) of them with recorded activities."
            )
            ctx.print("Each agreement counts once above; in the table, under each continent it has a cited visit in.")
            ctx.print(t.render())
            return ExitCode.ok
        }
    }

    static var reportDormant: CLICommand {
        Command(
            name: "dormant", abstract: "Active agreements with no linked visit or activity in N months.",
            usage: "report dormant [--months N] [--json]",
            options: [OptionSpec(["--months"], value: "N", "Default 12.")]
        ) { args, ctx in
            let r = try ctx.call(
                "agreements", "agreements.report.dormant", ["months": .int(Int64(try args.int("--months", default: 12, in: 1...600)))])
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            ctx.print("Active agreements with no visit or activity since \(r["cutoff"]?.stringValue ?? ""):")
            var t = Table(["REFERENCE", "LAST CONTACT", "PARTNERS", "COORDINATOR", "TITLE"])
            for row in r["rows"]?.arrayValue ?? [] {
                t.add([
                    row["reference"]?.stringValue ?? "", row["last_contact"]?.stringValue ?? "never",
                    (row["partners"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; "),
                    row["coordinator"]?.stringValue ?? "", row["title"]?.stringValue ?? "",
                ])
            }
            ctx.print(t.rows.isEmpty ? "(none: every active partnership has had a visit or an activity)" : t.render())
            return ExitCode.ok
        }
    }

    static var reportExpiring: CLICommand {
        Command(
            name: "expiring", abstract: "Agreements ending within N days and their renewal status.",
            usage: "report expiring [--days N] [--json]",
            options: [OptionSpec(["--days"], value: "N", "Default 90.")]
        ) { args, ctx in
            let r = try ctx.call(
                "agreements", "agreements.report.expiring", ["days": .int(Int64(try args.int("--days", default: 90, in: 1...3650)))])
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table(["REFERENCE", "ENDS", "DAYS LEFT", "RENEWAL", "PARTNERS", "TITLE"])
            for row in r["rows"]?.arrayValue ?? [] {
                t.add([
                    row["reference"]?.stringValue ?? "", row["ends_on"]?.stringValue ?? "", String(row["days_left"]?.intValue ?? 0),
                    row["renewal"]?.stringValue ?? "",
                    (row["partners"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; "), row["title"]?.stringValue ?? "",
                ])
            }
            ctx.print(t.rows.isEmpty ? "(nothing ends within \(r["days"]?.intValue ?? 0) days)" : t.render())
            return ExitCode.ok
        }
    }
}
