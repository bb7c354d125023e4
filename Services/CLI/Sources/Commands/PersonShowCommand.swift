import LiaisonAPI
import LiaisonModels
import LiaisonProcess

extension CLI {
    static var personShow: CLICommand {
        Command(
            name: "show",
            abstract: "One of the registry's people: their partner, details and the visits they came on.",
            usage: "partner person show PERSON-ID [--json]",
            arguments: [("PERSON-ID", "The person's id (per-…), as partner show lists them.")]
        ) { args, ctx in
            let v = try ctx.call(PartnersAPI.person, PersonID(try args.positional(0, "PERSON-ID")))
            if ctx.json { ctx.printJSON(v); return ExitCode.ok }
            let p = v.person
            ctx.print("\(p.name)" + (p.nameLocal.map { " (\($0))" } ?? "") + "  [\(p.id)]")
            ctx.print("Partner   \(v.partnerName)  [\(v.partner)]")
            if let t = p.title { ctx.print("Title     \(t)") }
            ctx.print("Role      \(p.role.rawValue)")
            if let e = p.email { ctx.print("Email     \(e)") }
            if let ph = p.phone { ctx.print("Phone     \(ph)") }
            guard !v.visits.isEmpty else {
                ctx.print("Visits    none recorded")
                return ExitCode.ok
            }
            var t = Table(["REF", "WHEN", "STATUS", "TITLE"])
            for x in v.visits { t.add([x.ref, x.when, x.status.rawValue, x.title]) }
            ctx.print("Visits")
            ctx.print(t.render())
            return ExitCode.ok
        }
    }
}
