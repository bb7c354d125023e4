import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The agreements service's copy of the partner registry (kept by the delegations service and
/// fed by `partner.*` events), the partners agreements name, and BIT's sites abroad.
enum AgreementsPartners {
    static let migration = Database.Migration(
        2,
        """
        CREATE TABLE partner_projection(
            id TEXT PRIMARY KEY,
            match_key TEXT NOT NULL,
            status TEXT NOT NULL,
            merged_into TEXT,
            name TEXT NOT NULL,
            name_local TEXT,
            kind TEXT NOT NULL,
            country TEXT NOT NULL,
            claimed INTEGER NOT NULL DEFAULT 1,
            updated_ms INTEGER NOT NULL);
        CREATE INDEX partner_projection_by_key ON partner_projection(match_key, status);
        ALTER TABLE agreement_partners ADD COLUMN partner_id TEXT;
        CREATE INDEX agreement_partners_by_partner ON agreement_partners(partner_id);
        ALTER TABLE delegation_projection ADD COLUMN date_known TEXT;
        CREATE TABLE sites(
            id TEXT PRIMARY KEY,
            external_key TEXT UNIQUE,
            name TEXT NOT NULL,
            country TEXT NOT NULL,
            agreement_id TEXT,
            doc TEXT NOT NULL,
            created_ms INTEGER NOT NULL);
        """,
        data: { db in try migrateFreeText(db) })

    /// Agreements stored before the registry described their partners in place: each becomes a
    /// projected partner under the id every service derives from name and country, claimed
    /// (`partner.claimed`) when the service starts so that the registry has it too.
    static func migrateFreeText(_ db: Database) throws {
        let now = wallClockMillis()
        for row in try db.query("SELECT doc FROM agreements") {
            var a = try JSONDecoding.decode(Agreement.self, from: try row["doc"] as [UInt8])
            for i in a.draft.partners.indices where a.draft.partners[i].id == nil {
                guard let described = a.draft.partners[i].described else { continue }
                let ref = try findOrClaim(db, described, claimed: false, nowMillis: now).ref
                a.draft.partners[i].resolve(ref)
            }
            // The search column comes with migration 3.
            try db.run("UPDATE agreements SET doc = ? WHERE id = ?", [JSONEncoding.string(a), a.id])
            try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
            try AgreementsTables.savePartners(db, a)
        }
    }

    // MARK: the projection

    struct Projected {
        var ref: PartnerRef
        var status: PartnerStatus
        var mergedInto: String?
    }

    static func load(_ db: Database, id: String) throws -> Projected? {
        guard let r = try db.queryOne("SELECT * FROM partner_projection WHERE id = ?", [id]) else { return nil }
        let kind: String = try r["kind"], status: String = try r["status"]
        return Projected(
            ref: PartnerRef(
                id: try r["id"], name: try r["name"], nameLocal: try r["name_local"], kind: PartnerKind(rawValue: kind) ?? .other,
                country: try r["country"]),
            status: PartnerStatus(rawValue: status) ?? .active, mergedInto: try r["merged_into"])
    }

    /// The partner `id` names here, following merges.
    static func resolve(_ db: Database, id: String) throws -> PartnerRef? {
        var seen = Set<String>()
        var current = try load(db, id: id)
        while let p = current, let next = p.mergedInto, seen.insert(p.ref.id ?? "").inserted { current = try load(db, id: next) }
        return current?.ref
    }

    /// Writes what the registry says of a partner (from an event, or a claim of ours).
    static func upsert(
        _ db: Database, _ p: PartnerRef, status: PartnerStatus, mergedInto: String?, claimed: Bool = true, nowMillis: Int64
    )
        throws
    {
        guard let id = p.id, let name = p.name else { return }
        try db.run(
            """
            INSERT INTO partner_projection(id, match_key, status, merged_into, name, name_local, kind, country, claimed, updated_ms)
            VALUES(?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(id) DO UPDATE SET match_key = excluded.match_key, status = excluded.status, merged_into = excluded.merged_into,
                name = excluded.name, name_local = excluded.name_local, kind = excluded.kind, country = excluded.country,
                updated_ms = excluded.updated_ms
            """,
            [
                id, Partner.matchKey(name: name, country: p.country ?? ""), status.rawValue, mergedInto, name, p.nameLocal,
                (p.kind ?? .other).rawValue, (p.country ?? "").uppercased(), claimed ? 1 : 0, nowMillis,
            ])
    }

    /// The projected partner with `described`'s name and country, or a new one under the
    /// derived id, to be claimed. `new` says which.
    static func findOrClaim(_ db: Database, _ described: Partner, claimed: Bool, nowMillis: Int64) throws -> (ref: PartnerRef, new: Bool) {
        let key = Partner.matchKey(name: described.name, country: described.country)
        // An active entry of that name first, else one merged away (which names the entry kept).
        if let r = try db.queryOne(
            "SELECT id FROM partner_projection WHERE match_key = ? ORDER BY status = 'active' DESC, updated_ms", [key]),
            let found = try resolve(db, id: try r["id"])
        {
            return (found, false)
        }
        let ref = PartnerRef(
            id: Partner.derivedID(name: described.name, country: described.country), name: described.name, nameLocal: described.nameLocal,
            kind: described.kind, country: described.country.uppercased())
        try upsert(db, ref, status: .active, mergedInto: nil, claimed: claimed, nowMillis: nowMillis)
        return (ref, true)
    }

    /// Projected partners not yet claimed from the registry (those a migration found).
    static func unclaimed(_ db: Database) throws -> [PartnerRef] {
        try db.query("SELECT id FROM partner_projection WHERE claimed = 0 ORDER BY id").compactMap { try load(db, id: try $0["id"])?.ref }
    }

    /// Shows the projection's name, kind and country for `id` (or, after a merge, for `from`) in
    /// every agreement and site naming it. Not a change of the agreement (no version, no history).
    static func refresh(_ db: Database, partner: PartnerRef, mergedFrom: String? = nil) throws {
        guard let id = partner.id else { return }
        let ids = [id] + (mergedFrom.map { [$0] } ?? [])
        let marks = ids.map { _ in "?" }.joined(separator: ",")
        let rows = try db.query("SELECT DISTINCT agreement_id FROM agreement_partners WHERE partner_id IN (\(marks))", ids)
        for r in rows {
            guard var a = try AgreementsTables.load(db, try r["agreement_id"] as String) else { continue }
            a.draft.partners.show(partner, for: ids)
            try AgreementsTables.rewrite(db, a)
            try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
            try AgreementsTables.savePartners(db, a)
        }
        for r in try db.query("SELECT id, doc FROM sites") {
            var s = try JSONDecoding.decode(Site.self, from: try r["doc"] as [UInt8])
            guard s.draft.partners.contains(where: { $0.id.map(ids.contains) ?? false }) else { continue }
            for i in s.draft.partners.indices where s.draft.partners[i].id.map(ids.contains) ?? false {
                s.draft.partners[i].resolve(partner)
            }
            try db.run("UPDATE sites SET doc = ? WHERE id = ?", [JSONEncoding.string(s), s.id])
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
        for r in try db.query("SELECT agreement_id FROM agreement_links WHERE delegation_id = ?", [d.id]) {
            guard var a = try AgreementsTables.load(db, try r["agreement_id"] as String) else { continue }
            guard let i = a.delegations.firstIndex(where: { $0.delegationID == d.id && $0.ref == nil }) else { continue }
            a.delegations[i].ref = d.ref
            a.delegations[i].title = d.draft.title
            a.delegations[i].country = d.draft.lead?.country
            a.delegations[i].startsAt = d.draft.date?.description ?? d.draft.startsAt.description
            try AgreementsTables.rewrite(db, a)
        }
    }

    /// Applies a `partner.*` event from the registry.
    static func apply(_ event: CloudEvent, _ db: Database) throws -> EventDisposition {
        let record: PartnerRecord
        do { record = try JSONDecoding.decode(PartnerRecord.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(field: error.path, "not a partner entry this service understands: \(error.reason)")
        }
        let t = wallClockMillis()
        try upsert(db, record.reference, status: record.status, mergedInto: record.mergedInto, nowMillis: t)
        if record.status == .merged, let into = record.mergedInto, let kept = try resolve(db, id: into) {
            try refresh(db, partner: kept, mergedFrom: record.id)
        } else if record.status == .active {
            try refresh(db, partner: record.reference)
        }
        return .applied
    }
}
