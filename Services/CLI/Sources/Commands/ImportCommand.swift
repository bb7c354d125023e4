import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    /// What `import --json` prints.
    struct ImportOutcome: Encodable {
        var applied: Bool
        var problems: [ImportProblem]? = nil
        var delegations: ImportReport? = nil
        var agreements: ImportReport? = nil
    }

    /// A problem as `import` prints it: the services' (section, index from 0) with the row as
    /// the file numbers it.
    struct ImportProblem: Encodable {
        var section: String
        var index: Int
        var key: String?
        var field, message: String
        /// `visits.csv row 5` (the header is row 1), `trip.json visits 3`.
        var row: String
    }

    /// Each file given with `-f` and the section `--as` gives its rows: the `--as` before it (a
    /// file before the first `--as` takes that one), as `gcc -x` applies to the files after it.
    static func importFiles(_ args: ParsedArgs) -> [(path: String, section: String?)] {
        var current: String?
        var files: [(path: String, section: String?)] = []
        for (name, value) in args.sequence {
            if name == "--as" { current = value } else if name == "-f" { files.append((value, current)) }
        }
        let first = args.values("--as").first
        return files.map { ($0.path, $0.section ?? first) }
    }

    static var importCommand: CLICommand {
        Command(
            name: "import",
            abstract:
                "Import partners, visits, agreements and sites from JSON or CSV (spreadsheet exports), all checked "
                + "first: nothing half-done.",
            usage: "import [--as SECTION] -f FILE [[--as SECTION] -f FILE …] [--dry-run] [--json]",
            options: [
                OptionSpec(
                    ["-f", "--file"],
                    value: "FILE",
                    "A .json file ({partners, visits, agreements, sites}) or a .csv export; repeatable."
                ),
                OptionSpec(
                    ["--as"],
                    oneOf: ImportFile.sections,
                    value: "SECTION",
                    "What the rows of the CSV files after it are, unless a file has a record column; repeatable "
                        + "(--as partners -f p.csv --as visits -f v.csv)."
                ),
                OptionSpec(["--dry-run"], "Check every row and say what would be done; write nothing."),
            ],
            discussion: """
                Rows name each other by key: a visit's partners column (or partners: [{"partner": KEY}]) names \
                partners of the \
                import, registry ids (par-…), or names described by partner_kind and country; an agreement's visits \
                names visits \
                of the import; a site's agreement names an agreement of the import. Past visits (status completed or \
                cancelled) \
                and agreements are recorded as history: nothing is mailed. Importing the same file again finds what is \
                there.
                CSV columns — partners: key, name, name_local, kind, country, city, website, notes. visits: key, \
                title, direction, \
                partners (;), partner_kind, country, date (2018, 2024-10, ~2024) or starts_at/ends_at, status, \
                purpose, topics (;), \
                group, group_count, group_role, outcome. agreements: key, title, kind, partners (;), partner_kind, \
                country, status, \
                signed_on, starts_on, ends_on, coordinator_name, coordinator_email, focus_areas (;), visits (;), \
                notes. sites: key, \
                name, kind, country, agreement, partners (;), established, notes.
                Exit 65 with every problem of every row (section, row as the file numbers it, field) when \
                anything is wrong.
                """
        ) { args, ctx in
            let files = importFiles(args)
            guard !files.isEmpty else { throw UsageError("missing -f FILE") }
            var file = ImportFile()
            for (path, section) in files {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CLIError(ExitCode.dataError, "cannot read \(path)")
                }
                let text = String(decoding: data, as: UTF8.self)
                do {
                    if path.lowercased().hasSuffix(".csv") {
                        try file.add(csv: text, file: path, section: section)
                    } else {
                        try file.add(json: try JSONParser.parse(Array(data)), file: path)
                    }
                } catch let e as ImportError {
                    throw CLIError(ExitCode.dataError, e.description)
                } catch let e as JSONParseError {
                    throw CLIError(ExitCode.dataError, "\(path) is not valid JSON (or name it .csv): \(e)")
                }
            }
            return try runImport(file, ctx, dryRun: args.has("--dry-run"))
        }
    }

    /// Checks the agreements and sites (a dry run), imports the partners and visits (all or
    /// nothing), then the agreements and sites with the visits' ids. Prints what was done or
    /// every problem; with a problem anywhere, nothing is written.
    static func runImport(_ given: ImportFile, _ ctx: CLIContext, dryRun: Bool, quietRows: Bool = false) throws -> Int32
    {
        var file = given
        file.mergePeople()
        file.resolveKeys()
        let whole = DelegationsImport(
            partners: file["partners"].map(JSONValue.object),
            visits: file["visits"].map(JSONValue.object),
            dryRun: true
        )
        // Too large for one call: the rows go in pieces to be imported at once, all or nothing.
        let staged = try stageIfLarge(
            DelegationsAPI.importStage,
            [("partners", whole.partners), ("visits", whole.visits)],
            whole,
            ctx
        )
        // The visits the agreements name: their ids are what the answer must list.
        let named = file.visitKeysOfAgreements
        func delegations(_ dry: Bool) throws -> ImportReport {
            var p =
                staged.map { DelegationsImport(partners: [], visits: [], dryRun: dry, staged: $0, keys: named) }
                ?? whole
            p.dryRun = dry
            return try ctx.call(DelegationsAPI.importRows, p, timeoutMs: 3_600_000)
        }
        func agreements(_ dry: Bool, visitIDs: [String: String]) throws -> ImportReport {
            let rows = AgreementsImport(
                agreements: file.agreementRows(visitIDs: visitIDs),
                sites: file["sites"].map(JSONValue.object),
                dryRun: dry
            )
            // Staged again for the import itself: its rows link the visits' ids, known only then.
            let staged = try stageIfLarge(
                AgreementsAPI.importStage,
                [("agreements", rows.agreements), ("sites", rows.sites)],
                rows,
                ctx
            )
            let p = staged.map { AgreementsImport(agreements: [], sites: [], dryRun: dry, staged: $0) } ?? rows
            return try ctx.call(AgreementsAPI.importRows, p, timeoutMs: 3_600_000)
        }
        // The agreements and sites are checked first; the partners and visits by importing them,
        // which keeps nothing when a row is wrong (checking them first, then importing them, was
        // half of a large import's time). A dry run, or problems found before, checks both.
        let checkA = try agreements(true, visitIDs: [:])
        let d = try delegations(dryRun || !file.problems.isEmpty || !checkA.problems.isEmpty)
        let found =
            file.problems.map { ($0.section, $0.index, $0.key, $0.field, $0.message) }
            + (d.problems + checkA.problems).map { ($0.section, $0.index, $0.key, $0.field, $0.message) }
        let problems = found.map { p in
            ImportProblem(
                section: p.0,
                index: p.1,
                key: p.2,
                field: p.3,
                message: p.4,
                row: file.origin(p.0, p.1) ?? "\(p.0) \(p.1 + 1)"
            )
        }
        let unlisted = [d, checkA].reduce(0) { $0 + max(0, ($1.problemsTotal ?? 0) - $1.problems.count) }
        if !problems.isEmpty {
            if ctx.json {
                ctx.printJSON(ImportOutcome(applied: false, problems: problems))
            } else {
                var t = Table(["ROW", "KEY", "FIELD", "PROBLEM"])
                for p in problems { t.add([p.row, p.key ?? "", p.field, p.message]) }
                ctx.print(t.render())
            }
            throw CLIError(
                ExitCode.dataError,
                "nothing imported: \(problems.count + unlisted) problem\(problems.count + unlisted == 1 ? "" : "s") "
                    + (unlisted > 0 ? "(the first \(problems.count) listed)" : "")
            )
        }
        guard !dryRun else {
            ctx.print("Dry run: every row is fine; nothing written. " + summary(d, checkA))
            return ExitCode.ok
        }
        var visitIDs: [String: String] = [:]
        for r in d.rows where r.section == "visits" {
            if let k = r.key { visitIDs[k.hasPrefix("import:") ? String(k.dropFirst(7)) : k] = r.id }
        }
        func halfDone(_ why: String) -> CLIError {
            CLIError(
                ExitCode.tempFail,
                "partners and visits were imported, agreements and sites were not: \(why)",
                hint: "run the same import again: what is there is found, not doubled"
            )
        }
        let a: ImportReport
        do { a = try agreements(false, visitIDs: visitIDs) } catch { throw halfDone("\(error)") }
        // A problem the check could not see (the links to the visits just imported).
        if let p = a.problems.first, !a.applied {
            throw halfDone("\(p.section) \(p.index + 1), \(p.field): \(p.message)")
        }
        if ctx.json {
            ctx.printJSON(ImportOutcome(applied: true, delegations: d, agreements: a))
        } else if !quietRows {
            ctx.print("Imported. " + summary(d, a))
        }
        return ExitCode.ok
    }

    /// An import's rows staged by `method` in pieces of at most 512 KiB and 1,000 rows when the
    /// whole is over 900 KB or a section over what one call takes (the frame limit is 1 MiB);
    /// returns the import id, or nil when one call takes it.
    static func stageIfLarge<P: ImportPiece>(
        _ method: Method<P, ImportStaged>,
        _ sections: [(name: String, rows: [JSONValue])],
        _ whole: some Encodable,
        _ ctx: CLIContext
    ) throws -> String? {
        let most = sections.map(\.rows.count).max() ?? 0
        guard most > DelegationsImport.maxRows || JSONEncoding.bytes(whole).count > 900_000 else { return nil }
        var id: String?
        for (section, rows) in sections {
            var piece: [JSONValue] = []
            var bytes = 0
            func send() throws {
                guard !piece.isEmpty else { return }
                id = try ctx.call(method, P(importID: id, section: section, rows: piece), timeoutMs: 120_000).importID
                piece = []
                bytes = 0
            }
            for row in rows {
                let n = JSONEncoding.bytes(row).count
                if !piece.isEmpty && (bytes + n > 512 * 1024 || piece.count >= 1000) { try send() }
                piece.append(row)
                bytes += n
            }
            try send()
        }
        let total = sections.reduce(0) { $0 + $1.rows.count }
        if let id { ctx.note("liaison: \(total) rows staged as \(id)") }
        return id
    }

    /// "partners 13 (13 new) · visits 9 (9 new) · …"
    static func summary(_ reports: ImportReport...) -> String {
        var parts: [String] = []
        for s in ImportFile.sections {
            if let t = reports.compactMap({ $0.totals?[s] }).first {
                parts.append("\(s) \(t.rows) (\(t.created) new, \(t.rows - t.created) already there)")
                continue
            }
            let rows = reports.flatMap { $0.rows.filter { $0.section == s } }
            guard !rows.isEmpty else { continue }
            let new = rows.filter(\.created).count
            parts.append("\(s) \(rows.count) (\(new) new, \(rows.count - new) already there)")
        }
        return parts.isEmpty ? "(no rows)" : parts.joined(separator: " · ")
    }
}
