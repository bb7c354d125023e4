import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var queueCommand: CLICommand {
        Command(
            name: "queue",
            abstract: "Event deliveries waiting or dead in each producer's outbox; redrive or skip them.",
            usage:
                "queue [--service S] [--status pending|dead|delivered|skipped|all] [--subscriber S] [--limit N] "
                + "[--json]",
            options: [
                OptionSpec(["--service"], value: "S", "Only this producing service."),
                OptionSpec(
                    ["--status"],
                    oneOf: DeliveryState.allCases.map(\.rawValue) + ["all"],
                    value: "S",
                    "Default: pending and dead."
                ),
                OptionSpec(["--subscriber"], value: "S", "Only deliveries to this service."),
                OptionSpec(["--limit"], value: "N", "At most N rows per service (default 100)."),
            ],
            subcommands: [queueRedrive, queueSkip, queueAudit]
        ) { args, ctx in
            let params = QueueParams(
                status: args.value("--status"),
                subscriber: args.value("--subscriber"),
                limit: try args.int("--limit", default: 100, in: 1...1000)
            )
            let results = try producers(ctx, only: args.value("--service")).map {
                try ctx.call(EventsAPI.queue, params, on: $0)
            }
            if ctx.json { ctx.printJSON(Queues(services: results)); return ExitCode.ok }
            var t = Table(["SERVICE", "SEQ", "EVENT", "KEY", "SUBSCRIBER", "STATUS", "ATTEMPTS", "LAST ERROR"])
            for r in results {
                for d in r.deliveries {
                    t.add([
                        r.service, String(d.outboxSeq), "\(d.type) #\(d.sequence)", d.partitionKey, d.subscriber,
                        d.status.rawValue,
                        String(d.attempts), String((d.lastError ?? "").prefix(70)),
                    ])
                }
            }
            for r in results {
                var line = "\(r.service): \(r.summary.pending) pending, \(r.summary.dead) dead"
                for (name, h) in r.relay.sorted(by: { $0.key < $1.key }) where !h.reachable {
                    line += "; \(name) unreachable since \(h.downSince ?? "?")"
                }
                ctx.print(line)
            }
            if t.rows.isEmpty { ctx.print("(nothing waiting)") } else { ctx.print(t.render()) }
            return ExitCode.ok
        }
    }

    /// Every producer's queue.
    struct Queues: Encodable {
        var services: [QueueResult]
    }

    /// The services that produce events (answer events.queue), or just `only`.
    static func producers(_ ctx: CLIContext, only: String?) throws -> [String] {
        if let only { return [only] }
        return try ctx.mesh().config.services.map(\.name).filter { name in
            guard let d = try? ctx.call(ServiceAPI.describe, NoParams(), on: name) else { return false }
            return d.methods.contains { $0.name == EventsAPI.queue.name }
        }
    }

    static var queueRedrive: CLICommand {
        Command(
            name: "redrive",
            abstract: "Make dead deliveries pending again (after fixing what made them fail).",
            usage: "queue redrive (SEQ [--subscriber S] | --all-dead) [--service S]",
            arguments: [("SEQ", "The delivery's outbox sequence (SEQ column of 'liaison queue').")],
            options: [
                OptionSpec(["--all-dead"], "Every dead delivery."),
                OptionSpec(["--subscriber"], value: "S", "Only deliveries to this service."),
                OptionSpec(["--service"], value: "S", "The producing service (default: every producer)."),
            ]
        ) { args, ctx in
            var params = RedriveParams(subscriber: args.value("--subscriber"))
            if args.has("--all-dead") {
                params.allDead = true
            } else {
                guard let seq = Int64(try args.positional(0, "SEQ or --all-dead")) else {
                    throw UsageError("SEQ must be a number")
                }
                params.outboxSeq = seq
            }
            var total = 0
            var lastError: CLIError?
            for p in try producers(ctx, only: args.value("--service")) {
                do { total += try ctx.call(EventsAPI.redrive, params, on: p).redriven } catch let e as CLIError
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
            name: "skip",
            abstract:
                "Give up on one delivery (a poison event) so the rest of its key flows; recorded in the audit trail.",
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
            let params = SkipParams(outboxSeq: seq, subscriber: sub, reason: args.value("--reason"))
            _ = try ctx.call(EventsAPI.skip, params, on: args.value("--service") ?? DelegationsAPI.service)
            ctx.print("skipped delivery \(seq) to \(sub)")
            return ExitCode.ok
        }
    }

    static var queueAudit: CLICommand {
        Command(
            name: "audit",
            abstract: "Operators' redrive and skip actions, newest first.",
            usage: "queue audit [--service S] [--json]",
            options: [OptionSpec(["--service"], value: "S", "The producing service (default delegations).")]
        ) { args, ctx in
            let r = try ctx.call(EventsAPI.audit, LimitParams(), on: args.value("--service") ?? DelegationsAPI.service)
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            for i in r.items {
                ctx.print(
                    "\(i.at)  uid \(i.uid)  \(i.action)  seq \(i.outboxSeq.map(String.init) ?? "-")  "
                        + "\(i.subscriber ?? "")  \(i.detail)"
                )
            }
            return ExitCode.ok
        }
    }
}
