import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonLocale
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var notificationCommand: CLICommand {
        Command(
            name: "notification",
            abstract: "The emails sent (or waiting) for visits: list, show, preview, retry, reminders due.",
            usage: "notification <subcommand>",
            subcommands: [notificationList, notificationShow, notificationPreview, notificationRetry, notificationDue]
        )
    }

    /// `notification list --json`: a page of messages and the counts by status.
    struct MessagesShown: Encodable {
        var items: [MessageRow]
        var nextCursor: String?
        var counts: [String: Int64]
        enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor", counts }
    }

    static var notificationList: CLICommand {
        Command(
            name: "list",
            abstract: "Messages, newest first.",
            usage: "notification list [--status S] [--delegation ID] [--limit N] [--all] [--json]",
            options: [
                OptionSpec(["--status"], MessageStatus.self, ""),
                OptionSpec(["--delegation"], value: "ID", "Only this delegation's messages (id or reference)."),
                OptionSpec(["--limit"], value: "N", "Rows per page (default 50, at most 500)."),
                OptionSpec(["--all"], "Every page, not only the first."),
            ]
        ) { args, ctx in
            var f = MessageFilter(
                status: try args.choice("--status", MessageStatus.self),
                delegationID: args.value("--delegation"),
                limit: try args.int("--limit", default: 50, in: 1...500)
            )
            var items: [MessageRow] = []
            var r: MessageList
            repeat {
                r = try ctx.call(NotificationsAPI.list, f)
                items += r.page.items
                f.cursor = r.page.nextCursor
            } while f.cursor != nil && args.has("--all")
            if ctx.json {
                ctx.printJSON(MessagesShown(items: items, nextCursor: f.cursor, counts: r.counts)); return ExitCode.ok
            }
            var t = Table(["ID", "STATUS", "RULE", "REF", "TO", "ATTEMPTS", "SUBJECT", "ERROR"])
            for m in items {
                t.add([
                    String(m.id), m.status.rawValue, m.rule, m.ref, m.recipient, String(m.attempts),
                    String(m.subject.prefix(50)),
                    String((m.lastError ?? "").prefix(50)),
                ])
            }
            let counts = r.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            ctx.print(counts.isEmpty ? "(no messages)" : counts)
            if !t.rows.isEmpty { ctx.print(t.render()) }
            if let next = f.cursor { ctx.print("(more: --all, or --limit; next cursor \(next))") }
            return ExitCode.ok
        }
    }

    static var notificationShow: CLICommand {
        Command(
            name: "show",
            abstract: "One message: headers, recipient, its text as they read it, every attempt with the MTA's output.",
            usage: "notification show ID [--raw] [--json]",
            arguments: [("ID", "A message id from 'notification list'.")],
            options: [OptionSpec(["--raw"], "Print the whole message as handed to the MTA.")]
        ) { args, ctx in
            guard let id = Int64(try args.positional(0, "ID")) else { throw UsageError("ID must be a number") }
            let m = try ctx.call(NotificationsAPI.show, MessageID(id, raw: args.has("--raw")))
            if ctx.json { ctx.printJSON(m); return ExitCode.ok }
            if args.has("--raw") { ctx.print(m.raw ?? ""); return ExitCode.ok }
            ctx.print(
                "message \(id): \(m.status.rawValue) — \(m.rule) for \(m.ref) (schedule version \(m.scheduleVersion))"
            )
            ctx.print("to \(m.recipientName.map { "\($0) " } ?? "")<\(m.recipient)> as \(m.view)")
            if let e = m.lastError { ctx.print("error: \(e)") }
            if let o = m.mtaOutput, !o.isEmpty { ctx.print("MTA said: \(o)") }
            ctx.print("")
            for h in m.headers ?? [] { ctx.print("\(h.name): \(h.value)") }
            ctx.print("parts: " + (m.parts ?? []).map { "\($0.type) (\($0.bytes) bytes)" }.joined(separator: ", "))
            if let text = m.text {
                ctx.print("")
                ctx.print(
                    text.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(
                        separator: "\n"
                    )
                )
            }
            ctx.print("")
            for a in m.attemptLog ?? [] {
                ctx.print("attempt at \(a.startedAt): \(a.outcome)\(a.detail.map { " — \($0)" } ?? "")")
            }
            return ExitCode.ok
        }
    }

    /// `signed`, `expiring`, `expired`: an agreement's rules without their `agreement_` prefix.
    static let agreementShortRules = MessageRule.allCases.filter(\.isAgreementNotice).map {
        String($0.rawValue.dropFirst("agreement_".count))
    }

    static var notificationPreview: CLICommand {
        Command(
            name: "preview",
            abstract:
                "Render the emails the rules would send now for a visit or an agreement, without sending anything.",
            usage: "notification preview DEL-…|AGR-… [--rule R] [--lang L] [--json]",
            arguments: [("ID", "A delegation's or an agreement's id or reference.")],
            options: [
                OptionSpec(
                    ["--rule"],
                    oneOf: MessageRule.allCases.map(\.rawValue) + agreementShortRules,
                    value: "R",
                    "Which message (default: what its state calls for); an agreement's may drop `agreement_`."
                ),
                OptionSpec(
                    ["--lang"],
                    oneOf: Catalogue.codes,
                    value: "L",
                    "A visit's mails in this language, English beside it (default: each recipient's first language "
                        + "Liaison has)."
                ),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            let isAgreement = id.hasPrefix("AGR-") || id.hasPrefix("agr-")
            let given = args.value("--rule")
            let rule = given.flatMap { g in
                MessageRule(rawValue: isAgreement && agreementShortRules.contains(g) ? "agreement_" + g : g)
            }
            if let given, rule == nil || rule?.isAgreementNotice != isAgreement {
                let known = MessageRule.allCases.filter { $0.isAgreementNotice == isAgreement && $0 != .removal }.map(
                    \.rawValue
                )
                throw UsageError(
                    "--rule \(given): \(isAgreement ? "an agreement's" : "a visit's") rules are "
                        + "\(known.joined(separator: ", "))"
                )
            }
            var p = PreviewParams(rule: rule, language: args.value("--lang"))
            if isAgreement {
                p.agreement = try ctx.call(AgreementsAPI.get, AgreementID(id))
            } else {
                p.delegation = try ctx.call(DelegationsAPI.get, DelegationID(id))
            }
            let r = try ctx.call(NotificationsAPI.preview, p)
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            ctx.print("\(r.messages.count) message(s), rule \(r.rule.rawValue) — nothing is sent.")
            for m in r.messages {
                ctx.print("")
                ctx.print("To: \(m.to)   [\(m.view) view]")
                ctx.print("Subject: \(m.subject)")
                if let refused = m.refused { ctx.print("REFUSED: \(refused)") }
                if let c = m.calendar { ctx.print("Calendar: METHOD:\(c.method)") }
                ctx.print("")
                ctx.print(m.text)
            }
            return ExitCode.ok
        }
    }

    static var notificationRetry: CLICommand {
        Command(
            name: "retry",
            abstract: "Queue a dead or possibly-sent message again (it may reach someone twice if it had been sent).",
            usage: "notification retry ID",
            arguments: [("ID", "A message id.")]
        ) { args, ctx in
            guard let id = Int64(try args.positional(0, "ID")) else { throw UsageError("ID must be a number") }
            let r = try ctx.call(NotificationsAPI.retry, MessageID(id))
            ctx.show(r) { "message \(id): \(r.status.rawValue)" }
            return ExitCode.ok
        }
    }

    static var notificationDue: CLICommand {
        Command(
            name: "due",
            abstract: "Reminders armed to go out soon.",
            usage: "notification due [--days N] [--json]",
            options: [OptionSpec(["--days"], value: "N", "Look N days ahead (default 30).")]
        ) { args, ctx in
            let r = try ctx.call(
                NotificationsAPI.due,
                DueParams(days: try args.int("--days", default: 30, in: 1...3650))
            )
            if ctx.json { ctx.printJSON(r); return ExitCode.ok }
            var t = Table(["DUE (UTC)", "DAYS BEFORE", "REF", "STARTS (LOCAL)", "TITLE"])
            for i in r.items {
                // 2026-03-05T01:00:00.000Z → 2026-03-05 01:00
                let due = i.dueAt.prefix(16).replacingOccurrences(of: "T", with: " ")
                t.add([
                    due, String(i.daysBefore), i.ref ?? "", i.startsAt?.replacingOccurrences(of: "T", with: " ") ?? "",
                    i.title ?? "",
                ])
            }
            ctx.print(t.rows.isEmpty ? "(no reminders due)" : t.render())
            return ExitCode.ok
        }
    }
}
