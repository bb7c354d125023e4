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
            usage: "retention [--due] [--apply] [--limit N] [--all] [--json]",
            options: [
                OptionSpec(["--due"], "Only the visits whose purge is due now."),
                OptionSpec(["--limit"], value: "N", "Rows shown (default 100, at most 1000); --apply purges them all."),
                OptionSpec(["--all"], "Every row, page after page."),
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
            let limit = try args.int("--limit", default: 100, in: 1...1000)
            let apply = args.has("--apply")
            var p = RetentionParams(dueOnly: args.has("--due") ? true : nil, apply: apply ? true : nil, limit: limit)
            // Page after page: each page of --apply purges its rows, so the next starts at the first left.
            var r = try ctx.call(DelegationsAPI.retention, p)
            var items = r.items, purged = r.purged
            while (apply && !r.purged.isEmpty) || (args.has("--all") && r.nextCursor != nil) {
                if !apply { p.cursor = r.nextCursor }
                r = try ctx.call(DelegationsAPI.retention, p)
                if !apply || !r.purged.isEmpty { items += r.items }
                purged += r.purged
            }
            r.items = items
            r.purged = purged
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            ctx.print(
                "Personal data is purged \(r.days) days after a visit "
                    + "ends\(r.keepsNames ? "; names stay" : ", names too")."
            )
            var t = Table(["REF", "STATUS", "PURGE ON", "DUE", "TITLE"])
            for i in items.prefix(apply ? 20 : items.count) {
                t.add([i.ref, i.status, i.purgeOn.description, i.due ? "yes" : "", i.title])
            }
            ctx.print(t.rows.isEmpty ? "(nothing to purge)" : t.render())
            if apply, items.count > t.rows.count {
                ctx.print("… and \(items.count - t.rows.count) more")
            } else if !apply, (r.total ?? items.count) > items.count {
                let more = (r.total ?? items.count) - items.count
                ctx.print("… and \(more) more (\(r.total ?? items.count) in all: --all lists every one)")
            }
            if !purged.isEmpty {
                ctx.print("Purged: " + (purged.count <= 20 ? purged.joined(separator: ", ") : "\(purged.count) visits"))
            }
            return ExitCode.ok
        }
    }
}
