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
    static let history = History(table: "agreement_history", idColumn: "agreement_id")

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
            CREATE TABLE agreement_history(
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                agreement_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                at_ms INTEGER NOT NULL,
                uid INTEGER NOT NULL,
                action TEXT NOT NULL,
                changes TEXT NOT NULL);
            CREATE INDEX history_by_agreement ON agreement_history(agreement_id, seq);
            CREATE TABLE expiry_notices(
                agreement_id TEXT NOT NULL,
                lead_days INTEGER NOT NULL,
                ends_on TEXT NOT NULL,
                fired_ms INTEGER NOT NULL,
                PRIMARY KEY(agreement_id, lead_days, ends_on));
            CREATE TABLE agreement_refs(year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
            """),
        AgreementsPartners.migration,
        .init(
            3, "ALTER TABLE agreements ADD COLUMN search TEXT NOT NULL DEFAULT '';",
            data: { db in
                for a in try loadAll(db) { try db.run("UPDATE agreements SET search = ? WHERE id = ?", [searchText(a), a.id]) }
            }),
        .init(4, "ALTER TABLE agreement_history ADD COLUMN hash TEXT NOT NULL DEFAULT '';", data: { db in try history.sealAll(db) }),
    ]

    /// What the `text` filter looks in, lowercased: the agreement's values, never its field names.
    static func searchText(_ a: Agreement) -> String {
        var parts = [a.reference, a.currentReference, a.draft.title, a.draft.kind.rawValue, a.draft.notes ?? ""]
        parts += a.draft.partners.flatMap { [$0.name ?? "", $0.nameLocal ?? "", $0.country ?? "", $0.contactName ?? ""] }
        parts += a.draft.focusAreas + a.draft.signatories.map(\.name) + [a.draft.coordinator.name, a.draft.coordinator.email]
        parts += a.activities.map(\.summary) + a.amendments.map(\.summary) + a.draft.documents.map(\.title)
        return parts.filter { !$0.isEmpty }.joined(separator: "\n").lowercased()
    }

    /// Writes a changed document (and its search text) without a new version: what others own
    /// changed (a partner's name, a visit's reference).
    static func rewrite(_ db: Database, _ a: Agreement) throws {
        try db.run("UPDATE agreements SET doc = ?, search = ? WHERE id = ?", [JSONEncoding.string(a), searchText(a), a.id])
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
        guard let row = try db.queryOne("SELECT doc FROM agreements WHERE external_key = ?", [externalKey]) else { return nil }
        return try JSONDecoding.decode(Agreement.self, from: try row["doc"] as [UInt8])
    }

    /// Agreements matching a WHERE clause over the `agreements` table, by reference.
    static func loadAll(
        _ db: Database, where clause: String = "1=1", _ args: [any SQLBindable] = [], limit: Int = 100_000
    ) throws -> [Agreement] {
        try db.query("SELECT doc FROM agreements WHERE \(clause) ORDER BY reference LIMIT ?", args + [limit]).map {
            try JSONDecoding.decode(Agreement.self, from: try $0["doc"] as [UInt8])
        }
    }

    /// Agreements matching the filters of `agreements.list`.
    static func list(
        _ db: Database, status: AgreementStatus?, kind: AgreementKind?, country: String?, continent: String?, partner: String? = nil,
        words: String?, after: String?, limit: Int
    ) throws -> [Agreement] {
        var clause = "1=1"
        var args: [any SQLBindable] = []
        if let s = status { clause += " AND status = ?"; args.append(s.rawValue) }
        if let k = kind { clause += " AND kind = ?"; args.append(k.rawValue) }
        if let c = country {
            clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE country = ?)"; args.append(c.uppercased())
        }
        if let c = continent { clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE continent = ?)"; args.append(c) }
        if let p = partner { clause += " AND id IN (SELECT agreement_id FROM agreement_partners WHERE partner_id = ?)"; args.append(p) }
        for w in (words ?? "").split(separator: " ") where !w.isEmpty {
            clause += " AND instr(search, ?) > 0"
            args.append(String(w))
        }
        if let after { clause += " AND reference > ?"; args.append(after) }
        return try loadAll(db, where: clause, args, limit: limit)
    }

    /// Signed agreements whose start is on or before `day`.
    static func dueToStart(_ db: Database, on day: LocalDate) throws -> [Agreement] {
        try loadAll(db, where: "status = 'signed' AND starts_on IS NOT NULL AND starts_on <= ?", [day.description])
    }

    /// Active or suspended agreements that ended before `day`.
    static func pastEnd(_ db: Database, on day: LocalDate) throws -> [Agreement] {
        try loadAll(db, where: "status IN ('active','suspended') AND ends_on IS NOT NULL AND ends_on < ?", [day.description])
    }

    /// Agreements in force (or about to be) that end on or after `from` (and on or before `until`).
    static func ending(_ db: Database, from: LocalDate, until: LocalDate? = nil) throws -> [Agreement] {
        if let until {
            return try loadAll(
                db, where: "status IN ('signed','active','suspended') AND ends_on IS NOT NULL AND ends_on >= ? AND ends_on <= ?",
                [from.description, until.description])
        }
        return try loadAll(
            db, where: "status IN ('active','suspended','signed') AND ends_on IS NOT NULL AND ends_on >= ?", [from.description])
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
            "SELECT 1 FROM expiry_notices WHERE agreement_id = ? AND lead_days = ? AND ends_on = ?", [id, lead, end.description]) != nil
        {
            return false
        }
        try db.run(
            "INSERT INTO expiry_notices(agreement_id, lead_days, ends_on, fired_ms) VALUES(?,?,?,?)",
            [id, lead, end.description, nowMillis])
        return true
    }

    func load(_ db: Database, _ idOrRef: String) throws -> (Agreement, JSONValue, [UInt8])? { try Self.loadText(db, idOrRef) }

    func current(_ db: Database, id: String) throws -> (version: Int, doc: [UInt8])? {
        guard let row = try db.queryOne("SELECT version, doc FROM agreements WHERE id = ?", [id]) else { return nil }
        return (try row["version"], try row["doc"])
    }

    func prepare(_ record: Agreement, tree: JSONValue) -> (Agreement, String) { (record, JSONWriter.string(tree)) }

    func update(_ db: Database, _ prepared: (Agreement, String), nowMillis: Int64) throws {
        try Self.save(db, prepared.0, doc: prepared.1, insert: false, nowMillis: nowMillis)
    }

    /// The next reference for an agreement of `year` (AGR-YYYY-NNNN).
    static func nextReference(_ db: Database, year: Int) throws -> String {
        let last: Int = try db.queryOne("SELECT last FROM agreement_refs WHERE year = ?", [year])?["last"] ?? 0
        let n = last + 1
        try db.run("INSERT INTO agreement_refs(year, last) VALUES(?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last", [year, n])
        let digits = String(n)
        return "AGR-\(year)-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Inserts or replaces the agreement with its partner and link rows.
    static func save(_ db: Database, _ a: Agreement, doc: String? = nil, insert: Bool, nowMillis: Int64) throws {
        let doc = doc ?? JSONEncoding.string(a)
        let written = Result { () throws(StoreError) in
            if insert {
                try db.run(
                    """
                    INSERT INTO agreements(id, reference, external_key, version, status, kind, signed_on, starts_on, ends_on, doc,
                        created_ms, updated_ms, search)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """,
                    [
                        a.id, a.reference, a.draft.externalKey, a.version, a.status.rawValue, a.draft.kind.rawValue,
                        a.draft.signedOn?.exactDay?.description, a.draft.startsOn?.exactDay?.description,
                        a.draft.endsOn?.exactDay?.description, doc, nowMillis, nowMillis, searchText(a),
                    ])
            } else {
                try db.run(
                    """
                    UPDATE agreements SET version = ?, status = ?, kind = ?, signed_on = ?, starts_on = ?, ends_on = ?, doc = ?,
                        updated_ms = ?, search = ? WHERE id = ?
                    """,
                    [
                        a.version, a.status.rawValue, a.draft.kind.rawValue, a.draft.signedOn?.exactDay?.description,
                        a.draft.startsOn?.exactDay?.description, a.draft.endsOn?.exactDay?.description, doc, nowMillis, searchText(a), a.id,
                    ])
            }
        }
        if case .failure(let e) = written {
            guard e.isConstraint else { throw e }
            throw ServiceError(
                .conflict, "reference \(a.reference) is already used by another agreement", retryable: false,
                details: ["field": "reference", "reference": .string(a.reference)])
        }
        try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
        try savePartners(db, a)
        try db.run("DELETE FROM agreement_links WHERE agreement_id = ?", [a.id])
        for l in a.delegations {
            try db.run(
                "INSERT INTO agreement_links(agreement_id, delegation_id, relation) VALUES(?,?,?)", [a.id, l.delegationID, l.relation])
        }
    }

    /// The rows of the partners an agreement names (for filters by country and continent).
    static func savePartners(_ db: Database, _ a: Agreement) throws {
        for (i, p) in a.draft.partners.enumerated() {
            let code = (p.country ?? "").uppercased()
            let c = Country.named(code)
            try db.run(
                "INSERT INTO agreement_partners(agreement_id, idx, name, name_local, kind, country, continent, region, partner_id) "
                    + "VALUES(?,?,?,?,?,?,?,?,?)",
                [
                    a.id, i, p.name ?? "", p.nameLocal, (p.kind ?? .other).rawValue, code, c?.continent.rawValue ?? "", c?.region ?? "",
                    p.id,
                ])
        }
    }

    // MARK: the projection of delegations

    /// Stores what a delegation event says of the visit (continent and region from our own
    /// country table, whatever the event carried).
    static func project(_ db: Database, _ d: Delegation, sequence: Int64, nowMillis: Int64) throws {
        let prior: Int64? = try db.queryOne("SELECT last_sequence FROM delegation_projection WHERE id = ?", [d.id])?["last_sequence"]
        let lead = d.draft.lead
        let country = Country.named(lead?.country ?? "")
        let outOfOrder = (prior ?? 0) >= sequence ? 1 : 0
        try db.run(
            """
            INSERT INTO delegation_projection(id, ref, title, partner_name, partner_name_local, partner_kind, country, continent, region,
                starts_at, ends_at, time_zone, status, version, last_sequence, events_applied, out_of_order, updated_ms, date_known)
            VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)
            ON CONFLICT(id) DO UPDATE SET ref = excluded.ref, title = excluded.title, partner_name = excluded.partner_name,
                partner_name_local = excluded.partner_name_local, partner_kind = excluded.partner_kind, country = excluded.country,
                continent = excluded.continent, region = excluded.region, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                time_zone = excluded.time_zone, status = excluded.status, version = excluded.version,
                last_sequence = max(last_sequence, excluded.last_sequence), events_applied = events_applied + 1,
                out_of_order = out_of_order + excluded.out_of_order, updated_ms = excluded.updated_ms, date_known = excluded.date_known
            """,
            [
                d.id, d.ref, d.draft.title, d.draft.partners.map { $0.name ?? "" }.joined(separator: "; "), lead?.nameLocal,
                (lead?.kind ?? .other).rawValue, (lead?.country ?? "").uppercased(), country?.continent.rawValue ?? d.continent,
                country?.region ?? d.region, d.draft.startsAt.description, d.draft.endsAt.description, d.draft.timeZone, d.status.rawValue,
                d.version, sequence, outOfOrder, nowMillis, d.draft.date?.description,
            ])
    }

    /// Projected delegations (one by id or reference), by start then id, after `after` (start, id).
    static func projected(_ db: Database, id: String?, after: (String, String)? = nil, limit: Int) throws -> [ProjectedDelegation] {
        var sql = """
            SELECT id, ref, title, partner_name, partner_name_local, country, continent, region, starts_at, ends_at, time_zone, status,
                version, date_known,
                last_sequence, events_applied, out_of_order FROM delegation_projection
            """
        var args: [any SQLBindable] = []
        sql += " WHERE 1=1"
        if let id { sql += " AND (id = ? OR ref = ?)"; args += [id, id] }
        if let (s, i) = after { sql += " AND (starts_at > ? OR (starts_at = ? AND id > ?))"; args += [s, s, i] }
        sql += " ORDER BY starts_at, id LIMIT ?"
        args.append(limit)
        return try db.query(sql, args).map(ProjectedDelegation.init(row:))
    }

    /// Visits not cancelled: id and continent (for the funnel).
    static func visitsByContinent(_ db: Database) throws -> [(id: String, continent: String)] {
        try db.query("SELECT id, continent FROM delegation_projection WHERE status NOT IN ('cancelled')").map { r in
            (try r["id"], try r["continent"])
        }
    }
}

extension ProjectedDelegation {
    init(row r: Row) throws {
        var why = ""
        let date: String? = try r["date_known"]
        self.init(
            id: try r["id"], ref: try r["ref"], title: try r["title"],
            partner: PartnerName(name: try r["partner_name"], nameLocal: try r["partner_name_local"], country: try r["country"]),
            continent: try r["continent"], region: try r["region"], startsAt: try r["starts_at"], endsAt: try r["ends_at"],
            timeZone: try r["time_zone"], status: DelegationStatus(rawValue: try r["status"]) ?? .proposed, date: date,
            when: date.flatMap { PartialDate.parse($0, why: &why) }?.display, version: try r["version"],
            lastSequence: try r["last_sequence"], eventsApplied: try r["events_applied"], outOfOrder: try r["out_of_order"])
    }
}

