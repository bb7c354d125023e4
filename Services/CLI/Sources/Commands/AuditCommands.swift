import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// `liaison audit verify`: re-walk every history's hash chain.
extension CLI {
    static var auditCommand: CLICommand {
        Command(
            name: "audit", abstract: "The tamper-evident history: verify each service's hash chains.", usage: "audit verify [SERVICE…]",
            subcommands: [
                Command(
                    name: "verify", abstract: "Re-walk each history's hash chain; name the first row changed outside the service (exit 1).",
                    usage: "audit verify [SERVICE…] [--json]", arguments: [("SERVICE...", "Default: every service of the mesh.")]
                ) { args, ctx in
                    let names = args.positionals.isEmpty ? try ctx.mesh().config.services.map(\.name) : args.positionals
                    var all: [JSONValue] = []
                    var broken = false
                    for name in names {
                        let r: JSONValue
                        do { r = try ctx.call(name, "audit.verify") } catch let e as CLIError where e.remote?.code == .methodNotFound {
                            if !ctx.json { ctx.print("\(name): keeps no history") }
                            continue
                        }
                        all.append(["service": .string(name), "report": r])
                        for t in r["tables"]?.arrayValue ?? [] {
                            let table = "\(name) \(t["table"]?.stringValue ?? "")", rows = t["rows"]?.intValue ?? 0
                            guard let b = t["broken"] else {
                                if !ctx.json { ctx.print("\(table): \(rows) rows, chain intact") }
                                continue
                            }
                            broken = true
                            if !ctx.json {
                                let row = "\(b["entity"]?.stringValue ?? ""), version \(b["version"]?.intValue ?? 0), "
                                    + (b["action"]?.stringValue ?? "")
                                ctx.print("\(table): BROKEN at row \(b["seq"]?.intValue ?? 0) (\(row)): \(b["why"]?.stringValue ?? "")")
                            }
                        }
                    }
                    if ctx.json { ctx.printJSON(["ok": .bool(!broken), "services": .array(all)]) }
                    return broken ? ExitCode.failure : ExitCode.ok
                }
            ])
    }
}
