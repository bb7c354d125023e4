import Foundation
import LiaisonRuntime
import LiaisonWire

extension CLI {
    /// The lifecycle path a demo delegation walks to reach its state.
    static let demoPath = ["proposed", "confirmed", "in_progress", "completed"]
    static let demoAction = ["confirmed": "confirm", "in_progress": "start", "completed": "complete"]

    static var demoCommand: Command {
        Command(name: "demo", abstract: "Load the seed delegations (from the article about BIT) into the running mesh; safe to run again.",
                usage: "demo [--json]") { _, ctx in
            var rows: [JSONValue] = []
            for (draft, target) in DemoData.delegations {
                var d = try ctx.call("delegations", "delegations.create", draft)
                let created = d["created"] == true
                guard let targetIndex = demoPath.firstIndex(of: target) else { continue }
                while let status = d["status"]?.stringValue, let i = demoPath.firstIndex(of: status), i < targetIndex {
                    let next = demoPath[i + 1]
                    var params: JSONObject = ["id": d["id"]!, "expected_version": d["version"]!]
                    if next == "completed" { params["outcome"] = "Visit held as planned." }
                    d = try ctx.call("delegations", "delegations.\(demoAction[next]!)", .object(params))
                }
                rows.append(["ref": d["ref"] ?? .null, "title": d["title"] ?? .null, "status": d["status"] ?? .null, "created": .bool(created)])
            }
            if ctx.json { ctx.printJSON(["delegations": .array(rows)]); return Exit.ok }
            let made = rows.filter { $0["created"] == true }.count
            ctx.print("Demo data: \(rows.count) delegations (\(made) new, \(rows.count - made) already there).")
            for r in rows { ctx.print("  \(r["ref"]?.stringValue ?? "")  \(r["status"]?.stringValue ?? "")  \(r["title"]?.stringValue ?? "")") }
            return Exit.ok
        }
    }

    static var queueCommand: Command {
        Command(name: "queue", abstract: "Event deliveries waiting or dead in each producer's outbox.",
                usage: "queue [--service S] [--status pending|dead|delivered|all] [--limit N] [--json]",
                options: [OptionSpec(["--service"], value: "S", "Only this producing service."),
                          OptionSpec(["--status"], value: "S", "pending and dead by default; or delivered, skipped, all."),
                          OptionSpec(["--limit"], value: "N", "At most N rows per service (default 100).")]) { args, ctx in
            let mesh = try ctx.mesh()
            let services = args.value("--service").map { [$0] } ?? mesh.config.services.map(\.name)
            var params: JSONObject = ["limit": .int(Int64(try args.int("--limit", default: 100, in: 1...1000)))]
            if let s = args.value("--status") { params["status"] = .string(s) }
            var results: [JSONValue] = []
            for s in services {
                do {
                    results.append(try ctx.call(s, "events.queue", .object(params)))
                } catch let e as CLIError where e.remote?.code == .methodNotFound {
                    continue  // produces no events
                }
            }
            if ctx.json { ctx.printJSON(["services": .array(results)]); return Exit.ok }
            var t = Table(["SERVICE", "SEQ", "EVENT", "KEY", "SUBSCRIBER", "STATUS", "ATTEMPTS", "LAST ERROR"])
            for r in results {
                for d in r["deliveries"]?.arrayValue ?? [] {
                    t.add([r["service"]?.stringValue ?? "", String(d["outbox_seq"]?.intValue ?? 0), "\(d["type"]?.stringValue ?? "") #\(d["sequence"]?.intValue ?? 0)",
                           d["partition_key"]?.stringValue ?? "", d["subscriber"]?.stringValue ?? "", d["status"]?.stringValue ?? "",
                           String(d["attempts"]?.intValue ?? 0), String((d["last_error"]?.stringValue ?? "").prefix(60))])
                }
            }
            for r in results {
                let s = r["summary"]
                ctx.print("\(r["service"]?.stringValue ?? ""): \(s?["pending"]?.intValue ?? 0) pending, \(s?["dead"]?.intValue ?? 0) dead")
            }
            if t.rows.isEmpty { ctx.print("(nothing waiting)") } else { ctx.print(t.render()) }
            return Exit.ok
        }
    }
}
