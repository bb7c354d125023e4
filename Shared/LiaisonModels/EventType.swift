/// Every event type a Liaison service emits (DESIGN §4): producers emit them, consumers switch
/// over them, the mesh file subscribes to them (exactly or as `family.*`).
package enum EventType: String, WireEnum {
    case delegationConfirmed = "delegation.confirmed"
    case delegationRescheduled = "delegation.rescheduled"
    case delegationPostponed = "delegation.postponed"
    case delegationCancelled = "delegation.cancelled"
    case delegationStarted = "delegation.started"
    case delegationCompleted = "delegation.completed"
    case delegationUpdated = "delegation.updated"
    case agreementSigned = "agreement.signed"
    case agreementActivated = "agreement.activated"
    case agreementExpiring = "agreement.expiring"
    case agreementExpired = "agreement.expired"
    case agreementTerminated = "agreement.terminated"
    case agreementRenewed = "agreement.renewed"
    case agreementSuspended = "agreement.suspended"
    case agreementResumed = "agreement.resumed"
    case agreementAmended = "agreement.amended"

    /// What the event is about: `delegation` or `agreement`.
    package var family: Family { rawValue.hasPrefix("delegation.") ? .delegation : .agreement }

    /// The kinds of record events are about; `data` holds the whole record.
    package enum Family: String, Sendable {
        case delegation, agreement
    }

    /// The types of one family.
    package static func all(_ family: Family) -> [EventType] { allCases.filter { $0.family == family } }

    /// What the event says, for `service.describe`.
    package var summary: String {
        switch self {
        case .delegationConfirmed: "A visit was confirmed; data is the delegation with its full schedule."
        case .delegationRescheduled: "A visit's window or itinerary changed (schedule_version bumped)."
        case .delegationPostponed: "A visit was postponed; it becomes proposed again when rescheduled."
        case .delegationCancelled: "A visit was cancelled (cancel_reason says why)."
        case .delegationStarted: "A visit began."
        case .delegationCompleted: "A visit ended (outcome says what came of it)."
        case .delegationUpdated: "Details of a confirmed or running visit changed."
        case .agreementSigned: "An agreement was signed; data is the agreement."
        case .agreementActivated: "An agreement took effect."
        case .agreementExpiring: "An agreement ends soon; lead_days and days_left say when."
        case .agreementExpired: "An agreement ended."
        case .agreementTerminated: "An agreement was ended early (termination_reason)."
        case .agreementRenewed: "An agreement was renewed; successor holds the new record."
        case .agreementSuspended: "An agreement was suspended (suspension_reason)."
        case .agreementResumed: "A suspended agreement is active again."
        case .agreementAmended: "A numbered amendment changed an agreement."
        }
    }
}
