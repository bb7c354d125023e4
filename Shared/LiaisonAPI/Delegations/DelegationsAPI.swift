import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// The delegations service's methods: visits, their lifecycle, history and retention.
package enum DelegationsAPI {
    /// The mesh service that answers them.
    package static let service = "delegations"

    package static let create = Method<DelegationDraft, SavedDelegation>(
        "delegations.create",
        on: service,
        .write,
        "Stores a new delegation (status proposed) and runs the itinerary checker on it."
    )
    package static let get = Method<DelegationID, Delegation>(
        "delegations.get",
        on: service,
        .read,
        "One delegation by id or reference."
    )
    package static let list = Method<DelegationFilter, Page<DelegationSummary>>(
        "delegations.list",
        on: service,
        .read,
        "Delegations matching the filters, by start date; pages through next_cursor."
    )
    package static let export = Method<ExportPage, Page<Delegation>>(
        "delegations.export",
        on: service,
        .read,
        "Every visit whole, by id, a page at a time (liaison export); pages through next_cursor."
    )
    package static let update = Method<DelegationUpdate, SavedDelegation>(
        "delegations.update",
        on: service,
        .write,
        "Replaces the fields given (any delegation field); a confirmed visit's schedule changes only by reschedule."
    )
    package static let confirm = Method<DelegationTransition, SavedDelegation>(
        "delegations.confirm",
        on: service,
        .write,
        "proposed → confirmed; refused with conflict and the full list while the checker finds clashes. Emits "
            + "delegation.confirmed."
    )
    package static let reschedule = Method<DelegationReschedule, SavedDelegation>(
        "delegations.reschedule",
        on: service,
        .write,
        "A new window and/or itinerary (bumps schedule_version); a confirmed or running visit must stay clash-free, "
            + "and one under way keeps its start and zone. Emits delegation.rescheduled."
    )
    package static let cancel = Method<DelegationTransition, SavedDelegation>(
        "delegations.cancel",
        on: service,
        .write,
        "Cancels a visit that has not started; reason required. Emits delegation.cancelled."
    )
    package static let postpone = Method<DelegationTransition, SavedDelegation>(
        "delegations.postpone",
        on: service,
        .write,
        "Postpones a visit that has not started (reschedule makes it proposed again). Emits delegation.postponed."
    )
    package static let start = Method<DelegationTransition, SavedDelegation>(
        "delegations.start",
        on: service,
        .write,
        "confirmed → in_progress. Emits delegation.started."
    )
    package static let complete = Method<DelegationTransition, SavedDelegation>(
        "delegations.complete",
        on: service,
        .write,
        "in_progress → completed; outcome required. Emits delegation.completed."
    )
    package static let check = Method<DelegationCheck, DelegationCheckResult>(
        "delegations.check",
        on: service,
        .read,
        "Runs the itinerary checker on a draft (delegation fields) or a stored delegation ({id}) without saving."
    )
    package static let history = Method<HistoryParams, RecordHistory>(
        "delegations.history",
        on: service,
        .read,
        "The audit trail: every change, when, by which uid, what changed."
    )
    package static let record = Method<DelegationRecordParams, SavedDelegation>(
        "delegations.record",
        on: service,
        .write,
        "Records a past visit (history) as completed or cancelled; date may be a year, month or day. Emits "
            + "delegation.recorded, on which nothing is mailed."
    )
    package static let importStage = Method<DelegationsImportStage, ImportStaged>(
        "delegations.import_stage",
        on: service,
        .write,
        "Keeps rows of an import too large for one call; delegations.import {staged} imports them all at once."
    )
    package static let importRows = Method<DelegationsImport, ImportReport>(
        "delegations.import",
        on: service,
        .write,
        "Partners and visits from a file, all or nothing: every problem by section, row and field; dry_run writes "
            + "nothing."
    )
    package static let retention = Method<RetentionParams, RetentionList>(
        "delegations.retention",
        on: service,
        .operate,
        "Finished visits and when their people's personal data is purged (settings.retention_days after the end); "
            + "apply purges those due now, here and, through delegation.purged, in every copy."
    )
}
