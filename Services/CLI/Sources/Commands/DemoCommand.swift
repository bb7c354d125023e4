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

}
