import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var demoCommand: CLICommand {
        Command(
            name: "demo",
            abstract: "Load what the article about BIT (14 May 2025) says, as history: no mail is sent; safe to run again.",
            usage: "demo [--json]",
            discussion: """
                Partners, visits at the precision the article gives ("2018", "Oct 2024", approximate ones marked c.), the Hanyang \
                exchange, the Uganda workstation agreement and the workstation itself as a site in Uganda. Goes through \
                `liaison import`, like any file.
                """
        ) { _, ctx in
            var file = ImportFile()
            try file.add(json: DemoData.document, file: "demo")
            let code = try runImport(file, ctx, dryRun: false, quietRows: true)
            if !ctx.json {
                ctx.print("Demo data from the article (14 May 2025), recorded as history (no mail sent):")
                let visits = try ctx.list("delegations", "delegations.list", ["limit": 200], all: true).items
                for v in visits where (v["title"]?.stringValue).map({ t in DemoData.visitTitles.contains(t) }) ?? false {
                    ctx.print("  \(v["ref"]?.stringValue ?? "")  \(v["when"]?.stringValue ?? "")  \(v["title"]?.stringValue ?? "")")
                }
                ctx.print("See: liaison partner list · liaison delegation list · liaison report partners --by continent")
            }
            return code
        }
    }
}

extension DemoData {
    /// The demo visits' titles (to list them after loading).
    static var visitTitles: Set<String> { Set(visits.compactMap { $0["title"]?.stringValue }) }
}
