import LiaisonHost
import LiaisonEvents
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// What incoming events do here: delegation events are journalled and turned into messages and
/// reminders by the rules; agreement notices go to coordinators. Commits that queue mail wake
/// the senders (`.mail`), and every visit change wakes the reminders (`.reminders`).
struct NotificationsConsumer: EventConsumer {
    let settings: NotificationsSettings
    let rules: NotificationRules

    func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        if event.eventType == .delegationPurged {
            try NotificationsTables.purge(db, event)
            return .applied
        }
        // History (an import of past visits and agreements) and the partner registry send nothing.
        guard let type = event.eventType, !type.isHistory else { return .ignored }
        switch type.family {
        case .partner: return .ignored
        case .agreement:
            guard settings.agreementNotices, try rules.applyAgreement(event, db) else { return .ignored }
            return .applied
        case .delegation:
            guard let id = event.data["id"]?.stringValue else {
                throw ServiceError.invalidParams(
                    field: "data.id",
                    "a delegation event carries the delegation (its id is missing)"
                )
            }
            try NotificationsTables.journal(
                db,
                event,
                delegationID: id,
                scheduleVersion: event.data["schedule_version"]?.intValue ?? 1,
                nowMillis: wallClockMillis()
            )
            _ = try rules.apply(event, db)
            return .applied
        }
    }
}
