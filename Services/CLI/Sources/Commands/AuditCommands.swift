import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// `liaison audit verify`: re-walk every history's hash chain.
extension CLI {
    /// One service's chains, as `audit verify --json` lists them.
    struct ServiceAudit: Encodable {
        var service: String
        var report: AuditReport
    }

    /// Every service's.
    struct MeshAudit: Encodable {
        var ok: Bool
        var services: [ServiceAudit]
    }

    static var auditCommand: CLICommand {
        Command(
            name: "audit",
            abstract: "The tamper-evident history: verify each service's hash chains.",
            usage: "audit verify [SERVICE…]",
            subcommands: [
                Command(
                    name: "verify",
                    abstract:
                        "Re-walk each history's hash chain; name the first row changed outside the service (exit 1).",
                    usage: "audit verify [SERVICE…] [--json]",
                    arguments: [("SERVICE...", "Default: every service of the mesh.")]
                ) { args, ctx in
                    let names = args.positionals.isEmpty ? try ctx.mesh().config.services.map(\.name) : args.positionals
                    var all: [ServiceAudit] = []
                    for name in names {
                        let r: AuditReport
                        do { r = try ctx.call(AuditAPI.verify, NoParams(), on: name) } catch let e as CLIError
                            where e.remote?.code == .methodNotFound
                        {
                            if !ctx.json { ctx.print("\(name): keeps no history") }
                            continue
                        }
                        all.append(ServiceAudit(service: name, report: r))
                        guard !ctx.json else { continue }
                        for t in r.tables {
                            guard let b = t.broken else {
                                ctx.print("\(name) \(t.table): \(t.rows) rows, chain intact")
                                continue
                            }
                            ctx.print(
                                "\(name) \(t.table): BROKEN at row \(b.seq) (\(b.entity), version \(b.version), "
                                    + "\(b.action)): \(b.why)"
                            )
                        }
                    }
                    let broken = all.contains { !$0.report.ok }
                    if ctx.json { ctx.printJSON(MeshAudit(ok: !broken, services: all)) }
                    return broken ? ExitCode.failure : ExitCode.ok
                }
            ]
        )
    }
}
