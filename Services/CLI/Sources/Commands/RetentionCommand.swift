import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var retentionCommand: CLICommand {
        Command(
            name: "retention",
            abstract:
                "Finished visits and when their people's personal data is purged; --apply purges what is due (in "
                + "every service).",
            usage: "retention [--due] [--apply] [--json]",
            options: [
                OptionSpec(["--due"], "Only the visits whose purge is due now."),
                OptionSpec(
                    ["--apply"],
                    "Purge those due now: emails, phones, needs (and names if the mesh says so), everywhere."
                ),
            ],
            discussion: """
                The delegations service's settings.retention_days (default 365) counts from a visit's end, or its \
                cancellation; \
                settings.retention_keeps_names (default true) keeps names for the record. The daily sweep purges on \
                its own; \
                the purge is in the visit's history.
                """
        ) { args, ctx in
            let p = RetentionParams(dueOnly: args.has("--due") ? true : nil, apply: args.has("--apply") ? true : nil)
            let r = try ctx.call(DelegationsAPI.retention, p)
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            ctx.print(
                "Personal data is purged \(r.days) days after a visit "
                    + "ends\(r.keepsNames ? "; names stay" : ", names too")."
            )
            var t = Table(["REF", "STATUS", "PURGE ON", "DUE", "TITLE"])
            for i in r.items { t.add([i.ref, i.status, i.purgeOn.description, i.due ? "yes" : "", i.title]) }
            ctx.print(t.rows.isEmpty ? "(nothing to purge)" : t.render())
            if !r.purged.isEmpty { ctx.print("Purged: \(r.purged.joined(separator: ", "))") }
            return ExitCode.ok
        }
    }
}
