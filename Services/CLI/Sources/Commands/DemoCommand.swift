import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var demoCommand: CLICommand {
        Command(
            name: "demo",
            abstract:
                "Load what the article about BIT (14 May 2025) says, as history: no mail is sent; safe to run again.",
            usage: "demo [--json]",
            discussion: """
                Partners, visits at the precision the article gives ("2018", "Oct 2024", approximate ones marked c.), \
                the Hanyang \
                exchange, the Uganda workstation agreement and the workstation itself as a site in Uganda. Goes \
                through \
                `liaison import`, like any file.
                """
        ) { _, ctx in
            var file = ImportFile()
            try file.add(json: DemoData.document, file: "demo")
            let code = try runImport(file, ctx, dryRun: false, quietRows: true)
            if !ctx.json {
                ctx.print("Demo data from the article (14 May 2025), recorded as history (no mail sent):")
                let visits = try ctx.list(DelegationsAPI.list, DelegationFilter(limit: 200), all: true).items
                for v in visits where DemoData.visitTitles.contains(v.title) {
                    ctx.print("  \(v.ref)  \(v.when)  \(v.title)")
                }
                ctx.print(
                    "See: liaison partner list · liaison delegation list · liaison report partners --by continent"
                )
            }
            return code
        }
    }
}

extension DemoData {
    /// The demo visits' titles (to list them after loading).
    static var visitTitles: Set<String> {
        Set(visits.compactMap { (try? JSONDecoding.decode(Titled.self, from: $0))?.title })
    }

    /// A row with a title.
    struct Titled: Decodable { var title: String }
}
