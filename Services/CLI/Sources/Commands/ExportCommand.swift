import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var exportCommand: CLICommand {
        Command(
            name: "export",
            abstract: "Write partners, visits, agreements and sites as the rows import reads (JSON, or CSV sheets).",
            usage: "export [--what all|partners|visits|agreements|sites] [--format json|csv] [-o FILE|DIR]",
            options: [
                OptionSpec(["--what"], oneOf: ["all"] + ImportFile.sections, value: "WHAT", "Default all."),
                OptionSpec(["--format"], oneOf: ["json", "csv"], value: "FORMAT", "Default json."),
                OptionSpec(
                    ["-o", "--output"],
                    value: "PATH",
                    "A file (JSON, or one CSV section), or a directory for all CSV sheets (SECTION.csv); "
                        + "default standard output."
                ),
            ],
            discussion: """
                JSON is one document {partners, visits, agreements, sites}: liaison import -f FILE takes it back \
                whole (people, sessions, hosts, links). CSV sheets hold the columns import reads (RFC 4180, \
                UTF-8 with a byte-order mark, a text that would run as a formula behind an apostrophe): \
                liaison import --as partners -f partners.csv --as visits -f visits.csv … takes them back, \
                without the people and sessions. Visits not yet over go as proposed: an import mails nobody.
                """
        ) { args, ctx in
            let what = args.value("--what") ?? "all"
            let csv = args.value("--format") == "csv"
            // JSON records carry their people; CSV sheets have a sheet of them.
            let sections =
                what != "all" ? [what] : csv ? ImportFile.sections : ImportFile.sections.filter { $0 != "people" }
            let out = args.value("-o")
            if csv && sections.count > 1 && out == nil {
                throw UsageError("CSV of every section needs -o DIR (one sheet each), or --what SECTION")
            }
            let file = try collectExport(sections, ctx)
            if !csv {
                let text = JSONWriter.pretty(file.json(sections)) + "\n"
                if let out { try write(text, to: out) } else { ctx.write(text) }
            } else if sections.count == 1 {
                let text = file.csv(sections[0])
                if let out { try write(text, to: out) } else { ctx.write(text) }
            } else if let dir = out {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for s in sections { try write(file.csv(s), to: "\(dir)/\(s).csv") }
            }
            if out != nil {
                let counts = sections.map { "\($0) \($0 == "people" ? file.people.count : file.rows[$0]?.count ?? 0)" }
                    .joined(separator: " · ")
                ctx.note("Exported \(counts) to \(out!)")
            }
            return ExitCode.ok
        }
    }

    /// The records of `sections`, page by page, as import rows.
    static func collectExport(_ sections: [String], _ ctx: CLIContext) throws -> ExportFile {
        var file = ExportFile()
        // The people sheet is made of the partners' and the visits' people.
        let sections = sections.contains("people") ? sections + ["partners", "visits"] : sections
        if sections.contains("partners") {
            file.add(partners: try ctx.list(PartnersAPI.list, PartnerFilter(limit: 1000), all: true).items)
        }
        if sections.contains("visits") {
            file.add(visits: try ctx.list(DelegationsAPI.export, ExportPage(limit: 500), all: true).items)
        }
        // Sites name their agreement: the agreements are read for them too.
        var agreements: [Agreement] = []
        if sections.contains("agreements") || sections.contains("sites") {
            agreements = try ctx.list(AgreementsAPI.list, AgreementFilter(limit: 200), all: true).items
        }
        if sections.contains("agreements") { file.add(agreements: agreements) }
        if sections.contains("sites") {
            file.add(sites: try ctx.call(SitesAPI.list, SiteFilter()).items, of: agreements)
        }
        return file
    }

    /// Writes `text` to `path`, saying why when it cannot (exit 73).
    static func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw CLIError(ExitCode.cantCreate, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
