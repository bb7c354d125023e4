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

/// Changes of an agreement's draft and record that leave its state: an update (draft,
/// negotiating) or an amendment (signed, active, suspended) patches the fields its state allows;
/// activities and the visits it came from are added to the record.
extension AgreementsLogic {
    /// Fields an `update` (draft, negotiating) may replace.
    static let updatable: Set<String> = [
        "title", "kind", "partners", "coordinator", "focus_areas", "signatories", "signed_on", "starts_on", "ends_on",
        "notice_period_days", "auto_renew", "places_per_year", "documents", "notes",
    ]
    /// Fields an amendment (signed, active, suspended) may change.
    static let amendable: Set<String> = [
        "title", "partners", "coordinator", "focus_areas", "signatories", "ends_on", "notice_period_days", "auto_renew",
        "places_per_year", "documents", "notes",
    ]

    /// Patches the draft with `changes` (RFC 7396; only the fields of `allowed`, which the
    /// agreement's state decides); returns the fields given.
    static func merge(_ a: inout Agreement, _ changes: JSONObject, allowed: Set<String>) throws -> [String] {
        let given = changes.keys.filter { allowed.contains($0) }
        let refused = changes.keys.filter { !allowed.contains($0) && AgreementDraft.fieldNames.contains($0) }
        if let f = refused.first {
            throw ServiceError(
                .failedPrecondition,
                "\(f): cannot be changed while the agreement is \(a.status.rawValue)",
                retryable: false,
                details: ["field": .string(f)]
            )
        }
        guard !given.isEmpty else {
            throw ServiceError.invalidParams(
                field: "",
                "nothing to change: give one or more of \(allowed.sorted().joined(separator: ", "))"
            )
        }
        let reference = a.draft.reference
        a.draft = try Patch(changes).applied(to: a.draft, fields: allowed)
        a.draft.reference = reference
        return given
    }

    func update(_ p: AgreementUpdate, uid: UInt32) throws -> Agreement {
        let changes = try resolvingPartners(p.changes)
        let guarded = partnersGuard(changes)
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .update,
            uid: uid,
            guarded: guarded
        ) { a in
            _ = try Self.merge(&a, changes, allowed: Self.updatable)
            try showCurrentPartners(&a, changes)
        }
    }

    func amend(_ p: AgreementAmendment, uid: UInt32) throws -> Agreement {
        var v = Validator()
        v.text(p.summary, "summary", max: Limits.reason, multiline: true)
        try v.finish()
        let today = self.today, stamp = Timestamp.rfc3339(millis: now())
        let changes = try resolvingPartners(p.changes)
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .amend,
            uid: uid,
            guarded: partnersGuard(changes)
        ) { a in
            let before = a.draft
            let fields = try Self.merge(&a, changes, allowed: Self.amendable)
            try showCurrentPartners(&a, changes)
            guard case .object(let old) = JSONEncoding.encode(before),
                case .object(let new) = JSONEncoding.encode(a.draft)
            else { return }
            var diff: [String: FieldChange] = [:]
            for f in fields where old[f] != new[f] {
                diff[f] = FieldChange(
                    from: old[f].map { JSONWriter.string($0) } ?? "null",
                    to: new[f].map { JSONWriter.string($0) } ?? "null"
                )
            }
            guard !diff.isEmpty else {
                throw ServiceError.invalidParams(field: "changes", "the changes leave the agreement as it was")
            }
            let n = a.amendments.count + 1
            a.amendments.append(
                Amendment(
                    number: n,
                    reference: "\(a.reference)-A\(n)",
                    summary: p.summary,
                    effectiveOn: p.effectiveOn ?? today,
                    changes: diff,
                    at: stamp
                )
            )
        }
    }

    func addActivity(_ p: ActivityParams, uid: UInt32) throws -> Agreement {
        var v = Validator()
        v.text(p.summary, "summary", max: Limits.reason, multiline: true)
        try v.finish()
        return try changes.change(p.id, expectedVersion: nil, action: "add_activity", uid: uid, event: { _, _ in nil })
        { a in
            a.activities.append(
                Activity(
                    id: (a.activities.map(\.id).max() ?? 0) + 1,
                    on: p.on,
                    kind: p.kind.rawValue,
                    summary: p.summary,
                    count: p.count
                )
            )
            a.activities.sort { $0.on < $1.on }
        }.record
    }

    /// Links a delegation this service knows (from delegation events) to the agreement.
    func link(_ p: LinkParams, uid: UInt32) throws -> Agreement {
        let projected = try store.read({ db in try AgreementsTables.projected(db, id: p.delegationID, limit: 1).first })
        let link: DelegationLink
        if let visit = projected {
            link = DelegationLink(
                delegationID: visit.id,
                relation: (p.relation ?? .ledTo).rawValue,
                ref: visit.ref,
                title: visit.title,
                country: visit.partner.country,
                startsAt: visit.date ?? visit.startsAt
            )
        } else if let seen = p.seen, seen.delegationID == p.delegationID, p.delegationID.hasPrefix("del-") {
            // Completed from the visit's first event when it comes (AgreementsPartners.completeLinks).
            var known = seen
            known.relation = (p.relation ?? .ledTo).rawValue
            link = known
        } else {
            throw ServiceError(
                .notFound,
                "delegation \(p.delegationID) is not known here yet (delegations become known when they are confirmed "
                    + "or change)",
                retryable: true,
                details: ["delegation_id": .string(p.delegationID)]
            )
        }
        return try changes.change(
            p.id,
            expectedVersion: nil,
            action: "link_delegation",
            uid: uid,
            event: { _, _ in nil }
        ) { a in
            a.delegations.removeAll { $0.delegationID == link.delegationID }
            a.delegations.append(link)
        }.record
    }
}
