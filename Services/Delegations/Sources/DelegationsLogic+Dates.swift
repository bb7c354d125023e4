import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonJSON
import LiaisonWire

/// start and complete follow the visit's dates: start from its first day (less the margin),
/// complete once it began; exceptions are forced, with a reason kept on the record.
extension DelegationsLogic {
    func start(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        let now = self.now(), margin = settings.startMarginDays
        try requireReasonIfForced(p)
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .start, uid: uid, event: .delegationStarted) { d in
            // From the first day in the visit's own zone, less the margin.
            let firstDay = LocalDate(year: d.draft.startsAt.year, month: d.draft.startsAt.month, day: d.draft.startsAt.day)
            let from = firstDay.adding(days: -margin)
            let today = LocalDateTime.at(epoch: now / 1000, in: d.draft.zone)
            guard LocalDate(year: today.year, month: today.month, day: today.day) < from else { return }
            try Self.allowEarly(&d, p, "start", "\(d.ref) begins on \(firstDay); start is accepted from \(from)", today: today)
        }
    }

    /// `force` needs a reason.
    func requireReasonIfForced(_ p: DelegationTransition) throws {
        guard p.force == true else { return }
        var v = Validator()
        v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why the visit's dates are overridden (force)")
        try v.finish()
    }

    /// Refuses a lifecycle change the visit's dates do not allow, unless forced (then kept).
    static func allowEarly(_ d: inout Delegation, _ p: DelegationTransition, _ action: String, _ why: String, today: LocalDateTime) throws {
        guard p.force == true, let reason = p.reason else {
            throw ServiceError(
                .failedPrecondition, "cannot \(action) yet: \(why) (give force and a reason for an exception)", retryable: false,
                details: ["current_state": .string(d.status.rawValue)])
        }
        d.exceptions.append("\(action) forced on \(today.date): \(reason)")
    }

    func complete(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        var v = Validator()
        v.requiredText(p.outcome, "outcome", max: Limits.notes, multiline: true, why: "what came of the visit")
        try v.finish()
        try requireReasonIfForced(p)
        let now = self.now()
        return try transition(p.id, expectedVersion: p.expectedVersion, action: .complete, uid: uid, event: .delegationCompleted) { d in
            let begins = d.draft.startsAt.epochSeconds(in: d.draft.zone)
            if now / 1000 < begins {
                let today = LocalDateTime.at(epoch: now / 1000, in: d.draft.zone)
                try Self.allowEarly(&d, p, "complete", "\(d.ref) begins at \(d.draft.startsAt) (\(d.draft.timeZone))", today: today)
            }
            d.outcome = p.outcome
        }
    }
}
