import Foundation
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The notifications service: turns delegation (and agreement) events into email — schedules,
/// updates, cancellations, reminders — and hands them to sendmail exactly once.
package final class NotificationsService: ServiceModule, EventParticipant {
    let context: ServiceContext
    package let store: Store
    let settings: NotificationSettings
    let rules: NotificationRules
    let sender: MailSender

    package init(_ context: ServiceContext, now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) throws {
        self.context = context
        settings = try NotificationSettings.from(context.entry.settings, home: context.mesh.home)
        store = try Store(path: context.entry.dataDir + "/notifications.db", migrations: NotificationTables.migrations,
                          components: [("inbox", Inbox.migrations)])
        rules = NotificationRules(settings: settings, log: context.log, now: now)
        sender = MailSender(store: store, settings: settings, rules: rules, log: context.log, now: now)
    }

    package var emits: [String] { [] }
    package var eventStore: Store { store }

    package func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        if event.type.hasPrefix("agreement.") {
            guard settings.agreementNotices, try rules.applyAgreement(event, db) else { return .ignored }
            db.afterCommit { [sender] in sender.wake() }
            return .applied
        }
        guard event.type.hasPrefix("delegation.") else { return .ignored }
        guard let id = event.data["id"]?.stringValue else {
            throw ServiceError.invalidParams(field: "data.id", "a delegation event carries the delegation (its id is missing)")
        }
        try db.run("""
            INSERT INTO jobs(event_id, event_type, source, partition_key, sequence, delegation_id, schedule_version, received_ms, data)
            VALUES(?,?,?,?,?,?,?,?,?)
            """, [event.id, event.type, event.source, event.partitionkey, event.sequence, id, event.data["schedule_version"]?.intValue ?? 1,
                  wallClockMillis(), JSONWriter.string(event.data)])
        if try rules.apply(event, db) {
            let sender = self.sender
            db.afterCommit { sender.wake() }
        }
        db.afterCommit { [sender] in sender.wakeReminderThread() }
        return .applied
    }

    package func start() {
        switch settings.transport {
        case .sendmail(let path): context.log.info("mail.transport", ["transport": "sendmail", "path": path, "concurrency": String(settings.concurrency)])
        case .file(let dir):
            if settings.fellBackToFile {
                context.log.warning("mail.transport", ["transport": "file", "dir": dir,
                                                       "reason": "no sendmail at /usr/sbin/sendmail: messages are written as .eml files, not sent"])
            } else {
                context.log.info("mail.transport", ["transport": "file", "dir": dir])
            }
        }
        do { try sender.start() } catch { context.log.error("mail.start_failed", ["error": "\(error)"]) }
    }

    package func stop() { sender.stop() }

    package func health() -> (ok: Bool, fields: JSONObject) {
        var counts = JSONObject()
        for r in (try? store.read({ db in try db.query("SELECT status, count(*) FROM messages GROUP BY status") })) ?? [] {
            counts[r.string(0)!] = .int(r.int(1)!)
        }
        let transport: JSONValue = switch settings.transport {
        case .sendmail(let p): ["kind": "sendmail", "path": .string(p)]
        case .file(let d): ["kind": "file", "dir": .string(d)]
        }
        return (true, ["messages": .object(counts), "transport": transport])
    }

    package func register(_ t: inout MethodTable) {
        NotificationMethods.register(&t, service: self)
    }
}
