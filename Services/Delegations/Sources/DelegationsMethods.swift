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
        t.add("delegations.get", "One delegation by id or reference.", execution: .inline) { (p: IDParams, _) in
            // One row by its key, read on the loop; the stored document is the delegation as
            // encoded: it is sent as it is.
            StoredJSON<Delegation>(try logic.document(p.id))
        }
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
            "A new window and/or itinerary (bumps schedule_version); a confirmed or running visit must stay clash-free, and one under way"
                + " keeps its start and zone. Emits delegation.rescheduled."
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
        t.add(
            "delegations.record",
            "Records a past visit (history) as completed or cancelled; date may be a year, month or day. Emits delegation.recorded, "
                + "on which nothing is mailed."
        ) {
            (p: RecordParams, ctx) in
            let (d, f, created) = try logic.record(p, uid: ctx.callerUID)
            return SavedDelegation(delegation: d, found: f, created: created)
        }
        t.add(
            "delegations.import",
            "Partners and visits from a file, all or nothing: every problem by section, row and field; dry_run writes nothing."
        ) { (p: DelegationsImportParams, ctx) in try logic.importRows(p, uid: ctx.callerUID) }
        t.add(
            "delegations.retention",
            "Finished visits and when their people's personal data is purged (settings.retention_days after the end); apply purges "
                + "those due now, here and, through delegation.purged, in every copy."
        ) { (p: RetentionParams, ctx) in try logic.retention(p, uid: ctx.callerUID) }
        registerPartners(&t, logic: logic)
        t.classify(.operate, "delegations.retention")
        t.classify(
            .read, "delegations.get", "delegations.list", "delegations.check", "delegations.history", "partners.get", "partners.list",
            "partners.history")
    }

    /// The partner registry's methods.
    static func registerPartners(_ t: inout MethodTable, logic: DelegationsLogic) {
        t.add("partners.create", "Registers a partner institution (refused with conflict when its name and country are there).") {
            (p: PartnerCreateParams, ctx) in try logic.createPartner(p, uid: ctx.callerUID)
        }
        t.add("partners.get", "A partner with its people, its visits and the last one, and the entries merged into it.") {
            (p: PartnerIDParams, _) in try logic.partner(p.id)
        }
        t.add("partners.list", "Partners by name; pages through next_cursor.") { (p: PartnerListParams, _) in try logic.partners(p) }
        t.add("partners.update", "Replaces the fields given at expected_version; every visit naming it shows the change.") {
            (p: PartnerUpdateParams, ctx) in try logic.updatePartner(p, uid: ctx.callerUID)
        }
        t.add("partners.add_person", "Adds someone to a partner's people.") { (p: PersonAddParams, ctx) in
            try logic.addPerson(p, uid: ctx.callerUID)
        }
        t.add("partners.update_person", "One of a partner's people (by id or email): the fields given replace theirs, null clears one.") {
            (p: PersonUpdateParams, ctx) in try logic.updatePerson(p, uid: ctx.callerUID)
        }
        t.add("partners.remove_person", "One of a partner's people (by id or email) is no longer there.") {
            (p: PersonRemoveParams, ctx) in try logic.removePerson(p, uid: ctx.callerUID)
        }
        t.add("partners.merge", "Merges a duplicate (from) into the entry kept (into); both histories stay. Emits partner.merged.") {
            (p: PartnerMergeParams, ctx) in try logic.merge(p, uid: ctx.callerUID)
        }
        t.add("partners.history", "A partner's audit trail.") { (p: PartnerIDParams, _) in try logic.partnerHistory(p.id) }
    }
}
