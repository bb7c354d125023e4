import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// How the agreements service keeps its copy of the partner registry: partners resolved by
/// id or found by name and country, registry events applied, and the agreements and sites
/// naming a partner shown as the registry has it now. The statements are `AgreementsTables`'.
enum AgreementsPartners {
    /// The partner `id` names here, following merges.
    static func resolve(_ db: Database, id: String) throws -> PartnerRef? {
        var seen = Set<String>()
        var current = try AgreementsTables.partner(db, id: id)
        while let p = current, let next = p.mergedInto, seen.insert(p.ref.id ?? "").inserted {
            current = try AgreementsTables.partner(db, id: next)
        }
        return current?.ref
    }

    /// The projected partner with `described`'s name and country, or a new one under the
    /// derived id, to be claimed. `new` says which.
    static func findOrClaim(
        _ db: Database,
        _ described: Partner,
        claimed: Bool,
        nowMillis: Int64
    ) throws -> (ref: PartnerRef, new: Bool) {
        let key = Partner.matchKey(name: described.name, country: described.country)
        // An active entry of that name first, else one merged away (which names the entry kept).
        if let id = try AgreementsTables.partnerID(db, matchKey: key), let found = try resolve(db, id: id) {
            return (found, false)
        }
        let ref = PartnerRef(
            id: Partner.derivedID(name: described.name, country: described.country),
            name: described.name,
            nameLocal: described.nameLocal,
            kind: described.kind,
            country: described.country.uppercased()
        )
        try AgreementsTables.upsertPartner(
            db,
            ref,
            status: .active,
            mergedInto: nil,
            claimed: claimed,
            nowMillis: nowMillis
        )
        return (ref, true)
    }

    /// Projected partners not yet claimed from the registry (those a migration found).
    static func unclaimed(_ db: Database) throws -> [PartnerRef] {
        try AgreementsTables.unclaimedPartners(db).compactMap { try AgreementsTables.partner(db, id: $0)?.ref }
    }

    /// Shows the projection's name, kind and country for `id` (or, after a merge, for `from`) in
    /// every agreement and site naming it. Not a change of the agreement (no version, no history).
    static func refresh(_ db: Database, partner: PartnerRef, mergedFrom: String? = nil) throws {
        guard let id = partner.id else { return }
        let ids = [id] + (mergedFrom.map { [$0] } ?? [])
        for agreementID in try AgreementsTables.agreementIDs(db, naming: ids) {
            guard var a = try AgreementsTables.load(db, agreementID) else { continue }
            a.draft.partners.show(partner, for: ids)
            try AgreementsTables().refresh(db, a)
        }
        for var s in try AgreementsTables.sites(db)
        where s.draft.partners.contains(where: { $0.id.map(ids.contains) ?? false }) {
            for i in s.draft.partners.indices where s.draft.partners[i].id.map(ids.contains) ?? false {
                s.draft.partners[i].resolve(partner)
            }
            try AgreementsTables.rewriteSite(db, s)
        }
    }

    /// Shows every partner in `partners` as the projection has it now (renamed, or merged into
    /// another entry, since they were resolved); true when that changed anything.
    static func showCurrent(_ db: Database, _ partners: inout [PartnerRef]) throws -> Bool {
        let before = partners
        for id in Set(partners.compactMap(\.id)) {
            guard let r = try resolve(db, id: id) else { continue }
            partners.show(r, for: [id])
        }
        return partners != before
    }

    /// Agreements citing `d` before its first event arrived (an import) get its reference,
    /// title, country and date now.
    static func completeLinks(_ db: Database, _ d: Delegation) throws {
        for agreementID in try AgreementsTables.agreementIDs(db, linking: d.id) {
            guard var a = try AgreementsTables.load(db, agreementID) else { continue }
            guard let i = a.delegations.firstIndex(where: { $0.delegationID == d.id && $0.ref == nil }) else {
                continue
            }
            a.delegations[i].ref = d.ref
            a.delegations[i].title = d.draft.title
            a.delegations[i].country = d.draft.lead?.country
            a.delegations[i].startsAt = d.draft.date?.description ?? d.draft.startsAt.description
            try AgreementsTables().refresh(db, a)
        }
    }

    /// Applies a `partner.*` event from the registry.
    static func apply(_ event: CloudEvent, _ db: Database) throws -> EventDisposition {
        let record: PartnerRecord
        do { record = try JSONDecoding.decode(PartnerRecord.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(
                field: error.path,
                "not a partner entry this service understands: \(error.reason)"
            )
        }
        let t = wallClockMillis()
        try AgreementsTables.upsertPartner(
            db,
            record.reference,
            status: record.status,
            mergedInto: record.mergedInto,
            claimed: true,
            nowMillis: t
        )
        if record.status == .merged, let into = record.mergedInto, let kept = try resolve(db, id: into) {
            try refresh(db, partner: kept, mergedFrom: record.id)
        } else if record.status == .active {
            try refresh(db, partner: record.reference)
        }
        return .applied
    }
}
