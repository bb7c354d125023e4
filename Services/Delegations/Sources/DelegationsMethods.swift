import LiaisonHost
import LiaisonModels
import LiaisonWire

/// The delegations service's methods.
enum DelegationsMethods {
    static func register(_ t: inout MethodTable, logic: DelegationsLogic) {
        t.add("delegations.create", "Stores a new delegation (status proposed) and runs the itinerary checker on it.") {
            (p: DelegationDraft, ctx) in
            let (d, f, created) = try logic.create(p, uid: ctx.callerUID)
            return SavedDelegation(delegation: d, found: f, created: created)
        }
        t.add("delegations.get", "One delegation by id or reference.") { (p: IDParams, _) in try logic.get(p.id) }
        t.add("delegations.list", "Delegations matching the filters, by start date; pages through next_cursor.") { (p: ListParams, _) in
            try logic.list(p)
        }
        t.add(
            "delegations.update",
            "Replaces the fields given (any delegation field) at expected_version; a confirmed visit's schedule changes only by reschedule."
        ) {
            (p: UpdateParams, ctx) in try logic.update(p, uid: ctx.callerUID)
        }
        t.add(
            "delegations.confirm",
            "proposed → confirmed; refused with conflict and the full list while the checker finds clashes. Emits delegation.confirmed."
        ) {
            (p: TransitionParams, ctx) in try logic.confirm(id: p.id, expectedVersion: p.expectedVersion, uid: ctx.callerUID)
        }
        t.add(
            "delegations.reschedule",
            "A new window and/or itinerary (bumps schedule_version); a confirmed visit must stay clash-free. Emits delegation.rescheduled."
        ) {
            (p: RescheduleParams, ctx) in try logic.reschedule(p, uid: ctx.callerUID)
        }
        t.add("delegations.cancel", "Cancels a visit that has not started; reason required. Emits delegation.cancelled.") {
            (p: TransitionParams, ctx) in try logic.cancel(p, uid: ctx.callerUID)
        }
        t.add(
            "delegations.postpone",
            "Postpones a visit that has not started (reschedule makes it proposed again). Emits delegation.postponed."
        ) {
            (p: TransitionParams, ctx) in try logic.postpone(p, uid: ctx.callerUID)
        }
        t.add("delegations.start", "confirmed → in_progress. Emits delegation.started.") { (p: TransitionParams, ctx) in
            try logic.start(p, uid: ctx.callerUID)
        }
        t.add("delegations.complete", "in_progress → completed; outcome required. Emits delegation.completed.") {
            (p: TransitionParams, ctx) in try logic.complete(p, uid: ctx.callerUID)
        }
        t.add(
            "delegations.check", "Runs the itinerary checker on a draft (delegation fields) or a stored delegation ({id}) without saving."
        ) {
            (p: CheckParams, _) in try logic.check(draft: p.draft, id: p.id)
        }
        t.add("delegations.history", "The audit trail: every change, when, by which uid, what changed.") { (p: IDParams, _) in
            try logic.history(p.id)
        }
        t.classify(.read, "delegations.get", "delegations.list", "delegations.check", "delegations.history")
    }
}
