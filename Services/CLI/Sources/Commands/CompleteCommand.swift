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

extension CLI {
    /// The man page's closing sections.
    static let manSections: [(String, String)] = [
        (
            "EXIT STATUS",
            """
            0 done; 1 a check failed (audit verify, a refused transition); 2 health CRITICAL; 3 status: a service \
            is not running (health: UNKNOWN); 64 usage; 65 bad input (an import's problems); 66 an input file \
            missing; 69 a service or the supervisor unreachable; 73 an output file that cannot be written; 75 try \
            again later; 77 permission denied (not in the liaison group); 78 configuration.
            """
        ),
        (
            "ENVIRONMENT",
            """
            LIAISON_HOME: the mesh's home directory (default ./.liaison, or /etc/liaison's mesh under systemd). \
            LIAISON_MESH: the mesh file. LIAISON_LOG_LEVEL: the services' log level (debug, info, warning, error).
            """
        ),
        (
            "FILES",
            """
            /etc/liaison/mesh.json: the mesh file of an installed Liaison (HOME/mesh.json under liaison up). \
            /run/liaison/*.sock: the services' sockets. /var/lib/liaison/SERVICE: their databases. \
            /var/log/liaison/SERVICE: their logs (HOME/log under the supervisor). /var/backups/liaison: backups.
            """
        ),
        (
            "SEE ALSO",
            """
            liaison-supervisor(1), liaison-delegations(1), liaison-agreements(1), liaison-notifications(1), \
            systemctl(1), journalctl(1); /usr/share/doc/liaison: README.md and docs/ (OFFICE.md, OPERATIONS.md, \
            PROTOCOL.md, ARCHITECTURE.md, PERFORMANCE.md).
            """
        ),
    ]
}
