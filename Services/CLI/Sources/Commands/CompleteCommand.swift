import LiaisonAPI
import LiaisonModels
import LiaisonProcess

extension CLI {
    /// What completes each kind of argument: a word of the command's path decides what an ID is.
    static func argumentValues(_ path: [String], _ argument: String) -> CompletionValues? {
        switch argument {
        case "SERVICE", "SERVICE...": return .command(["__complete", "services"])
        case "SHELL": return .words(["bash", "zsh", "fish"])
        case "PARTNER", "DUPLICATE": return .command(["__complete", "partners"])
        case "VISIT": return .command(["__complete", "delegations"])
        case "ID":
            switch path.first {
            case "delegation": return .command(["__complete", "delegations"])
            case "agreement": return .command(["__complete", "agreements"])
            case "partner": return .command(["__complete", "partners"])
            default: return nil
            }
        default: return nil
        }
    }

    /// `liaison __complete KIND`: the values the completion scripts offer, one a line — the
    /// mesh's services (from the mesh file, nothing running needed), or the references of the
    /// latest visits and agreements and the registry's ids (nothing when the mesh is down).
    static var completeCommand: CLICommand {
        Command(
            name: "__complete",
            abstract: "Values for the shell completion scripts.",
            usage: "__complete services|delegations|agreements|partners",
            arguments: [("KIND", "services, delegations, agreements or partners.")]
        ) { args, ctx in
            var values: [String] = []
            switch try args.positional(0, "KIND") {
            case "services": values = try ctx.mesh().config.services.map(\.name)
            case "delegations":
                var f = DelegationFilter()
                f.limit = 200
                values = (try? ctx.call(DelegationsAPI.list, f).items.map(\.ref)) ?? []
            case "agreements":
                values = (try? ctx.call(AgreementsAPI.list, AgreementFilter(limit: 200)).items.map(\.reference)) ?? []
            case "partners":
                values = (try? ctx.call(PartnersAPI.list, PartnerFilter(limit: 500)).items.map(\.id)) ?? []
            default: values = []
            }
            for v in values { ctx.print(v) }
            return ExitCode.ok
        }
    }
}
