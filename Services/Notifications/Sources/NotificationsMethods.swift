import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonWire

/// The notifications service's methods: each contract's handler.
enum NotificationsMethods {
    static func register(_ t: inout MethodTable, logic: NotificationsLogic) {
        typealias API = NotificationsAPI
        t.add(API.jobs) { p, _ in try logic.jobs(p) }
        t.add(API.list) { p, _ in try logic.list(p) }
        t.add(API.show) { p, _ in try logic.show(p) }
        t.add(API.retry) { p, ctx in try logic.retry(p, uid: ctx.callerUID, log: ctx.log) }
        t.add(API.preview) { p, _ in try logic.preview(p) }
        t.add(API.due) { p, _ in try logic.due(p) }
        t.add(API.receive) { p, ctx in try logic.receive(p, log: ctx.log) }
        t.add(API.attendance) { p, _ in try logic.attendance(p) }
    }
}
