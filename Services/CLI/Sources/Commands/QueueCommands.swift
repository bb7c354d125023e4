import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var queueCommand: CLICommand {
        Command(
            name: "queue", abstract: "Event deliveries waiting or dead in each producer's outbox; redrive or skip them.",
            usage: "queue [--service S] [--status pending|dead|delivered|skipped|all] [--subscriber S] [--limit N] [--json]",
            options: [
                OptionSpec(["--service"], value: "S", "Only this producing service."),
                OptionSpec(["--status"], value: "S", "pending and dead by default; or delivered, skipped, all."),
                OptionSpec(["--subscriber"], value: "S", "Only deliveries to this service."),
                OptionSpec(["--limit"], value: "N", "At most N rows per service (default 100)."),
            ],
            subcommands: [queueRedrive, queueSkip, queueAudit]
        ) { args, ctx in
            var params: JSONObject = ["limit": .int(Int64(try args.int("--limit", default: 100, in: 1...1000)))]
            if let s = args.value("--status") { params["status"] = .string(s) }
            if let s = args.value("--subscriber") { params["subscriber"] = .string(s) }
            let results = try producers(ctx, only: args.value("--service")).map { try ctx.call($0, "events.queue", .object(params)) }
            if ctx.json { ctx.printJSON(["services": .array(results)]); return ExitCode.ok }
            var t = Table(["SERVICE", "SEQ", "EVENT", "KEY", "SUBSCRIBER", "STATUS", "ATTEMPTS", "LAST ERROR"])
            for r in results {
                for d in r["deliveries"]?.arrayValue ?? [] {
                    t.add([
                        r["service"]?.stringValue ?? "", String(d["outbox_seq"]?.intValue ?? 0),
                        "\(d["type"]?.stringValue ?? "") #\(d["sequence"]?.intValue ?? 0)",
                        d["partition_key"]?.stringValue ?? "", d["subscriber"]?.stringValue ?? "", d["status"]?.stringValue ?? "",
                        String(d["attempts"]?.intValue ?? 0), String((d["last_error"]?.stringValue ?? "").prefix(70)),
                    ])
                }
            }
            for r in results {
                let s = r["summary"]
                var line = "\(r["service"]?.stringValue ?? ""): \(s?["pending"]?.intValue ?? 0) pending, \(s?["dead"]?.intValue ?? 0) dead"
                for m in s?["relay"]?.objectValue?.members ?? [] where m.value["reachable"] == false {
                    line += "; \(m.key) unreachable since \(m.value["down_since"]?.stringValue ?? "?")"
                }
                ctx.print(line)
            }
            if t.rows.isEmpty { ctx.print("(nothing waiting)") } else { ctx.print(t.render()) }
            return ExitCode.ok
        }
    }

    /// The services that produce events (answer events.queue), or just `only`.
    static func producers(_ ctx: CLIContext, only: String?) throws -> [String] {
        if let only { return [only] }
        return try ctx.mesh().config.services.map(\.name).filter { name in
            guard let d = try? ctx.call(name, "service.describe") else { return false }
            return d["methods"]?.arrayValue?.contains { $0["name"] == "events.queue" } == true
        }
    }

    static var queueRedrive: CLICommand {
        Command(
            name: "redrive", abstract: "Make dead deliveries pending again (after fixing what made them fail).",
            usage: "queue redrive (SEQ [--subscriber S] | --all-dead) [--service S]",
            arguments: [("SEQ", "The delivery's outbox sequence (SEQ column of 'liaison queue').")],
            options: [
                OptionSpec(["--all-dead"], "Every dead delivery."),
                OptionSpec(["--subscriber"], value: "S", "Only deliveries to this service."),
                OptionSpec(["--service"], value: "S", "The producing service (default: every producer)."),
            ]
        ) { args, ctx in
            var params: JSONObject = [:]
            if args.has("--all-dead") {
                params["all_dead"] = true
            } else {
                guard let seq = Int64(try args.positional(0, "SEQ or --all-dead")) else { throw UsageError("SEQ must be a number") }
                params["outbox_seq"] = .int(seq)
            }
            if let s = args.value("--subscriber") { params["subscriber"] = .string(s) }
            var total: Int64 = 0
            var lastError: CLIError?
            for p in try producers(ctx, only: args.value("--service")) {
                do { total += try ctx.call(p, "events.redrive", .object(params))["redriven"]?.intValue ?? 0 } catch let e as CLIError
                    where e.remote?.code == .notFound
                {
                    lastError = e
                }
            }
            if total == 0, let lastError { throw lastError }
            ctx.print("redriven: \(total)")
            return ExitCode.ok
        }
    }

    static var queueSkip: CLICommand {
        Command(
            name: "skip", abstract: "Give up on one delivery (a poison event) so the rest of its key flows; recorded in the audit trail.",
            usage: "queue skip SEQ --subscriber S [--reason TEXT] [--service S]",
            arguments: [("SEQ", "The delivery's outbox sequence.")],
            options: [
                OptionSpec(["--subscriber"], value: "S", "The subscriber it is stuck at (required)."),
                OptionSpec(["--reason"], value: "TEXT", "Why, for the audit trail."),
                OptionSpec(["--service"], value: "S", "The producing service (default delegations)."),
            ]
        ) { args, ctx in
            guard let seq = Int64(try args.positional(0, "SEQ")) else { throw UsageError("SEQ must be a number") }
            guard let sub = args.value("--subscriber") else { throw UsageError("skip needs --subscriber S") }
            var params: JSONObject = ["outbox_seq": .int(seq), "subscriber": .string(sub)]
            if let r = args.value("--reason") { params["reason"] = .string(r) }
            _ = try ctx.call(args.value("--service") ?? "delegations", "events.skip", .object(params))
            ctx.print("skipped delivery \(seq) to \(sub)")
            return ExitCode.ok
        }
    }

    static var queueAudit: CLICommand {
        Command(
            name: "audit", abstract: "Operators' redrive and skip actions, newest first.", usage: "queue audit [--service S] [--json]",
            options: [OptionSpec(["--service"], value: "S", "The producing service (default delegations).")]
        ) { args, ctx in
            let r = try ctx.call(args.value("--service") ?? "delegations", "events.audit")
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            for i in r["items"]?.arrayValue ?? [] {
                ctx.print(
                    "\(i["at"]?.stringValue ?? "")  uid \(i["uid"]?.intValue ?? -1)  \(i["action"]?.stringValue ?? "")  seq "
                        + "\(i["outbox_seq"]?.intValue.map(String.init) ?? "-")  \(i["subscriber"]?.stringValue ?? "")  "
                        + "\(i["detail"]?.stringValue ?? "")"
                )
            }
            return ExitCode.ok
        }
    }
}
