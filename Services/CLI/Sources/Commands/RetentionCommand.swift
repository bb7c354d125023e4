import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var retentionCommand: CLICommand {
        Command(
            name: "retention",
            abstract: "Finished visits and when their people's personal data is purged; --apply purges what is due (in every service).",
            usage: "retention [--due] [--apply] [--json]",
            options: [
                OptionSpec(["--due"], "Only the visits whose purge is due now."),
                OptionSpec(["--apply"], "Purge those due now: emails, phones, needs (and names if the mesh says so), everywhere."),
            ],
            discussion: """
                The delegations service's settings.retention_days (default 365) counts from a visit's end, or its cancellation; \
                settings.retention_keeps_names (default true) keeps names for the record. The daily sweep purges on its own; \
                the purge is in the visit's history.
                """
        ) { args, ctx in
            var p: JSONObject = [:]
            if args.has("--due") { p["due_only"] = true }
            if args.has("--apply") { p["apply"] = true }
            let r = try ctx.call("delegations", "delegations.retention", .object(p))
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            let days = r["days"]?.intValue ?? 0
            ctx.print(
                "Personal data is purged \(days) days after a visit ends\(r["keeps_names"] == true ? "; names stay" : ", names too").")
            var t = Table(["REF", "STATUS", "PURGE ON", "DUE", "TITLE"])
            for i in r["items"]?.arrayValue ?? [] {
                t.add([
                    i["ref"]?.stringValue ?? "", i["status"]?.stringValue ?? "", i["purge_on"]?.stringValue ?? "",
                    i["due"] == true ? "yes" : "", i["title"]?.stringValue ?? "",
                ])
            }
            ctx.print(t.rows.isEmpty ? "(nothing to purge)" : t.render())
            let purged = (r["purged"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !purged.isEmpty { ctx.print("Purged: \(purged.joined(separator: ", "))") }
            return ExitCode.ok
        }
    }
}
