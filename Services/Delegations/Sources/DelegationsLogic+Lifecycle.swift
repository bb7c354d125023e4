import Foundation
import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonRecords
import LiaisonStore
import LiaisonWire

/// A visit's life: every change of its state (confirm, reschedule, postpone, cancel, start,
/// complete) goes through `transition`, which permits it from the state it is in, runs the
/// itinerary checker once, and emits the event the change owes.
extension DelegationsLogic {
    /// Applies `change` to the delegation at `expectedVersion` (nil: the one stored) by `action`,
    /// which must be allowed from its state; emits `event` when given. Returns the delegation
    /// after the change with what the checker says of its itinerary. The checker runs once per
    /// change: inside the write when `refusing` names what a clash refuses (for the record as
    /// changed; nil: nothing), else after the commit, as advice.
    func transition(
        _ id: String,
        expectedVersion: Int?,
        action: DelegationAction,
        uid: UInt32,
        event: EventType?,
        emitWhen: @escaping (DelegationStatus) -> Bool = { _ in true },
        emitting: ((Delegation, Delegation) -> EventType?)? = nil,
        label: String? = nil,
        refusing: ((Delegation) -> String?)? = nil,
        guarded: ((Delegation, Database) throws -> Void)? = nil,
        _ change: (inout Delegation) throws -> Void
    ) throws -> SavedDelegation {
        var checked: CheckFindings?
        let done = try changes.change(
            id,
            expectedVersion: expectedVersion,
            action: label ?? action.rawValue,
            uid: uid,
            event: { before, after in
                if let emitting { return emitting(before, after) }
                return emitWhen(before.status) ? event : nil
            },
            guarded: { d, db in
                try guarded?(d, db)
                checked = nil
                guard let doing = refusing?(d) else { return }
                let f = try self.findings(db, d.draft, excluding: d.id)
                try Self.refuseClashes(f, d, doing: doing)
                checked = f
            }
        ) { d in
            try action.permit(from: d.status, label: d.label)
            let from = d.status
            try change(&d)
            d.status = action.target(from: from)
        }
        let f = try checked ?? store.read { db in try findings(db, done.record.draft, excluding: done.record.id) }
        guard case .encoded(let text) = done.tree else {
            return SavedDelegation(delegation: done.record, found: f, created: nil)
        }
        return SavedDelegation(delegation: done.record, found: f, created: nil, stored: text)
    }

    /// Refuses (with conflict and the findings, as capped) when the checker finds anything; the
    /// message names the first few.
    static func refuseClashes(_ f: CheckFindings, _ d: Delegation, doing: String) throws {
        guard f.blocking > 0 else { return }
        let shown = 5
        let errors = f.findings.filter { $0.severity == "error" }
        var list = errors.prefix(shown).map(\.message).joined(separator: "; ")
        if f.blocking > shown { list += "; and \(f.blocking - shown) more" }
        var details: JSONObject = ["findings": JSONEncoding.encode(f.findings), "findings_total": .int(Int64(f.total))]
        if !f.omitted.isEmpty { details["findings_omitted"] = JSONEncoding.encode(f.omitted) }
        throw ServiceError(
            .conflict,
            "cannot \(doing) \(d.ref): the itinerary has \(f.blocking) clash\(f.blocking == 1 ? "" : "es"): \(list)",
            retryable: false,
            details: .object(details)
        )
    }

    func confirm(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .confirm,
            uid: uid,
            event: .delegationConfirmed,
            refusing: { _ in "confirm" }
        ) { d in try Self.requireSchedule(d, doing: "confirm") }
    }

    /// Only a visit with a day and times (not one known as "2018" or "Oct 2024") can be
    /// confirmed, rescheduled and mailed.
    static func requireSchedule(_ d: Delegation, doing: String) throws {
        guard let date = d.draft.date else { return }
        throw ServiceError(
            .failedPrecondition,
            "cannot \(doing) \(d.ref): it is known only as \(date.display); give it starts_at and ends_at first "
                + "(liaison delegation update), or — once it took place — complete it with its outcome",
            retryable: false,
            details: ["field": "date"]
        )
    }

    func reschedule(_ p: DelegationReschedule, uid: UInt32) throws -> SavedDelegation {
        guard
            p.startsAt != nil || p.endsAt != nil || p.timeZone != nil || p.itinerary != nil || p.shiftMinutes != nil
                || p.to != nil
        else {
            throw ServiceError.invalidParams(
                field: "",
                "give at least one of starts_at, ends_at, time_zone, itinerary, shift_minutes, to"
            )
        }
        if p.shiftMinutes != nil || p.to != nil,
            let f = [
                p.startsAt == nil ? nil : "starts_at", p.endsAt == nil ? nil : "ends_at",
                p.itinerary == nil ? nil : "itinerary", p.shiftMinutes != nil && p.to != nil ? "to" : nil,
            ].compactMap({ $0 }).first
        {
            throw ServiceError.invalidParams(
                field: f,
                "shift_minutes or to moves the whole visit: give it alone (with time_zone at most)"
            )
        }
        var v = Validator()
        v.optionalText(p.reason, "reason", max: Limits.reason, multiline: true)
        try v.finish()
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .reschedule,
            uid: uid,
            event: .delegationRescheduled,
            refusing: { d in d.status == .confirmed || d.status == .inProgress ? "reschedule" : nil }
        ) { d in
            try Self.requireSchedule(d, doing: "reschedule")
            if d.status == .inProgress { try Self.refuseMovingTheStart(p, d) }
            let before = d.draft.itinerary
            defer { d.draft.numberItems(previous: before) { IDs.make("it") } }
            d.rescheduleReason = p.reason
            let shift =
                p.shiftMinutes
                ?? p.to.map { to in
                    let first = LocalDate(
                        year: d.draft.startsAt.year,
                        month: d.draft.startsAt.month,
                        day: d.draft.startsAt.day
                    )
                    return first.days(until: to) * 1440
                }
            if let m = shift {
                // Wall time moves: 09:00 stays 09:00 across a change of daylight saving time.
                d.draft.startsAt = d.draft.startsAt.adding(minutes: m)
                d.draft.endsAt = d.draft.endsAt.adding(minutes: m)
                for i in d.draft.itinerary.indices {
                    d.draft.itinerary[i].startsAt = d.draft.itinerary[i].startsAt.adding(minutes: m)
                    d.draft.itinerary[i].endsAt = d.draft.itinerary[i].endsAt.adding(minutes: m)
                }
            }
            if let s = p.startsAt { d.draft.startsAt = s }
            if let e = p.endsAt { d.draft.endsAt = e }
            if let z = p.timeZone { d.draft.timeZone = z }
            if let i = p.itinerary { d.draft.itinerary = i }
            d.scheduleVersion += 1
        }
    }

    /// A visit under way keeps its start and its zone: what can still change is the itinerary
    /// (a session moved, added or dropped) and when it ends.
    static func refuseMovingTheStart(_ p: DelegationReschedule, _ d: Delegation) throws {
        let moved = [
            p.shiftMinutes.map { _ in "shift_minutes" }, p.to.map { _ in "to" },
            p.startsAt.flatMap { $0 == d.draft.startsAt ? nil : "starts_at" },
            p.timeZone.flatMap { $0 == d.draft.timeZone ? nil : "time_zone" },
        ].compactMap { $0 }
        guard let f = moved.first else { return }
        throw ServiceError(
            .failedPrecondition,
            "\(f): delegation \(d.ref) is in_progress since \(d.draft.startsAt); only its itinerary and ends_at can "
                + "change",
            retryable: false,
            details: ["field": .string(f), "current_state": "in_progress"]
        )
    }

    func cancel(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        try stop(p, uid: uid, action: .cancel, event: .delegationCancelled, why: "why the visit is cancelled") {
            $0.cancelReason = $1
        }
    }

    func postpone(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        try stop(p, uid: uid, action: .postpone, event: .delegationPostponed, why: nil) { $0.postponedReason = $1 }
    }

    /// Cancel and postpone: a reason (required when `why` says what it is for), kept on the record,
    /// and a new schedule version so that the people's calendars drop the sessions.
    private func stop(
        _ p: DelegationTransition,
        uid: UInt32,
        action: DelegationAction,
        event: EventType,
        why: String?,
        keep: (inout Delegation, String?) -> Void
    ) throws -> SavedDelegation {
        var v = Validator()
        if let why {
            v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: why)
        } else {
            v.optionalText(p.reason, "reason", max: Limits.reason, multiline: true)
        }
        try v.finish()
        return try transition(p.id, expectedVersion: p.expectedVersion, action: action, uid: uid, event: event) { d in
            keep(&d, p.reason)
            d.scheduleVersion += 1
        }
    }

    // MARK: start and complete follow the dates

    // start from the visit's first day (less the margin), complete once it began; exceptions
    // are forced, with a reason kept on the record.

    func start(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        let now = self.now(), margin = settings.startMarginDays
        try requireReasonIfForced(p)
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .start,
            uid: uid,
            event: .delegationStarted
        ) { d in
            // From the first day in the visit's own zone, less the margin.
            let firstDay = LocalDate(
                year: d.draft.startsAt.year,
                month: d.draft.startsAt.month,
                day: d.draft.startsAt.day
            )
            let from = firstDay.adding(days: -margin)
            let today = LocalDateTime.at(epoch: now / 1000, in: d.draft.zone)
            guard LocalDate(year: today.year, month: today.month, day: today.day) < from else { return }
            try Self.allowEarly(
                &d,
                p,
                "start",
                "\(d.ref) begins on \(firstDay); start is accepted from \(from)",
                today: today
            )
        }
    }

    /// `force` needs a reason.
    func requireReasonIfForced(_ p: DelegationTransition) throws {
        guard p.force == true else { return }
        var v = Validator()
        v.requiredText(
            p.reason,
            "reason",
            max: Limits.reason,
            multiline: true,
            why: "why the visit's dates are overridden (force)"
        )
        try v.finish()
    }

    /// Refuses a lifecycle change the visit's dates do not allow, unless forced (then kept).
    static func allowEarly(
        _ d: inout Delegation,
        _ p: DelegationTransition,
        _ action: String,
        _ why: String,
        today: LocalDateTime
    ) throws {
        guard p.force == true, let reason = p.reason else {
            throw ServiceError(
                .failedPrecondition,
                "cannot \(action) yet: \(why) (give force and a reason for an exception)",
                retryable: false,
                details: ["current_state": .string(d.status.rawValue)]
            )
        }
        d.exceptions.append("\(action) forced on \(today.date): \(reason)")
    }

    func complete(_ p: DelegationTransition, uid: UInt32) throws -> SavedDelegation {
        var v = Validator()
        v.requiredText(p.outcome, "outcome", max: Limits.notes, multiline: true, why: "what came of the visit")
        try v.finish()
        try requireReasonIfForced(p)
        let now = self.now()
        // A visit known only as "2025-06" (or "2018") that is over is completed from where it is.
        let known = try get(p.id)
        let today = LocalDateTime.at(epoch: now / 1000, in: known.draft.zone)
        let pastDate = known.draft.date.map {
            $0.last < LocalDate(year: today.year, month: today.month, day: today.day)
        }
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: pastDate == true ? .completePast : .complete,
            uid: uid,
            event: .delegationCompleted,
            label: "complete"
        ) { d in
            if let date = d.draft.date, pastDate != true {
                throw ServiceError(
                    .failedPrecondition,
                    "cannot complete \(d.ref) yet: it is known only as \(date.display), which is not over",
                    retryable: false,
                    details: ["field": "date", "current_state": .string(d.status.rawValue)]
                )
            }
            guard d.draft.date == nil else {
                d.outcome = p.outcome
                return
            }
            // Given its days meanwhile: completed only from under way, as any dated visit.
            if pastDate == true { try DelegationAction.complete.permit(from: d.status, label: d.label) }
            let begins = d.draft.startsAt.epochSeconds(in: d.draft.zone)
            if now / 1000 < begins {
                let today = LocalDateTime.at(epoch: now / 1000, in: d.draft.zone)
                try Self.allowEarly(
                    &d,
                    p,
                    "complete",
                    "\(d.ref) begins at \(d.draft.startsAt) (\(d.draft.timeZone))",
                    today: today
                )
            }
            d.outcome = p.outcome
        }
    }
}
