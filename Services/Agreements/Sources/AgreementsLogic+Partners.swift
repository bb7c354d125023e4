import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// Partners as agreements name them, past agreements recorded as history, and sites abroad.
extension AgreementsLogic {
    /// Replaces each partner reference by the registry's entry as projected here: an id must be
    /// known (following merges); a described partner is found by name and country, or claimed
    /// under the id every service derives from them (`partner.claimed`, which the registry adopts).
    func resolvePartners(
        _ db: Database,
        _ refs: inout [PartnerRef],
        field: String = "partners",
        nowMillis: Int64
    ) throws {
        var v = Validator()
        for i in refs.indices {
            if let id = refs[i].id {
                guard let found = try AgreementsPartners.resolve(db, id: id) else {
                    v.fail(
                        "\(field)[\(i)].id",
                        "no partner \(id) is known here; partners come from the registry (liaison partner list), "
                            + "and one registered a moment ago arrives within seconds"
                    )
                    continue
                }
                refs[i].resolve(found)
            } else if let described = refs[i].described {
                let (ref, new) = try AgreementsPartners.findOrClaim(db, described, claimed: true, nowMillis: nowMillis)
                if new { try claim(db, ref, nowMillis: nowMillis) }
                refs[i].resolve(ref)
            }
        }
        try v.finish()
    }

    /// Tells the registry of a partner met here by name and country.
    func claim(_ db: Database, _ ref: PartnerRef, nowMillis: Int64) throws {
        try Outbox.append(
            db,
            source: changes.source,
            type: .partnerClaimed,
            subject: "partner/\(ref.id ?? "")",
            dataJSON: JSONEncoding.bytes(ref),
            subscribers: changes.subscriptions.of(.partnerClaimed),
            nowMillis: nowMillis
        )
    }

    /// Claims the partners a migration found (once, at start).
    func claimMigrated() throws -> Int {
        try store.write { [self] db in
            let pending = try AgreementsPartners.unclaimed(db)
            let t = now()
            for ref in pending {
                try claim(db, ref, nowMillis: t)
                if let id = ref.id { try AgreementsTables.markClaimed(db, id: id) }
            }
            return pending.count
        }
    }

    /// Resolves the partners among `changes` (an update or amendment) before the change.
    func resolvingPartners(_ changes: JSONObject) throws -> JSONObject {
        guard let raw = changes["partners"] else { return changes }
        var refs = try JSONDecoding.decode([PartnerRef].self, from: raw, path: [NameKey("partners")])
        var v = Validator()
        for (i, r) in refs.enumerated() { v.nested("partners[\(i)]") { r.problems(&$0) } }
        try v.finish()
        try store.write { [self] db in try resolvePartners(db, &refs, nowMillis: now()) }
        var out = changes
        out["partners"] = JSONEncoding.encode(refs)
        return out
    }

    /// Partners given to a change were resolved in a transaction of their own: the change shows
    /// them as the projection has them when it is worked out ...
    func showCurrentPartners(_ a: inout Agreement, _ changes: JSONObject) throws {
        guard changes["partners"] != nil else { return }
        _ = try store.read { db in try AgreementsPartners.showCurrent(db, &a.draft.partners) }
    }

    /// ... and is worked out again when a partner event changed them before it was written.
    func partnersGuard(_ changes: JSONObject) -> ((Agreement, Database) throws -> Void)? {
        guard changes["partners"] != nil else { return nil }
        return { a, db in
            var now = a.draft.partners
            if try AgreementsPartners.showCurrent(db, &now) { throw RecordRefreshed() }
        }
    }

    /// Records an agreement of the past (or one running since before Liaison) in the state it is
    /// in, announced as `agreement.recorded`, on which nothing is mailed.
    func record(_ p: AgreementRecordParams, uid: UInt32) throws -> (Agreement, Bool) {
        try p.draft.validate()
        return try store.write { [self] db in try insertRecord(db, p, uid: uid, nowMillis: now()) }
    }

    /// Inserts a recorded agreement in the caller's transaction.
    func insertRecord(
        _ db: Database,
        _ p: AgreementRecordParams,
        uid: UInt32,
        nowMillis t: Int64
    ) throws -> (Agreement, Bool) {
        try p.draft.validate()
        var v = Validator()
        if p.status == .terminated {
            v.requiredText(p.reason, "reason", max: Limits.reason, multiline: true, why: "why it ended")
        }
        try v.finish()
        if let key = p.draft.externalKey, let existing = try AgreementsTables.load(db, externalKey: key) {
            return (existing, false)
        }
        var d = p.draft
        try resolvePartners(db, &d.partners, nowMillis: t)
        let year = (d.signedOn ?? d.startsOn)?.year ?? today.year
        d.reference = try d.reference ?? AgreementsTables.nextReference(db, year: year)
        let stamp = Timestamp.rfc3339(millis: t)
        var a = Agreement(
            id: IDs.make("agr"),
            reference: d.reference!,
            version: 1,
            status: p.status,
            draft: d,
            createdAt: stamp,
            updatedAt: stamp
        )
        if p.status == .terminated { a.terminationReason = p.reason }
        if p.status == .suspended { a.suspensionReason = p.reason }
        for l in p.links {
            // A visit not yet known here (its event on the way) is completed when it arrives.
            let visit = try AgreementsTables.projected(db, id: l.delegationID, limit: 1).first
            a.delegations.append(
                DelegationLink(
                    delegationID: l.delegationID,
                    relation: (l.relation ?? .ledTo).rawValue,
                    ref: visit?.ref,
                    title: visit?.title,
                    country: visit?.partner.country,
                    startsAt: visit.map { $0.date ?? $0.startsAt }
                )
            )
        }
        try changes.create(db, a, action: "record", uid: uid, event: .agreementRecorded, nowMillis: t)
        return (a, true)
    }

    /// Adds a document's fingerprint (the SHA-256 of the file, its name, size and type), kept in
    /// the history; at most 20 documents.
    func attach(_ p: AttachParams, uid: UInt32) throws -> Agreement {
        let stamp = Timestamp.rfc3339(millis: now())
        return try changes.change(p.id, expectedVersion: nil, action: "attach", uid: uid, event: { _, _ in nil }) { a in
            if let same = a.draft.documents.first(where: { $0.sha256 == p.document.sha256.lowercased() }) {
                throw ServiceError(
                    .conflict,
                    "\(a.reference) already holds this file as \"\(same.title)\"",
                    retryable: false,
                    details: ["field": "document.sha256"]
                )
            }
            var doc = p.document
            doc.sha256 = doc.sha256.lowercased()
            doc.attachedAt = stamp
            a.draft.documents.append(doc)
        }.record
    }

    // MARK: sites

    func createSite(_ draft: SiteDraft, uid: UInt32) throws -> Site {
        try store.write { [self] db in try insertSite(db, draft, nowMillis: now()).site }
    }

    /// Inserts a site in the caller's transaction (or finds it by external key).
    func insertSite(_ db: Database, _ draft: SiteDraft, nowMillis t: Int64) throws -> (site: Site, created: Bool) {
        let problems = draft.problems()
        if !problems.isEmpty { throw ValidationErrors(problems) }
        if let key = draft.externalKey, let found = try AgreementsTables.site(db, key) { return (found, false) }
        var d = draft
        d.country = d.country.uppercased()
        try resolvePartners(db, &d.partners, nowMillis: t)
        var site = Site(id: IDs.make("site"), draft: d, createdAt: Timestamp.rfc3339(millis: t))
        if let ref = d.agreement {
            guard let a = try AgreementsTables.load(db, ref) ?? AgreementsTables.load(db, externalKey: ref) else {
                throw ServiceError.invalidParams(field: "agreement", "no agreement \(ref) (give its id or reference)")
            }
            site.agreementID = a.id
            site.agreementReference = a.currentReference
        }
        try AgreementsTables.insertSite(db, site, nowMillis: t)
        return (site, true)
    }

    func sites(country: String?) throws -> [Site] {
        try store.read { db in try AgreementsTables.sites(db, country: country) }
    }

    func site(_ id: String) throws -> Site {
        try store.read { db in
            guard let site = try AgreementsTables.site(db, id) else { throw ServiceError.notFound("site", id) }
            return site
        }
    }
}
