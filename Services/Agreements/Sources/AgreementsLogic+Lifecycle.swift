import LiaisonAPI
import Foundation
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// An agreement's life: every change of its state (sign, activate, negotiate, suspend, resume,
/// terminate, renew) goes through `transition`, which permits it from the state it is in; the
/// dates drive the rest (a signed agreement whose start has come is active at once).
extension AgreementsLogic {
    /// Applies `change` by `action` (allowed from the agreement's state) at `expectedVersion`,
    /// saving, recording and emitting the action's event; a signed agreement whose start has come
    /// becomes active in the same transaction.
    func transition(
        _ id: String,
        expectedVersion: Int?,
        action: AgreementAction,
        uid: UInt32,
        guarded: ((Agreement, Database) throws -> Void)? = nil,
        _ change: (inout Agreement) throws -> Void
    ) throws -> Agreement {
        let today = self.today
        return try changes.change(
            id,
            expectedVersion: expectedVersion,
            action: action.rawValue,
            uid: uid,
            event: { _, _ in action.event },
            guarded: guarded,
            then: { [self] a, db, t in
                // Dates drive the state: a signed agreement whose start has come is active at once.
                if a.status == .signed, let s = a.draft.startsOn?.exactDay, s <= today {
                    try activate(&a, db, uid: uid, nowMillis: t)
                }
            }
        ) { a in
            try action.permit(from: a.status, label: a.label)
            let from = a.status
            try change(&a)
            a.status = action.target(from: from)
        }.record
    }

    /// signed → active inside the caller's transaction (sign, renew and the sweep use it).
    func activate(_ a: inout Agreement, _ db: Database, uid: UInt32, nowMillis t: Int64) throws {
        let before = JSONEncoding.encode(a)
        a.status = .active
        if a.draft.startsOn == nil { a.draft.startsOn = PartialDate(today) }
        try changes.commit(
            db,
            &a,
            before: before,
            action: "activate",
            uid: uid,
            event: .agreementActivated,
            nowMillis: t
        )
    }

    func sign(_ p: AgreementTransition, uid: UInt32) throws -> Agreement {
        let today = self.today
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .sign,
            uid: uid
        ) { a in
            a.draft.signedOn = p.signedOn.map(PartialDate.init) ?? a.draft.signedOn ?? PartialDate(today)
            if let s = p.signatories { a.draft.signatories = s }
            guard !a.draft.signatories.isEmpty else {
                throw ServiceError.invalidParams(
                    field: "signatories",
                    "an agreement is signed by someone: give the signatories (BIT's and the partners')"
                )
            }
        }
    }

    func activate(_ p: AgreementTransition, uid: UInt32) throws -> Agreement {
        let today = self.today
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .activate,
            uid: uid
        ) { a in
            a.draft.startsOn = p.startsOn.map(PartialDate.init) ?? a.draft.startsOn ?? PartialDate(today)
            if let s = a.draft.startsOn, s.first > today {
                throw ServiceError(
                    .failedPrecondition,
                    "agreement \(a.reference) starts on \(s); it becomes active on its own then",
                    retryable: false
                )
            }
        }
    }

    /// negotiate, suspend, resume, terminate: a change of state (with a reason where one is owed).
    func simple(_ p: AgreementTransition, action: AgreementAction, uid: UInt32) throws -> Agreement {
        var v = Validator()
        if action == .terminate || action == .suspend {
            let what = action == .terminate ? "terminated" : "suspended"
            v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why the agreement is \(what)")
        }
        try v.finish()
        return try transition(p.id, expectedVersion: p.expectedVersion, action: action, uid: uid) { a in
            if action == .terminate { a.terminationReason = p.reason }
            if action == .suspend { a.suspensionReason = p.reason }
            if action == .resume { a.suspensionReason = nil }
        }
    }

    /// Renewal: a successor record (new term) linked to the original, which becomes superseded.
    func renew(_ p: AgreementRenewal, uid: UInt32) throws -> Renewal {
        try store.write { [self] db in
            guard let (loaded, _) = try AgreementsTables.loadWithTree(db, p.id) else {
                throw ServiceError.notFound("agreement", p.id)
            }
            var old = loaded
            if let expected = p.expectedVersion, old.version != expected {
                throw VersionedChanges<AgreementsTables>.stale(old, expected)
            }
            try AgreementAction.renew.permit(from: old.status, label: old.label)
            let successor = try makeSuccessor(
                db,
                of: &old,
                endsOn: p.endsOn,
                startsOn: p.startsOn,
                signedOn: p.signedOn,
                uid: uid,
                nowMillis: now()
            )
            return Renewal(original: old, successor: successor)
        }
    }

    /// Creates the successor of `old` for a new term and supersedes `old`, in the caller's transaction.
    func makeSuccessor(
        _ db: Database,
        of old: inout Agreement,
        endsOn: LocalDate,
        startsOn: LocalDate?,
        signedOn: LocalDate?,
        uid: UInt32,
        nowMillis t: Int64
    ) throws -> Agreement {
        let start = startsOn ?? old.draft.endsOn.map { $0.last.adding(days: 1) } ?? today
        let base = old.reference.split(separator: "-R").first.map(String.init) ?? old.reference
        var draft = old.draft
        draft.reference = "\(base)-R\(try AgreementsTables.count(db, referencePrefix: base + "-R") + 1)"
        draft.startsOn = PartialDate(start)
        draft.endsOn = PartialDate(endsOn)
        draft.signedOn = PartialDate(signedOn ?? min(today, start))
        draft.externalKey = nil
        try draft.validate()
        let stamp = Timestamp.rfc3339(millis: t)
        var successor = Agreement(
            id: IDs.make("agr"),
            reference: draft.reference!,
            version: 1,
            status: .signed,
            draft: draft,
            createdAt: stamp,
            updatedAt: stamp
        )
        successor.predecessorID = old.id
        successor.delegations = old.delegations
        try changes.create(
            db,
            successor,
            action: "create",
            uid: uid,
            event: nil,
            note: ["renewal_of": .string(old.id)],
            nowMillis: t
        )
        let before = JSONEncoding.encode(old)
        old.status = .superseded
        old.successorID = successor.id
        try changes.commit(
            db,
            &old,
            before: before,
            action: "renew",
            uid: uid,
            event: .agreementRenewed,
            extra: ["successor": JSONEncoding.encode(successor)],
            nowMillis: t
        )
        if start <= today { try activate(&successor, db, uid: uid, nowMillis: t) }
        return successor
    }
}

extension AgreementAction {
    /// What a change by this action tells the mesh (nil: a draft's edits and its negotiation stay
    /// in the service).
    var event: EventType? {
        switch self {
        case .sign: .agreementSigned
        case .activate: .agreementActivated
        case .suspend: .agreementSuspended
        case .resume: .agreementResumed
        case .terminate: .agreementTerminated
        case .renew: .agreementRenewed
        case .amend: .agreementAmended
        case .expire: .agreementExpired
        case .negotiate, .update: nil
        }
    }
}
