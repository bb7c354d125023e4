import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonWire

extension CLI {
    /// The lifecycle path a demo delegation walks to reach its state.
    static let demoPath = ["proposed", "confirmed", "in_progress", "completed"]
    static let demoAction = ["confirmed": "confirm", "in_progress": "start", "completed": "complete"]

    static var demoCommand: CLICommand {
        Command(
            name: "demo",
            abstract: "Load the seed delegations and agreements (from the article about BIT) into the running mesh; safe to run again.",
            usage: "demo [--json]"
        ) { _, ctx in
            var rows: [JSONValue] = []
            var visitIDs: [String: JSONValue] = [:]
            for (draft, target) in DemoData.delegations {
                var d = try ctx.call("delegations", "delegations.create", draft)
                if let key = draft["external_key"]?.stringValue { visitIDs[String(key.dropFirst(5))] = d["id"] }
                let created = d["created"] == true
                guard let targetIndex = demoPath.firstIndex(of: target) else { continue }
                while let status = d["status"]?.stringValue, let i = demoPath.firstIndex(of: status), i < targetIndex {
                    let next = demoPath[i + 1]
                    var params: JSONObject = ["id": d["id"]!, "expected_version": d["version"]!]
                    if next == "completed" { params["outcome"] = "Visit held as planned." }
                    d = try ctx.call("delegations", "delegations.\(demoAction[next]!)", .object(params))
                }
                rows.append([
                    "ref": d["ref"] ?? .null, "title": d["title"] ?? .null, "status": d["status"] ?? .null, "created": .bool(created),
                ])
            }
            let agreements = try loadDemoAgreements(ctx, visitIDs: visitIDs)
            if ctx.json { ctx.printJSON(["delegations": .array(rows), "agreements": .array(agreements)]); return ExitCode.ok }
            let made = rows.filter { $0["created"] == true }.count
            ctx.print("Demo data: \(rows.count) delegations (\(made) new, \(rows.count - made) already there).")
            for r in rows {
                ctx.print("  \(r["ref"]?.stringValue ?? "")  \(r["status"]?.stringValue ?? "")  \(r["title"]?.stringValue ?? "")")
            }
            let newAgreements = agreements.filter { $0["created"] == true }.count
            ctx.print("\(agreements.count) agreements (\(newAgreements) new, \(agreements.count - newAgreements) already there).")
            for a in agreements {
                ctx.print("  \(a["reference"]?.stringValue ?? "")  \(a["status"]?.stringValue ?? "")  \(a["title"]?.stringValue ?? "")")
            }
            return ExitCode.ok
        }
    }

    /// Creates the demo agreements, takes each to its state, links its visits (waiting for the
    /// visits' events to reach the agreements service) and records its activities.
    static func loadDemoAgreements(_ ctx: CLIContext, visitIDs: [String: JSONValue]) throws -> [JSONValue] {
        var out: [JSONValue] = []
        for demo in DemoData.agreements {
            var a = try ctx.call("agreements", "agreements.create", demo.draft)
            let created = a["created"] == true
            let id = a["id"]!
            if a["status"] == "draft" {
                a = try ctx.call("agreements", "agreements.negotiate", ["id": id, "expected_version": a["version"]!])
            }
            if demo.target == "signed" && a["status"] == "negotiating" {
                a = try ctx.call(
                    "agreements", "agreements.sign",
                    ["id": id, "expected_version": a["version"]!, "signed_on": .string(demo.signedOn ?? "")])
            }
            for (visit, relation) in demo.links {
                guard let did = visitIDs[visit], !(a["delegations"]?.arrayValue ?? []).contains(where: { $0["delegation_id"] == did })
                else { continue }
                var linked: JSONValue? = nil
                for _ in 0..<100 where linked == nil {
                    do {
                        linked = try ctx.call(
                            "agreements", "agreements.link_delegation", ["id": id, "delegation_id": did, "relation": .string(relation)])
                    } catch let e as CLIError where e.remote?.code == .notFound {
                        usleep(100_000)  // the visit's events are still on their way
                    }
                }
                if let linked { a = linked }
            }
            if (a["activities"]?.arrayValue ?? []).isEmpty {
                for act in demo.activities {
                    guard case .object(var o) = act else { continue }
                    o["id"] = id
                    a = try ctx.call("agreements", "agreements.add_activity", .object(o))
                }
            }
            out.append([
                "reference": a["current_reference"] ?? .null, "title": a["title"] ?? .null, "status": a["status"] ?? .null,
                "created": .bool(created),
            ])
        }
        return out
    }
}
