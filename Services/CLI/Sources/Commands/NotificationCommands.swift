import Foundation
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var notificationCommand: CLICommand {
        Command(
            name: "notification", abstract: "The emails sent (or waiting) for visits: list, show, preview, retry, reminders due.",
            usage: "notification <subcommand>",
            subcommands: [notificationList, notificationShow, notificationPreview, notificationRetry, notificationDue])
    }

    static var notificationList: CLICommand {
        Command(
            name: "list", abstract: "Messages, newest first.",
            usage: "notification list [--status S] [--delegation ID] [--limit N] [--all] [--json]",
            options: [
                OptionSpec(["--status"], value: "S", "pending, sending, sent, dead or possibly_sent."),
                OptionSpec(["--delegation"], value: "ID", "Only this delegation's messages (id or reference)."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 50, at most 500)."),
                OptionSpec(["--all"], "Every page, not only the first."),
            ]
        ) { args, ctx in
            var p: JSONObject = ["limit": .int(Int64(try args.int("--limit", default: 50, in: 1...500)))]
            if let s = args.value("--status") { p["status"] = .string(s) }
            if let d = args.value("--delegation") { p["delegation_id"] = .string(d) }
            let (items, r, next) = try ctx.list("notifications", "notifications.list", p, all: args.has("--all"))
            if ctx.json { ctx.printJSONList(items, next: next, with: ["counts": r["counts"] ?? [:]]); return ExitCode.ok }
            var t = Table(["ID", "STATUS", "RULE", "REF", "TO", "ATTEMPTS", "SUBJECT", "ERROR"])
            for m in items {
                t.add([
                    String(m["id"]?.intValue ?? 0), m["status"]?.stringValue ?? "", m["rule"]?.stringValue ?? "",
                    m["ref"]?.stringValue ?? "",
                    m["recipient"]?.stringValue ?? "", String(m["attempts"]?.intValue ?? 0),
                    String((m["subject"]?.stringValue ?? "").prefix(50)),
                    String((m["last_error"]?.stringValue ?? "").prefix(50)),
                ])
            }
            let counts = (r["counts"]?.objectValue?.members ?? []).map { "\($0.value.intValue ?? 0) \($0.key)" }.joined(separator: ", ")
            ctx.print(counts.isEmpty ? "(no messages)" : counts)
            if !t.rows.isEmpty { ctx.print(t.render()) }
            if let next { ctx.print("(more: --all, or --limit; next cursor \(next))") }
            return ExitCode.ok
        }
    }

    static var notificationShow: CLICommand {
        Command(
            name: "show", abstract: "One message: headers, recipient, its text as they read it, every attempt with the MTA's output.",
            usage: "notification show ID [--raw] [--json]", arguments: [("ID", "A message id from 'notification list'.")],
            options: [OptionSpec(["--raw"], "Print the whole message as handed to the MTA.")]
        ) { args, ctx in
            guard let id = Int64(try args.positional(0, "ID")) else { throw UsageError("ID must be a number") }
            let m = try ctx.call("notifications", "notifications.show", ["id": .int(id), "raw": .bool(args.has("--raw"))])
            if ctx.json { ctx.printJSON(m); return ExitCode.ok }
            if args.has("--raw") { ctx.print(m["raw"]?.stringValue ?? ""); return ExitCode.ok }
            ctx.print(
                "message \(id): \(m["status"]?.stringValue ?? "") — \(m["rule"]?.stringValue ?? "") for \(m["ref"]?.stringValue ?? "") "
                    + "(schedule version \(m["schedule_version"]?.intValue ?? 0))"
            )
            ctx.print(
                "to \(m["recipient_name"]?.stringValue.map { "\($0) " } ?? "")<\(m["recipient"]?.stringValue ?? "")> as "
                    + "\(m["view"]?.stringValue ?? "")"
            )
            if let e = m["last_error"]?.stringValue { ctx.print("error: \(e)") }
            if let o = m["mta_output"]?.stringValue, !o.isEmpty { ctx.print("MTA said: \(o)") }
            ctx.print("")
            for h in m["headers"]?.arrayValue ?? [] { ctx.print("\(h["name"]?.stringValue ?? ""): \(h["value"]?.stringValue ?? "")") }
            ctx.print(
                "parts: "
                    + (m["parts"]?.arrayValue ?? []).map { "\($0["type"]?.stringValue ?? "") (\($0["bytes"]?.intValue ?? 0) bytes)" }
                    .joined(separator: ", "))
            if let text = m["text"]?.stringValue {
                ctx.print("")
                ctx.print(text.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n"))
            }
            ctx.print("")
            for a in m["attempt_log"]?.arrayValue ?? [] {
                ctx.print(
                    "attempt at \(a["started_at"]?.stringValue ?? ""): "
                        + "\(a["outcome"]?.stringValue ?? "")\(a["detail"]?.stringValue.map { " — \($0)" } ?? "")"
                )
            }
            return ExitCode.ok
        }
    }

    static var notificationPreview: CLICommand {
        Command(
            name: "preview", abstract: "Render the emails the rules would send now for a visit or an agreement, without sending anything.",
            usage: "notification preview DEL-…|AGR-… [--rule R] [--json]",
            arguments: [("ID", "A delegation's or an agreement's id or reference.")],
            options: [
                OptionSpec(
                    ["--rule"], value: "R",
                    "Which message (default: what its state calls for). Visits: \(visitRules.joined(separator: ", ")); agreements: "
                        + "\(agreementRules.joined(separator: ", ")).")
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            let isAgreement = id.hasPrefix("AGR-") || id.hasPrefix("agr-")
            var p: JSONObject = [:]
            if let r = args.value("--rule") {
                let known = isAgreement ? agreementRules : visitRules
                let rule = isAgreement && !r.hasPrefix("agreement_") ? "agreement_" + r : r
                guard known.contains(rule) || known.contains(r) else {
                    throw UsageError(
                        "--rule \(r): \(isAgreement ? "an agreement's" : "a visit's") rules are \(known.joined(separator: ", "))")
                }
                p["rule"] = .string(rule)
            }
            if isAgreement {
                p["agreement"] = try ctx.call("agreements", "agreements.get", ["id": .string(id)])
            } else {
                p["delegation"] = try ctx.call("delegations", "delegations.get", ["id": .string(id)])
            }
            let r = try ctx.call("notifications", "notifications.preview", .object(p))
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            let msgs = r["messages"]?.arrayValue ?? []
            ctx.print("\(msgs.count) message(s), rule \(r["rule"]?.stringValue ?? "") — nothing is sent.")
            for m in msgs {
                ctx.print("")
                ctx.print("To: \(m["to"]?.stringValue ?? "")   [\(m["view"]?.stringValue ?? "") view]")
                ctx.print("Subject: \(m["subject"]?.stringValue ?? "")")
                if let refused = m["refused"]?.stringValue { ctx.print("REFUSED: \(refused)") }
                if let c = m["calendar"] { ctx.print("Calendar: METHOD:\(c["method"]?.stringValue ?? "")") }
                ctx.print("")
                ctx.print(m["text"]?.stringValue ?? "")
            }
            return ExitCode.ok
        }
    }

    static let visitRules = ["schedule", "update", "cancel", "postpone", "reminder"]
    static let agreementRules = ["agreement_signed", "agreement_expiring", "agreement_expired"]

    static var notificationRetry: CLICommand {
        Command(
            name: "retry", abstract: "Queue a dead or possibly-sent message again (it may reach someone twice if it had been sent).",
            usage: "notification retry ID", arguments: [("ID", "A message id.")]
        ) { args, ctx in
            guard let id = Int64(try args.positional(0, "ID")) else { throw UsageError("ID must be a number") }
            let r = try ctx.call("notifications", "notifications.retry", ["id": .int(id)])
            ctx.print("message \(id): \(r["status"]?.stringValue ?? "")")
            return ExitCode.ok
        }
    }

    static var notificationDue: CLICommand {
        Command(
            name: "due", abstract: "Reminders armed to go out soon.", usage: "notification due [--days N] [--json]",
            options: [OptionSpec(["--days"], value: "N", "Look N days ahead (default 30).")]
        ) { args, ctx in
            let r = try ctx.call(
                "notifications", "notifications.due", ["days": .int(Int64(try args.int("--days", default: 30, in: 1...3650)))])
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table(["DUE", "DAYS BEFORE", "REF", "STARTS", "TITLE"])
            for i in r["items"]?.arrayValue ?? [] {
                t.add([
                    i["due_at"]?.stringValue ?? "", String(i["days_before"]?.intValue ?? 0), i["ref"]?.stringValue ?? "",
                    i["starts_at"]?.stringValue ?? "",
                    i["title"]?.stringValue ?? "",
                ])
            }
            ctx.print(t.rows.isEmpty ? "(no reminders due)" : t.render())
            return ExitCode.ok
        }
    }

    static var benchMail: CLICommand {
        Command(
            name: "mail", abstract: "Confirm a visit with N recipients and measure mails/s handed to the MTA.",
            usage: "bench mail [--recipients N] [--address PATTERN] [--json]",
            options: [
                OptionSpec(["--recipients", "-n"], value: "N", "Members with an email (default 200, at most 500)."),
                OptionSpec(["--address"], value: "PATTERN", "Their addresses, {n} replaced by 0…N-1 (default lz-r{n}@localhost)."),
                OptionSpec(["--timeout"], value: "S", "Give up after S seconds (default 300)."),
            ]
        ) { args, ctx in
            let n = try args.int("--recipients", default: 200, in: 1...500)
            let pattern = args.value("--address") ?? "lz-r{n}@localhost"
            let timeout = try args.int("--timeout", default: 300, in: 1...86_400)
            let members: [JSONValue] = (0..<n).map { i in
                ["name": .string("Bench member \(i)"), "email": .string(pattern.replacingOccurrences(of: "{n}", with: String(i)))]
            }
            let tag = IDs.make("bench")
            let draft: JSONValue = [
                "direction": "inbound", "title": .string("Mail benchmark \(tag)"),
                "partner": ["name": "Benchmark", "kind": "other", "country": "UG"],
                "starts_at": "2031-01-01T09:00", "ends_at": "2031-01-01T17:00", "members": .array(members),
            ]
            let progress = BenchProgress(ctx, "bench mail: confirming a visit of \(n) members, each mailed its schedule")
            defer { progress.done() }
            let d = try ctx.call("delegations", "delegations.create", draft)
            let t0 = monotonicNanos()
            _ = try ctx.call("delegations", "delegations.confirm", ["id": d["id"]!, "expected_version": 1])
            var sent = 0, dead = 0, total = 0
            let deadline = t0 + UInt64(timeout) * 1_000_000_000
            repeat {
                usleep(50_000)
                // The counts follow the delegation filter; one row of items is enough.
                let counts = try ctx.call("notifications", "notifications.list", ["delegation_id": d["id"]!, "limit": 1])["counts"]
                func count(_ s: String) -> Int { Int(counts?[s]?.intValue ?? 0) }
                total = (counts?.objectValue?.members ?? []).map { Int($0.value.intValue ?? 0) }.reduce(0, +)
                sent = count("sent")
                dead = count("dead")
                progress.update("\(sent) sent, \(dead) dead, \(total - sent - dead) on their way")
            } while (total < n || sent + dead < total) && monotonicNanos() < deadline
            let seconds = Double(monotonicNanos() - t0) / 1e9
            let out: JSONValue = [
                "recipients": .int(Int64(n)), "sent": .int(Int64(sent)), "dead": .int(Int64(dead)), "seconds": .double(seconds),
                "mails_per_s": .double((Double(sent) / seconds * 10).rounded() / 10),
            ]
            if ctx.json {
                ctx.printJSON(out)
            } else {
                ctx.print(
                    "\(sent) of \(n) messages handed to the MTA in \(threeSignificant(seconds)) s: "
                        + "\(threeSignificant(Double(sent) / seconds)) mails/s (\(dead) dead)"
                )
            }
            return sent == n ? ExitCode.ok : ExitCode.failure
        }
    }
}
