import Dispatch
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire
import Synchronization

extension AgreementsLogic {
    /// Brings agreements in line with the date `today`: signed ones whose start has come become
    /// active; active ones past their end expire (or, with auto_renew, are renewed for another
    /// term); and `agreement.expiring` fires once per lead time before the end (only the nearest
    /// lead when the sweep comes late, and again if the end date moves). Returns what it did.
    package func sweep(today: LocalDate, uid: UInt32 = 0) throws -> JSONValue {
        try store.write { [self] db in
            let t = now()
            var activated: [JSONValue] = [], expired: [JSONValue] = [], renewed: [JSONValue] = [], expiring: [JSONValue] = []
            for var a in try AgreementTables.loadAll(db, where: "status = 'signed' AND starts_on IS NOT NULL AND starts_on <= ?", [today.description]) {
                try activate(&a, db, uid: uid, nowMillis: t)
                activated.append(.string(a.currentReference))
            }
            for var a in try AgreementTables.loadAll(db, where: "status IN ('active','suspended') AND ends_on IS NOT NULL AND ends_on < ?", [today.description]) {
                if a.draft.autoRenew && a.status == .active, let start = a.draft.startsOn, let end = a.draft.endsOn {
                    let nextStart = end.adding(days: 1)
                    let next = try makeSuccessor(db, of: &a, endsOn: Self.sameTerm(start: start, end: end, from: nextStart), startsOn: nextStart, signedOn: end,
                                                 uid: uid, nowMillis: t)
                    renewed.append(["from": .string(a.currentReference), "to": .string(next.reference)])
                    continue
                }
                let before = JSONEncoding.encode(a)
                a.status = .expired
                a.version += 1
                a.updatedAt = Logger.timestamp(millis: t)
                try AgreementTables.save(db, a, insert: false, nowMillis: t)
                try AgreementTables.record(db, a, uid: uid, action: "expire", changes: AgreementTables.diff(before, JSONEncoding.encode(a)), nowMillis: t)
                try emit(db, "agreement.expired", a, nowMillis: t)
                expired.append(.string(a.currentReference))
            }
            for a in try AgreementTables.loadAll(db, where: "status IN ('active','suspended','signed') AND ends_on IS NOT NULL AND ends_on >= ?", [today.description]) {
                guard let end = a.draft.endsOn else { continue }
                let left = today.days(until: end)
                let due = expiringLeadDays.filter { left <= $0 }
                guard let nearest = due.min() else { continue }
                var fired = false
                for lead in due {
                    let done = try db.queryOne("SELECT 1 FROM expiry_notices WHERE agreement_id = ? AND lead_days = ? AND ends_on = ?", [a.id, lead, end.description]) != nil
                    if done { continue }
                    try db.run("INSERT INTO expiry_notices(agreement_id, lead_days, ends_on, fired_ms) VALUES(?,?,?,?)", [a.id, lead, end.description, t])
                    // Leads already passed without a notice are marked, not sent: one notice, the nearest.
                    if lead == nearest && !fired {
                        try emit(db, "agreement.expiring", a, extra: ["lead_days": .int(Int64(lead)), "days_left": .int(Int64(left))], nowMillis: t)
                        expiring.append(["reference": .string(a.currentReference), "lead_days": .int(Int64(lead)), "days_left": .int(Int64(left))])
                        fired = true
                    }
                }
            }
            return ["today": .string(today.description), "activated": .array(activated), "expired": .array(expired),
                    "renewed": .array(renewed), "expiring": .array(expiring)]
        }
    }
}

extension AgreementsLogic {
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

/// Runs the sweep once at start and then daily, a minute after midnight UTC.
final class DailySweep: Sendable {
    let logic: AgreementsLogic
    let log: Logger
    private let wake = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)

    init(logic: AgreementsLogic, log: Logger) {
        self.logic = logic
        self.log = log
    }

    func start() throws {
        running.store(true, ordering: .releasing)
        try OwnedThread.start(name: "agreements-sweep") { [self] in
            defer { running.store(false, ordering: .releasing) }
            while !stopping.load(ordering: .acquiring) {
                do {
                    let r = try logic.sweep(today: logic.today)
                    let n = ["activated", "expired", "renewed", "expiring"].map { r[$0]?.arrayValue?.count ?? 0 }.reduce(0, +)
                    if n > 0 { log.info("agreements.swept", ["today": r["today"]?.stringValue ?? "", "changes": String(n)]) }
                } catch {
                    log.error("agreements.sweep_failed", ["error": "\(error)"])
                }
                let now = logic.now()
                let nextMidnight = (now / 86_400_000 + 1) * 86_400_000 + 60_000
                _ = wake.wait(timeout: .now() + .milliseconds(Int(min(nextMidnight - now, 86_400_000))))
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        wake.signal()
    }
}
