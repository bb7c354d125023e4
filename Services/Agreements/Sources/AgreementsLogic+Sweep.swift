import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

extension AgreementsLogic {
    /// Brings agreements in line with the date `today`: signed ones whose start has come become
    /// active; active ones past their end expire (or, with auto_renew, are renewed for another
    /// term); and `agreement.expiring` fires once per lead time before the end (only the nearest
    /// lead when the sweep comes late, and again if the end date moves). Returns what it did.
    /// With `apply` false, the same work is done and rolled back: a preview, with the notices
    /// that would go (`mails`).
    package func sweep(today: LocalDate, uid: UInt32 = 0, apply: Bool = true) throws -> SweepResult {
        struct Preview: Error { var result: SweepResult }
        do {
            return try store.write { [self] db in
                var result = try sweepRows(db, today: today, uid: uid)
                result.applied = apply
                if !apply { throw Preview(result: result) }
                return result
            }
        } catch let p as Preview {
            return p.result
        }
    }

    private func sweepRows(_ db: Database, today: LocalDate, uid: UInt32) throws -> SweepResult {
        do {
            let t = now()
            var result = SweepResult(today: today.description)
            for var a in try AgreementsTables.dueToStart(db, on: today) {
                try activate(&a, db, uid: uid, nowMillis: t)
                result.activated.append(a.currentReference)
            }
            for var a in try AgreementsTables.pastEnd(db, on: today) {
                if a.draft.autoRenew && a.status == .active, let start = a.draft.startsOn?.exactDay,
                    let end = a.draft.endsOn?.exactDay
                {
                    let nextStart = end.adding(days: 1)
                    let next = try makeSuccessor(
                        db,
                        of: &a,
                        endsOn: Self.sameTerm(start: start, end: end, from: nextStart),
                        startsOn: nextStart,
                        signedOn: end,
                        uid: uid,
                        nowMillis: t
                    )
                    result.renewed.append(SweepResult.Renewed(from: a.currentReference, to: next.reference))
                    continue
                }
                let before = JSONEncoding.encode(a)
                a.status = .expired
                try changes.commit(
                    db,
                    &a,
                    before: before,
                    action: "expire",
                    uid: uid,
                    event: .agreementExpired,
                    nowMillis: t
                )
                result.expired.append(a.currentReference)
                result.mails.append(
                    SweepResult.Mail(
                        kind: "agreement.expired",
                        reference: a.currentReference,
                        to: a.draft.coordinator.email ?? ""
                    )
                )
            }
            for a in try AgreementsTables.ending(db, from: today) {
                guard let end = a.draft.endsOn?.exactDay else { continue }
                let left = today.days(until: end)
                let due = settings.expiringLeadDays.filter { left <= $0 }
                guard let nearest = due.min() else { continue }
                var fired = false
                for lead in due where try AgreementsTables.claimNotice(db, id: a.id, lead: lead, end: end, nowMillis: t)
                {
                    // Leads already passed without a notice are marked, not sent: one notice, the nearest.
                    guard lead == nearest && !fired else { continue }
                    try changes.emit(
                        db,
                        .agreementExpiring,
                        JSONEncoding.encode(a),
                        extra: ["lead_days": .int(Int64(lead)), "days_left": .int(Int64(left))],
                        id: a.id,
                        nowMillis: t
                    )
                    result.expiring.append(
                        SweepResult.Expiring(reference: a.currentReference, leadDays: lead, daysLeft: left)
                    )
                    result.mails.append(
                        SweepResult.Mail(
                            kind: "agreement.expiring",
                            reference: a.currentReference,
                            to: a.draft.coordinator.email ?? ""
                        )
                    )
                    fired = true
                }
            }
            return result
        }
    }

    /// The end of a term as long as [start, end] that begins on `from`: whole months when the
    /// term is whole months (1 Jan – 31 Dec), else the same number of days.
    static func sameTerm(start: LocalDate, end: LocalDate, from: LocalDate) -> LocalDate {
        let after = end.adding(days: 1)
        if after.day == start.day {
            let months = (after.year - start.year) * 12 + (after.month - start.month)
            if months > 0 { return from.adding(months: months).adding(days: -1) }
        }
        return from.adding(days: max(start.days(until: end), 1))
    }
}
