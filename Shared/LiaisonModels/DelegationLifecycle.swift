/// The transitions a delegation may make (DESIGN §4): proposed → confirmed → in_progress →
/// completed, with cancelled and postponed possible before the visit starts. A visit under way
/// can still be rescheduled: its itinerary and its end (its start has passed).
package enum DelegationAction: String, LifecycleAction {
    case confirm, reschedule, cancel, postpone, start, complete, update
    /// Completing a visit known only by a past date ("2025-06"): it took place, but it could
    /// never be confirmed or started (those need its days and times).
    case completePast = "complete_past"

    /// The states this action may be taken from.
    package var allowedFrom: Set<DelegationStatus> {
        switch self {
        case .confirm: [.proposed]
        case .reschedule: [.proposed, .confirmed, .postponed, .inProgress]
        case .cancel: [.proposed, .confirmed, .postponed]
        case .postpone: [.proposed, .confirmed]
        case .start: [.confirmed]
        case .complete: [.inProgress]
        case .completePast: [.proposed, .confirmed, .inProgress]
        case .update: [.proposed, .confirmed, .postponed, .inProgress]
        }
    }

    /// The state after the action taken from `from`.
    package func target(from: DelegationStatus) -> DelegationStatus {
        switch self {
        case .confirm: .confirmed
        case .reschedule: from == .postponed ? .proposed : from
        case .cancel: .cancelled
        case .postpone: .postponed
        case .start: .inProgress
        case .complete, .completePast: .completed
        case .update: from
        }
    }
}
