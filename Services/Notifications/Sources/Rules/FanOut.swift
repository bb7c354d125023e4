import LiaisonJSON
import LiaisonModels
import LiaisonStore

extension CommitTopic {
    /// A job of mail was left with people to reach: the fan-out loop goes on with it.
    static let fanOut = CommitTopic("fanout")
}

/// What an event asks to be mailed, queued a piece at a time: `settings.pieceSize` recipients per
/// transaction, so that a 500-member visit never needs its whole mail written at once (a full
/// disk stops it between pieces, and the pieces written stay). Jobs of one visit run in order;
/// the first piece runs inside the event's own transaction when nothing of the visit is before it.
///
/// Coalescing: what a change of a confirmed visit sends is held `settings.coalesceMs`; a further
/// change while someone's message is still held takes it back and queues one saying what changed
/// since the visit as they last heard of it (its *basis*, kept in `bases`), due when the first
/// was, or nothing when nothing changed for them after all.
extension NotificationRules {
    /// Adds a job; runs its first piece now when it is the visit's first. Returns the messages queued.
    func enqueue(
        _ kind: FanOutKind,
        subjectID: String,
        doc: [UInt8],
        prev: [UInt8]?,
        days: Int? = nil,
        _ db: Database
    ) throws -> Int {
        // Changes queued behind a job of the same visit, while changes are coalesced, become one.
        if settings.coalesceMs > 0, kind == .reschedule || kind == .details,
            try NotificationsTables.foldIntoLastFanOut(db, subjectID: subjectID, kind: kind, doc: doc)
        {
            return 0
        }
        let id = try NotificationsTables.addFanOut(
            db,
            subjectID: subjectID,
            kind: kind,
            doc: doc,
            prev: prev,
            days: days,
            nowMillis: now()
        )
        guard let first = try NotificationsTables.firstFanOut(db, subjectID: subjectID), first.id == id else {
            db.announce(.fanOut)
            return 0
        }
        let (queued, done) = try runPiece(first, db)
        if !done { db.announce(.fanOut) }
        return queued
    }

    /// One piece of `job`: returns the messages queued and whether the job is done (and gone).
    func runPiece(_ job: FanOutJob, _ db: Database) throws -> (queued: Int, done: Bool) {
        if let unknown = job.unknownKind {
            log.warning(
                "fanout.unknown_kind",
                ["subject": job.subjectID, "kind": unknown, "job": String(job.id), "action": "dropped, nothing sent"]
            )
            try NotificationsTables.dropFanOut(db, id: job.id)
            return (0, true)
        }
        var job = job
        let d = try JSONDecoding.decode(Delegation.self, from: job.doc)
        let prev = try job.prev.map { try JSONDecoding.decode(Delegation.self, from: $0) }
        if !job.prepared {
            try prepare(&job, db)
            job.prepared = true
        }
        let steps = try plan(job, d, prev: prev, db)
        var queued = 0
        let end = min(steps.count, job.step + settings.pieceSize)
        while job.step < end {
            queued += try run(steps[job.step], d, db)
            job.step += 1
        }
        if job.step >= steps.count {
            try NotificationsTables.dropFanOut(db, id: job.id)
            return (queued, true)
        }
        try NotificationsTables.saveFanOut(db, job, nowMillis: now())
        return (queued, false)
    }

    /// The next job's next piece, in its own transaction's `db`: the messages queued and
    /// whether more work waits; nil when no job waits.
    func runNextPiece(_ db: Database) throws -> (queued: Int, more: Bool)? {
        guard let job = try NotificationsTables.firstFanOut(db) else { return nil }
        let (queued, done) = try runPiece(job, db)
        let more = try !done || NotificationsTables.firstFanOut(db) != nil
        return (queued, more)
    }

    /// Before the first piece. A change takes back what is held of the visit, noting for each
    /// of its people the version of the visit they last heard of and when their message was
    /// due; everyone else's messages are held `coalesceMs` from now, from the visit before this
    /// change. A cancellation takes back what was never sent, and notes who holds the schedule.
    private func prepare(_ job: inout FanOutJob, _ db: Database) throws {
        let t = now()
        switch job.kind {
        case .reschedule, .details:
            guard settings.coalesceMs > 0 else { return }
            job.untilMs = t + settings.coalesceMs
            if let prev = job.prev {
                job.state.basis = try NotificationsTables.addBasis(db, subjectID: job.subjectID, doc: prev)
            }
            let held = try NotificationsTables.heldMessages(db, subjectID: job.subjectID)
            var people: [String: FanOutState.Held] = [:]
            for m in held {
                let was = people[m.address]
                people[m.address] = FanOutState.Held(
                    basis: was?.basis ?? m.basis ?? job.state.basis,
                    until: max(was?.until ?? 0, m.due, t)
                )
            }
            try NotificationsTables.withdraw(db, messages: held.map(\.id))
            job.state.held = people
            let keep = Set(people.values.compactMap(\.basis) + [job.state.basis].compactMap { $0 })
            try NotificationsTables.dropUnusedBases(db, subjectID: job.subjectID, keep: keep)
            if !held.isEmpty {
                log.info("mail.coalesced", ["subject": job.subjectID, "messages": String(held.count)])
            }
        case .cancel, .postpone:
            if settings.coalesceMs > 0 {
                // What was never sent is not taken back by a notice: it is not sent at all.
                let held = try NotificationsTables.heldMessages(db, subjectID: job.subjectID)
                try NotificationsTables.withdraw(db, messages: held.map(\.id))
                try NotificationsTables.dropUnusedBases(db, subjectID: job.subjectID, keep: [])
            }
            job.state.told = try NotificationsTables.invited(db, subjectID: job.subjectID).sorted()
        case .confirm, .reminder: return
        }
    }

    /// One recipient's part of a job.
    private enum Step {
        /// The schedule or an update (`before`: the visit as they last heard of it).
        case invite(Recipient, MailRule, before: Delegation?, onlyNew: Bool, Hold)
        /// No longer on the visit (`from`: a version of it that had them).
        case leave(Recipient, from: Delegation, Hold)
        case cancel(Recipient, MailRule)
        case reminder(Recipient, days: Int)
    }

    /// Until when a message is held, the basis it is derived from, and what its key adds to say
    /// which change it is (a change of details keeps the schedule version).
    private struct Hold {
        var until: Int64
        var basis: Int64?
        var change = ""
    }

    /// The job's steps, the same list every piece (from the stored documents and what
    /// `prepare` noted).
    private func plan(_ job: FanOutJob, _ d: Delegation, prev: Delegation?, _ db: Database) throws -> [Step] {
        let now = ScheduleRenderer.recipients(of: d)
        switch job.kind {
        case .confirm:
            return now.map { .invite($0, .schedule, before: nil, onlyNew: false, Hold(until: 0, basis: nil)) }
        case .reminder: return now.map { .reminder($0, days: job.days ?? 1) }
        case .reschedule, .details:
            let held = job.state.held ?? [:]
            var bases: [Int64: Delegation] = [:]
            func version(_ id: Int64?) throws -> Delegation? {
                guard let id else { return prev }
                if let b = bases[id] { return b }
                let b = try NotificationsTables.basisDoc(db, id: id).map {
                    try JSONDecoding.decode(Delegation.self, from: $0)
                }
                bases[id] = b
                return b ?? prev
            }
            let change = job.kind == .details ? ":details-\(job.id)" : ""
            let fresh = Hold(until: job.untilMs, basis: job.state.basis, change: change)
            var steps: [Step] = try now.map { r in
                if let h = held[r.address.lowercased()] {
                    return .invite(
                        r,
                        .update,
                        before: try version(h.basis),
                        onlyNew: false,
                        Hold(until: h.until, basis: h.basis)
                    )
                }
                // Hosts are briefed on who comes whatever the change; members hear of their sessions.
                if job.kind == .reschedule || r.view == .host {
                    return .invite(r, .update, before: prev, onlyNew: false, fresh)
                }
                return .invite(r, .schedule, before: nil, onlyNew: true, fresh)
            }
            // Everyone who was on the visit as they last heard of it and is not any more.
            let staying = Set(now.map { $0.address.lowercased() })
            var seen = Set<String>()
            for (a, h) in held.sorted(by: { $0.key < $1.key }) where !staying.contains(a) {
                guard let from = try version(h.basis),
                    let r = ScheduleRenderer.recipients(of: from).first(where: { $0.address.lowercased() == a })
                else { continue }
                seen.insert(a)
                steps.append(.leave(r, from: from, Hold(until: h.until, basis: h.basis)))
            }
            for r in prev.map(ScheduleRenderer.recipients(of:)) ?? [] {
                let a = r.address.lowercased()
                if !staying.contains(a) && seen.insert(a).inserted { steps.append(.leave(r, from: prev!, fresh)) }
            }
            return steps
        case .cancel, .postpone:
            let rule: MailRule = job.kind == .cancel ? .cancel : .postpone
            var steps: [Step] = []
            for address in job.state.told ?? [] {
                if let r = now.first(where: { $0.address.lowercased() == address }) {
                    steps.append(.cancel(r, rule))
                } else if let (a, name, view) = try NotificationsTables.lastAddressing(
                    db,
                    subjectID: job.subjectID,
                    address: address
                ) {
                    let view = RecipientView(rawValue: view) ?? .member
                    steps.append(.cancel(Recipient(name: name ?? a, nameLocal: nil, address: a, view: view), rule))
                }
            }
            return steps
        }
    }

    private func run(_ step: Step, _ d: Delegation, _ db: Database) throws -> Int {
        switch step {
        case .invite(let r, let rule, let before, let onlyNew, let hold):
            return try invite(
                d,
                r,
                rule: rule,
                before: before,
                onlyNew: onlyNew,
                hold: (hold.until, hold.basis, hold.change),
                db
            )
        case .leave(let r, let from, let hold):
            guard case .holds(let held) = try NotificationsTables.holding(db, subjectID: d.id, address: r.address)
            else { return 0 }
            var c = PersonalSchedule.Changes()
            c.removed = PersonalSchedule(from, for: r).mine
            c.leftVisit = true
            c.reason = d.rescheduleReason  // theirs: said to them (and kept in the visit's history)
            return try queue(
                .removal,
                from,
                r,
                key: NotificationsTables.leaveKey(subjectID: d.id, address: r.address, held: held),
                changes: c,
                notBefore: hold.until,
                basis: hold.basis,
                db
            )
        case .cancel(let r, let rule):
            let key = "\(rule.rawValue):\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)"
            return try queue(rule, d, r, key: key, db)
        case .reminder(let r, let days):
            return try queue(
                .reminder,
                d,
                r,
                key: "reminder:\(d.id):\(days):\(r.address.lowercased()):\(d.scheduleVersion)",
                reminderDays: days,
                db
            )
        }
    }

    /// The schedule (or an update) for one recipient, at the current schedule version. An update
    /// goes when their own sessions (or the visit's dates) changed since `before`, saying what
    /// changed and why; sessions they lose are cancelled in a message of their own. `onlyNew`:
    /// only when they do not hold its schedule (never sent it, or taken off the visit since).
    func invite(
        _ d: Delegation,
        _ r: Recipient,
        rule: MailRule,
        before: Delegation?,
        onlyNew: Bool,
        hold: (until: Int64, basis: Int64?, change: String),
        _ db: Database
    ) throws -> Int {
        // Someone who does not hold this visit's schedule gets it whole, not as an "update".
        var key = "invite:\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)"
        let had: Bool
        switch try NotificationsTables.holding(db, subjectID: d.id, address: r.address) {
        case .holds: had = true
        case .never: had = false
        case .left(let told):
            had = false
            key += ":back-after-\(told)"
        }
        if had && onlyNew { return 0 }
        let effective: MailRule = rule == .update && !had ? .schedule : rule
        // The first schedule of a confirmed visit goes at once; what follows a change is held.
        let at = rule == .schedule && !onlyNew ? 0 : hold.until
        let basis = at == 0 ? nil : hold.basis
        guard effective == .update, let before else {
            return try queue(effective, d, r, key: key, notBefore: at, basis: basis, db)
        }
        var n = 0
        let c = PersonalSchedule.changes(from: before, to: d, for: r)
        if !c.requests.isEmpty || c.window != nil || !c.people.isEmpty {
            n += try queue(.update, d, r, key: key + hold.change, changes: c, notBefore: at, basis: basis, db)
        }
        if !c.removed.isEmpty {
            let removal = "removal:\(d.id):\(r.address.lowercased()):\(d.scheduleVersion)"
            n += try queue(.removal, d, r, key: removal, changes: c, notBefore: at, basis: basis, db)
        }
        return n
    }
}
