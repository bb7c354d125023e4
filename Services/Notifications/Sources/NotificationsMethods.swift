import LiaisonHost
import LiaisonWire

/// The notifications service's methods.
enum NotificationsMethods {
    static func register(_ t: inout MethodTable, logic: NotificationsLogic) {
        t.add("notifications.jobs", "The delegation events received, oldest first (the journal the messages come from).") {
            (p: JobsParams, _) in
            try logic.jobs(p)
        }
        t.add("notifications.list", "Messages, newest first, by status and/or delegation.") { (p: ListParams, _) in try logic.list(p) }
        t.add("notifications.show", "One message: headers, recipient, attempts with the MTA's output, and (raw: true) the message itself.")
        {
            (p: ShowParams, _) in try logic.show(p)
        }
        t.add(
            "notifications.retry",
            "Queues a dead or possibly-sent message again (an operator's decision; may mail twice if it had been sent)."
        ) {
            (p: ShowParams, ctx) in try logic.retry(p, uid: ctx.callerUID, log: ctx.log)
        }
        t.add(
            "notifications.preview",
            "Renders the emails the rules would send now for a delegation (give the delegation, or the id of one this service has seen) "
                + "or an agreement's notices (give the agreement), without sending anything."
        ) { (p: PreviewParams, _) in try logic.preview(p) }
        t.add("notifications.due", "Reminders that will go out within the next N days (default 30): armed, of confirmed visits.") {
            (p: DueParams, _) in try logic.due(p)
        }
        t.classify(.read, "notifications.jobs", "notifications.list", "notifications.show", "notifications.preview", "notifications.due")
        t.classify(.operate, "notifications.retry")
    }
}
