import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The agreements service's copy of the partner registry (kept by the delegations service and
/// fed by `partner.*` events) and BIT's sites abroad: their tables and statements.
extension AgreementsTables {
    static let partnersMigration = Database.Migration(
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
        data: { db in try migrateFreeText(db) }
    )

    /// Agreements stored before the registry described their partners in place: each becomes a
    /// projected partner under the id every service derives from name and country, claimed
    /// (`partner.claimed`) when the service starts so that the registry has it too.
    static func migrateFreeText(_ db: Database) throws {
        let now = wallClockMillis()
        for row in try db.query("SELECT doc FROM agreements") {
            var a = try JSONDecoding.decode(Agreement.self, from: try row["doc"] as [UInt8])
            for i in a.draft.partners.indices where a.draft.partners[i].id == nil {
                guard let described = a.draft.partners[i].described else { continue }
                let ref = try AgreementsPartners.findOrClaim(db, described, claimed: false, nowMillis: now).ref
                a.draft.partners[i].resolve(ref)
            }
            // The search column comes with migration 3.
            try db.run("UPDATE agreements SET doc = ? WHERE id = ?", [JSONEncoding.string(a), a.id])
            try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
            try savePartners(db, a)
        }
    }

    // MARK: the partner projection

    /// A partner as projected here.
    struct ProjectedPartner {
        var ref: PartnerRef
        var status: PartnerStatus
        var mergedInto: String?
    }

    static func partner(_ db: Database, id: String) throws -> ProjectedPartner? {
        guard let r = try db.queryOne("SELECT * FROM partner_projection WHERE id = ?", [id]) else { return nil }
        let kind: String = try r["kind"], status: String = try r["status"]
        return ProjectedPartner(
            ref: PartnerRef(
                id: try r["id"],
                name: try r["name"],
                nameLocal: try r["name_local"],
                kind: PartnerKind(rawValue: kind) ?? .other,
                country: try r["country"]
            ),
            status: PartnerStatus(rawValue: status) ?? .active,
            mergedInto: try r["merged_into"]
        )
    }

    /// The id of a projected partner with this match key: an active one first, else one merged away.
    static func partnerID(_ db: Database, matchKey key: String) throws -> String? {
        try db.queryOne(
            "SELECT id FROM partner_projection WHERE match_key = ? ORDER BY status = 'active' DESC, updated_ms",
            [key]
        )?["id"]
    }

    /// Writes what the registry says of a partner (from an event, or a claim of ours).
    static func upsertPartner(
        _ db: Database,
        _ p: PartnerRef,
        status: PartnerStatus,
        mergedInto: String?,
        claimed: Bool,
        nowMillis: Int64
    ) throws {
        guard let id = p.id, let name = p.name else { return }
        try db.run(
            """
            INSERT INTO partner_projection(id, match_key, status, merged_into, name, name_local, kind, country, \
            claimed, updated_ms)
            VALUES(?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(id) DO UPDATE SET match_key = excluded.match_key, status = excluded.status, merged_into = \
            excluded.merged_into,
                name = excluded.name, name_local = excluded.name_local, kind = excluded.kind, country = \
                excluded.country,
                updated_ms = excluded.updated_ms
            """,
            [
                id, Partner.matchKey(name: name, country: p.country ?? ""), status.rawValue, mergedInto, name,
                p.nameLocal,
                (p.kind ?? .other).rawValue, (p.country ?? "").uppercased(), claimed ? 1 : 0, nowMillis,
            ]
        )
    }

    /// Ids of projected partners not yet claimed from the registry (those a migration found).
    static func unclaimedPartners(_ db: Database) throws -> [String] {
        try db.query("SELECT id FROM partner_projection WHERE claimed = 0 ORDER BY id").map { try $0["id"] }
    }

    static func markClaimed(_ db: Database, id: String) throws {
        try db.run("UPDATE partner_projection SET claimed = 1 WHERE id = ?", [id])
    }

    /// Ids of the agreements naming any of `partners`.
    static func agreementIDs(_ db: Database, naming partners: [String]) throws -> [String] {
        let marks = partners.map { _ in "?" }.joined(separator: ",")
        return try db.query(
            "SELECT DISTINCT agreement_id FROM agreement_partners WHERE partner_id IN (\(marks))",
            partners
        ).map {
            try $0["agreement_id"]
        }
    }

    /// Ids of the agreements linking the visit `delegationID`.
    static func agreementIDs(_ db: Database, linking delegationID: String) throws -> [String] {
        try db.query("SELECT agreement_id FROM agreement_links WHERE delegation_id = ?", [delegationID]).map {
            try $0["agreement_id"]
        }
    }

    // MARK: sites

    /// Every site, or those in `country`, by name.
    static func sites(_ db: Database, country: String? = nil) throws -> [Site] {
        var sql = "SELECT doc FROM sites"
        var args: [any SQLBindable] = []
        if let c = country {
            sql += " WHERE country = ?"
            args.append(c.uppercased())
        }
        return try db.query(sql + " ORDER BY name, id", args).map {
            try JSONDecoding.decode(Site.self, from: try $0["doc"] as [UInt8])
        }
    }

    /// The site with this id or external key.
    static func site(_ db: Database, _ idOrKey: String) throws -> Site? {
        guard let row = try db.queryOne("SELECT doc FROM sites WHERE id = ? OR external_key = ?", [idOrKey, idOrKey])
        else {
            return nil
        }
        return try JSONDecoding.decode(Site.self, from: try row["doc"] as [UInt8])
    }

    static func insertSite(_ db: Database, _ site: Site, nowMillis: Int64) throws {
        try db.run(
            "INSERT INTO sites(id, external_key, name, country, agreement_id, doc, created_ms) VALUES(?,?,?,?,?,?,?)",
            [
                site.id, site.draft.externalKey, site.draft.name, site.draft.country, site.agreementID,
                JSONEncoding.string(site), nowMillis,
            ]
        )
    }

    /// Writes a site's document (a partner it names was renamed or merged).
    static func rewriteSite(_ db: Database, _ site: Site) throws {
        try db.run("UPDATE sites SET doc = ? WHERE id = ?", [JSONEncoding.string(site), site.id])
    }
}
