import Foundation
import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The notifications service: turns delegation (and agreement) events into email — schedules,
/// updates, cancellations, reminders — and hands them to sendmail exactly once. Wires the
/// store, the rules, the senders, the methods and the events it consumes.
package final class NotificationsService: Sendable {
    package let store: Store
    let settings: NotificationsSettings
    let rules: NotificationRules
    let logic: NotificationsLogic
    let sender: MailSender
    /// What the host runs.
    package let definition: ServiceDefinition

    package init(_ context: ServiceContext, now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) throws {
        settings = try NotificationsSettings.from(context.entry.settings, home: context.mesh.home)
        store = try Store(
            path: context.entry.dataDir + "/notifications.db",
            migrations: NotificationsTables.migrations,
            components: [("inbox", Inbox.migrations)]
        )
        rules = NotificationRules(settings: settings, log: context.log, now: now)
        let ledger = MailLedger(
            path: settings.ledger ?? context.entry.dataDir + "/sent-ledger.jsonl",
            keepMs: settings.ledgerKeepMs
        )
        if store.recovering {
            // Put back from a backup: what was handed over since comes back from the ledger.
            let (added, updated) = try store.write { db in
                try NotificationsTables.reconcile(db, ledger.entries(), nowMillis: now())
            }
            context.log.notice(
                "mail.ledger_reconciled",
                ["added": String(added), "updated": String(updated), "ledger": ledger.path]
            )
        }
        if let dropped = try? ledger.compact(nowMillis: now()), dropped > 0 {
            context.log.info("mail.ledger_compacted", ["dropped": String(dropped)])
        }
        sender = MailSender(store: store, settings: settings, rules: rules, log: context.log, ledger: ledger, now: now)
        logic = NotificationsLogic(store: store, settings: settings, rules: rules, now: now)
        var def = ServiceDefinition()
        try EventWiring.consume(
            into: &def,
            store: store,
            context: context,
            consumer: NotificationsConsumer(settings: settings, rules: rules)
        )
        EventWiring.report(store, into: &def)
        EventWiring.recovery(store, into: &def, recovery: nil)
        NotificationsMethods.register(&def.methods, logic: logic)
        def.components.append(sender)
        let logic = self.logic, transport = settings.transport
        def.health.append(.typed("messages") { (true, logic.counts() ?? [:]) })
        def.metrics.append {
            let counts = logic.counts() ?? [:]
            return [
                MetricFamily(
                    "liaison_mails",
                    .gauge,
                    "Messages by status (pending, sending, sent, dead, possibly_sent).",
                    MessageStatus.allCases.map {
                        MetricSample(["status": $0.rawValue], Double(counts[$0.rawValue] ?? 0))
                    }
                )
            ]
        }
        def.health.append(.typed("transport") { (true, TransportInfo(transport)) })
        // Made by the service itself, as its own account: `--check` sees that it may.
        if case .file(let dir) = settings.transport {
            def.directories.append(("services[\(context.name)].settings.mail.dir (the file transport)", dir))
        }
        if let l = settings.ledger {
            def.directories.append(
                ("services[\(context.name)].settings.mail.ledger", (l as NSString).deletingLastPathComponent)
            )
        }
        definition = def
    }
}

/// How mail leaves, for `service.health`.
struct TransportInfo: Encodable, Sendable, Schematic {
    var kind: String
    var path, dir: String?

    init(_ t: MailTransport) {
        switch t {
        case .sendmail(let p): kind = "sendmail"; path = p
        case .file(let d): kind = "file"; dir = d
        }
    }

    static var schema: Schema {
        .object([.req("kind", .string(values: ["sendmail", "file"])), .opt("path", .string()), .opt("dir", .string())])
    }
}
