import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The agreements service's tables and every statement over them: agreements with their
/// partners and links, history, expiry notices, and the projection of delegations.
struct AgreementsTables: RecordTable {
    /// The audit trail.
    static let history = History(
        table: "agreement_history",
        idColumn: "agreement_id",
        index: "history_by_agreement",
        records: "agreements"
    )

    var history: History { Self.history }

    static let migrations: [Database.Migration] = [
        .init(
            1,
            """
            CREATE TABLE delegation_projection(
                id TEXT PRIMARY KEY,
                ref TEXT NOT NULL,
                title TEXT NOT NULL,
                partner_name TEXT NOT NULL,
                partner_name_local TEXT,
                partner_kind TEXT NOT NULL,
                country TEXT NOT NULL,
                continent TEXT NOT NULL,
                region TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                status TEXT NOT NULL,
                version INTEGER NOT NULL,
                last_sequence INTEGER NOT NULL,
                events_applied INTEGER NOT NULL,
                out_of_order INTEGER NOT NULL DEFAULT 0,
                updated_ms INTEGER NOT NULL);
            CREATE INDEX projection_by_country ON delegation_projection(country);
            CREATE TABLE agreements(
                id TEXT PRIMARY KEY,
                reference TEXT NOT NULL UNIQUE,
                external_key TEXT UNIQUE,
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                kind TEXT NOT NULL,
                signed_on TEXT,
                starts_on TEXT,
                ends_on TEXT,
                doc TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL);
            CREATE INDEX agreements_by_status ON agreements(status);
            CREATE INDEX agreements_by_end ON agreements(ends_on);
            CREATE TABLE agreement_partners(
                agreement_id TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
                idx INTEGER NOT NULL,
                name TEXT NOT NULL,
                name_local TEXT,
                kind TEXT NOT NULL,
                country TEXT NOT NULL,
                continent TEXT NOT NULL,
                region TEXT NOT NULL,
                PRIMARY KEY(agreement_id, idx));
            CREATE INDEX partners_by_country ON agreement_partners(country);
            CREATE TABLE agreement_links(
                agreement_id TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
                delegation_id TEXT NOT NULL,
                relation TEXT NOT NULL,
                PRIMARY KEY(agreement_id, delegation_id));
            CREATE INDEX links_by_delegation ON agreement_links(delegation_id);
            \(history.createSQL(sealed: false))
            CREATE TABLE expiry_notices(
                agreement_id TEXT NOT NULL,
                lead_days INTEGER NOT NULL,
                ends_on TEXT NOT NULL,
                fired_ms INTEGER NOT NULL,
                PRIMARY KEY(agreement_id, lead_days, ends_on));
            CREATE TABLE agreement_refs(year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
            """
        ),
        partnersMigration,
        .init(
            3,
            "ALTER TABLE agreements ADD COLUMN search TEXT NOT NULL DEFAULT '';",
            data: { db in
                for a in try loadAll(db) {
                    try db.run("UPDATE agreements SET search = ? WHERE id = ?", [searchText(a), a.id])
                }
            }
        ),
        .init(4, history.addSealSQL, data: { db in try history.sealAll(db) }),
        // Every partner's continent of a visit (a joint one counts for each); empty until the
        // visit's next event: the lead's `continent` stands for it.
        .init(5, "ALTER TABLE delegation_projection ADD COLUMN continents TEXT NOT NULL DEFAULT '';"),
        // Each history row seals the digest of the agreement it left.
        .init(6, "", data: { db in try history.addState(db) }),
        // The funnel counts visits per continent from an index, in its order.
        .init(7, "CREATE INDEX projection_funnel ON delegation_projection(continent, continents, status);"),
        // Rows of imports too large for one call (agreements.import_stage).
        .init(8, ImportStaging.createSQL),
    ]

    /// What the `text` filter looks in, lowercased: the agreement's values, never its field names.
    static func searchText(_ a: Agreement) -> String {
        var parts = [a.reference, a.currentReference, a.draft.title, a.draft.kind.rawValue, a.draft.notes ?? ""]
        parts += a.draft.partners.flatMap {
            [$0.name ?? "", $0.nameLocal ?? "", $0.country ?? "", $0.contactName ?? ""]
        }
        parts +=
            a.draft.focusAreas + a.draft.signatories.map(\.name) + [
                a.draft.coordinator.name, a.draft.coordinator.email ?? "",
            ]
        parts += a.activities.map(\.summary) + a.amendments.map(\.summary) + a.draft.documents.map(\.title)
        return parts.filter { !$0.isEmpty }.joined(separator: "\n").lowercased()
    }

    static func load(_ db: Database, _ idOrRef: String) throws -> Agreement? { try loadWithTree(db, idOrRef)?.0 }

    /// The agreement and its stored JSON.
    static func loadWithTree(_ db: Database, _ idOrRef: String) throws -> (Agreement, JSONValue)? {
        try loadText(db, idOrRef).map { ($0.0, $0.1) }
    }

    /// The agreement, its stored JSON and the stored text of it.
    static func loadText(_ db: Database, _ idOrRef: String) throws -> (Agreement, JSONValue, [UInt8])? {
        let sql =
            idOrRef.hasPrefix("agr-")
            ? "SELECT doc FROM agreements WHERE id = ?" : "SELECT doc FROM agreements WHERE reference = ? OR id = ?"
        let args: [any SQLBindable] = idOrRef.hasPrefix("agr-") ? [idOrRef] : [idOrRef, idOrRef]
        guard let row = try db.queryOne(sql, args) else { return nil }
        let doc: [UInt8] = try row["doc"]
        let tree = try JSONParser.parse(doc)
        return (try JSONDecoding.decode(Agreement.self, from: tree), tree, doc)
    }

    /// The agreement with this external key.
    static func load(_ db: Database, externalKey: String) throws -> Agreement? {
        guard let row = try db.queryOne("SELECT doc FROM agreements WHERE external_key = ?", [externalKey]) else {
            return nil
        }
        return try JSONDecoding.decode(Agreement.self, from: try row["doc"] as [UInt8])
    }

    /// Agreements matching a WHERE clause over the `agreements` table, by reference.
    static func loadAll(
        _ db: Database,
        where clause: String = "1=1",
        _ args: [any SQLBindable] = [],
        limit: Int = 100_000
    ) throws -> [Agreement] {
        try db.query("SELECT doc FROM agreements WHERE \(clause) ORDER BY reference LIMIT ?", args + [limit]).map {
            try JSONDecoding.decode(Agreement.self, from: try $0["doc"] as [UInt8])
        }
    }

    /// Agreements matching the filters of `agreements.list`.
    static func list(
        _ db: Database,
        status: AgreementStatus?,
        kind: AgreementKind?,
        country: String?,
        continent: String?,
        partner: String? = nil,
        words: String?,
        after: String?,
        limit: Int
    ) throws -> [(reference: String, doc: [UInt8])] {
        var clause = "1=1"
        var args: [any SQLBindable] = []
        if let s = status { clause += " AND status = ?"; args.append(s.rawValue) }
        if let k = kind { clause += " AND kind = ?"; args.append(k.rawValue) }
        if let c = country {
            clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE country = ?)";
            args.append(c.uppercased())
        }
        if let c = continent {
            clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE continent = ?)"; args.append(c)
        }
        if let p = partner {
            clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE partner_id = ?)"; args.append(p)
        }
        for w in (words ?? "").split(separator: " ") where !w.isEmpty {
            clause += " AND instr(search, ?) > 0"
            args.append(String(w))
        }
        if let after { clause += " AND reference > ?"; args.append(after) }
        // The stored documents as they are: a page is answered without decoding them.
        return try db.query(
            "SELECT reference, doc FROM agreements WHERE \(clause) ORDER BY reference LIMIT ?",
            args + [limit]
        ).map { (try $0["reference"], try $0["doc"]) }
    }

    /// Signed agreements whose start is on or before `day`.
    static func dueToStart(_ db: Database, on day: LocalDate) throws -> [Agreement] {
        try loadAll(db, where: "status = 'signed' AND starts_on IS NOT NULL AND starts_on <= ?", [day.description])
    }

    /// Active or suspended agreements that ended before `day`.
    static func pastEnd(_ db: Database, on day: LocalDate) throws -> [Agreement] {
        try loadAll(
            db,
            where: "status IN ('active','suspended') AND ends_on IS NOT NULL AND ends_on < ?",
            [day.description]
        )
    }

    /// Agreements in force (or about to be) that end on or after `from` (and on or before `until`).
    static func ending(_ db: Database, from: LocalDate, until: LocalDate? = nil) throws -> [Agreement] {
        if let until {
            return try loadAll(
                db,
                where:
                    "status IN ('signed','active','suspended') AND ends_on IS NOT NULL AND ends_on >= ? AND ends_on "
                    + "<= ?",
                [from.description, until.description]
            )
        }
        return try loadAll(
            db,
            where: "status IN ('active','suspended','signed') AND ends_on IS NOT NULL AND ends_on >= ?",
            [from.description]
        )
    }

    /// Active agreements.
    static func active(_ db: Database) throws -> [Agreement] { try loadAll(db, where: "status = 'active'") }

    /// How many agreements carry a reference starting with `prefix` (renewals of one agreement).
    static func count(_ db: Database, referencePrefix prefix: String) throws -> Int {
        try db.queryOne("SELECT count(*) AS n FROM agreements WHERE reference LIKE ?", [prefix + "%"])?["n"] ?? 0
    }

    /// Whether the expiry notice for (`id`, `lead`, `end`) has been recorded; records it when not.
    static func claimNotice(_ db: Database, id: String, lead: Int, end: LocalDate, nowMillis: Int64) throws -> Bool {
        if try db.queryOne(
            "SELECT 1 FROM expiry_notices WHERE agreement_id = ? AND lead_days = ? AND ends_on = ?",
            [id, lead, end.description]
        ) != nil {
            return false
        }
        try db.run(
            "INSERT INTO expiry_notices(agreement_id, lead_days, ends_on, fired_ms) VALUES(?,?,?,?)",
            [id, lead, end.description, nowMillis]
        )
        return true
    }

    func load(_ db: Database, _ idOrRef: String) throws -> (Agreement, JSONValue, [UInt8])? {
        try Self.loadText(db, idOrRef)
    }

    func prepare(_ record: Agreement, tree: JSONValue) -> (Agreement, String) { (record, JSONWriter.string(tree)) }

    func storedText(_ prepared: (Agreement, String)) -> String { prepared.1 }

    func insert(_ db: Database, _ prepared: (Agreement, String), nowMillis: Int64) throws {
        try Self.save(db, prepared.0, doc: prepared.1, insert: true, nowMillis: nowMillis)
    }

    func update(_ db: Database, _ prepared: (Agreement, String), nowMillis: Int64) throws {
        try Self.save(db, prepared.0, doc: prepared.1, insert: false, nowMillis: nowMillis)
    }

    /// The document and its search text, and the partners' rows (what others own changed: a
    /// partner's name, a visit's reference).
    func refresh(_ db: Database, _ prepared: (Agreement, String)) throws {
        let a = prepared.0
        try db.run("UPDATE agreements SET doc = ?, search = ? WHERE id = ?", [prepared.1, Self.searchText(a), a.id])
        try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
        try Self.savePartners(db, a)
    }

    /// The next reference for an agreement of `year` (AGR-YYYY-NNNN).
    static func nextReference(_ db: Database, year: Int) throws -> String { try references.next(db, year: year) }

    /// Inserts or replaces the agreement with its partner and link rows.
    static func save(_ db: Database, _ a: Agreement, doc: String? = nil, insert: Bool, nowMillis: Int64) throws {
        let doc = doc ?? JSONEncoding.string(a)
        let written = Result { () throws(StoreError) in
            if insert {
                try db.run(
                    """
                    INSERT INTO agreements(id, reference, external_key, version, status, kind, signed_on, starts_on, \
                    ends_on, doc,
                        created_ms, updated_ms, search)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """,
                    [
                        a.id, a.reference, a.draft.externalKey, a.version, a.status.rawValue, a.draft.kind.rawValue,
                        a.draft.signedOn?.exactDay?.description, a.draft.startsOn?.exactDay?.description,
                        a.draft.endsOn?.exactDay?.description, doc, nowMillis, nowMillis, searchText(a),
                    ]
                )
            } else {
                try db.run(
                    """
                    UPDATE agreements SET version = ?, status = ?, kind = ?, signed_on = ?, starts_on = ?, ends_on = \
                    ?, doc = ?,
                        updated_ms = ?, search = ? WHERE id = ?
                    """,
                    [
                        a.version, a.status.rawValue, a.draft.kind.rawValue, a.draft.signedOn?.exactDay?.description,
                        a.draft.startsOn?.exactDay?.description, a.draft.endsOn?.exactDay?.description, doc, nowMillis,
                        searchText(a), a.id,
                    ]
                )
            }
        }
        if case .failure(let e) = written {
            guard e.isConstraint else { throw e }
            throw ServiceError(
                .conflict,
                "reference \(a.reference) is already used by another agreement",
                retryable: false,
                details: ["field": "reference", "reference": .string(a.reference)]
            )
        }
        try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
        try savePartners(db, a)
        try db.run("DELETE FROM agreement_links WHERE agreement_id = ?", [a.id])
        for l in a.delegations {
            try db.run(
                "INSERT INTO agreement_links(agreement_id, delegation_id, relation) VALUES(?,?,?)",
                [a.id, l.delegationID, l.relation]
            )
        }
    }

    /// The rows of the partners an agreement names (for filters by country and continent).
    static func savePartners(_ db: Database, _ a: Agreement) throws {
        for (i, p) in a.draft.partners.enumerated() {
            let code = (p.country ?? "").uppercased()
            let c = Country.named(code)
            try db.run(
                "INSERT INTO agreement_partners(agreement_id, idx, name, name_local, kind, country, continent, "
                    + "region, partner_id) VALUES(?,?,?,?,?,?,?,?,?)",
                [
                    a.id, i, p.name ?? "", p.nameLocal, (p.kind ?? .other).rawValue, code, c?.continent.rawValue ?? "",
                    c?.region ?? "",
                    p.id,
                ]
            )
        }
    }
}
