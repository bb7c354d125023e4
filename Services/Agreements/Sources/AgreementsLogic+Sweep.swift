import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonStore
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
                        db, of: &a, endsOn: Self.sameTerm(start: start, end: end, from: nextStart), startsOn: nextStart,
                        signedOn: end, uid: uid, nowMillis: t)
                    result.renewed.append(SweepResult.Renewed(from: a.currentReference, to: next.reference))
                    continue
                }
                let before = JSONEncoding.encode(a)
                a.status = .expired
                try changes.commit(db, &a, before: before, action: "expire", uid: uid, event: .agreementExpired, nowMillis: t)
                result.expired.append(a.currentReference)
                result.mails.append(
                    SweepResult.Mail(kind: "agreement.expired", reference: a.currentReference, to: a.draft.coordinator.email))
            }
            for a in try AgreementsTables.ending(db, from: today) {
                guard let end = a.draft.endsOn?.exactDay else { continue }
                let left = today.days(until: end)
                let due = settings.expiringLeadDays.filter { left <= $0 }
                guard let nearest = due.min() else { continue }
                var fired = false
                for lead in due where try AgreementsTables.claimNotice(db, id: a.id, lead: lead, end: end, nowMillis: t) {
                    // Leads already passed without a notice are marked, not sent: one notice, the nearest.
                    guard lead == nearest && !fired else { continue }
                    try changes.emit(
                        db, .agreementExpiring, JSONEncoding.encode(a),
                        extra: ["lead_days": .int(Int64(lead)), "days_left": .int(Int64(left))],
                        id: a.id, nowMillis: t)
                    result.expiring.append(SweepResult.Expiring(reference: a.currentReference, leadDays: lead, daysLeft: left))
                    result.mails.append(
                        SweepResult.Mail(kind: "agreement.expiring", reference: a.currentReference, to: a.draft.coordinator.email))
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

/// What a sweep did.
package struct SweepResult: Codable, Sendable, Schematic {
    package struct Renewed: Codable, Sendable {
        package var from, to: String
    }
    package struct Expiring: Codable, Sendable {
        package var reference: String
        package var leadDays, daysLeft: Int
        enum CodingKeys: String, CodingKey { case reference, leadDays = "lead_days", daysLeft = "days_left" }
    }
    package var today: String
    package var activated: [String] = []
    package var expired: [String] = []
    package var renewed: [Renewed] = []
    package var expiring: [Expiring] = []
    /// A notice the sweep's events make the notifications service send (to BIT's coordinator;
    /// partner contacts too when its rules say so).
    package struct Mail: Codable, Sendable {
        package var kind, reference, to: String
    }
    package var mails: [Mail] = []
    /// false for a preview: nothing changed, nothing was sent.
    package var applied = true

    /// How many agreements it changed or gave notice of.
    package var changes: Int { activated.count + expired.count + renewed.count + expiring.count }

    package static var schema: Schema {
        .object([
            .req("today", .string(format: "date")), .req("activated", .array(.string()), "References."), .req("expired", .array(.string())),
            .req("renewed", .array(.object([.req("from", .string()), .req("to", .string())]))),
            .req(
                "expiring", .array(.object([.req("reference", .string()), .req("lead_days", .integer()), .req("days_left", .integer())]))),
            .req("mails", .array(.object([.req("kind", .string()), .req("reference", .string()), .req("to", .string())]))),
            .req("applied", .boolean, "false for a preview (another today without apply): nothing changed."),
        ])
    }
}
