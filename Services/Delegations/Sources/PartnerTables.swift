import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The partner registry's tables: one row per institution (merged ones kept), its history, and
/// which visits name which partner.
struct PartnerTables: RecordTable {
    static let migration = Database.Migration(
        2,
        """
        CREATE TABLE partners(
            id TEXT PRIMARY KEY,
            match_key TEXT NOT NULL,
            status TEXT NOT NULL,
            merged_into TEXT,
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            country TEXT NOT NULL,
            kind TEXT NOT NULL,
            search TEXT NOT NULL,
            doc TEXT NOT NULL,
            announced INTEGER NOT NULL DEFAULT 1,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE INDEX partners_by_key ON partners(match_key, status);
        CREATE INDEX partners_by_name ON partners(name, id);
        \(history.createSQL())
        CREATE TABLE delegation_partners(
            delegation_id TEXT NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
            partner_id TEXT NOT NULL,
            lead INTEGER NOT NULL,
            PRIMARY KEY(delegation_id, partner_id));
        CREATE INDEX delegation_partners_by_partner ON delegation_partners(partner_id);
        """,
        data: { db in try migrateFreeText(db) }
    )

    static let history = History(
        table: "partner_history",
        idColumn: "partner_id",
        index: "partner_history_by_partner",
        records: "partners"
    )

    var history: History { Self.history }

    /// Visits stored before the registry each described their one partner in place: each such
    /// partner becomes a registry entry (one per name and country, with the id every service
    /// derives from them), and the visit names it by id. The new entries are announced
    /// (`partner.created`) when the service starts.
    static func migrateFreeText(_ db: Database) throws {
        let now = wallClockMillis()
        for row in try db.query("SELECT id, doc FROM delegations") {
            let id: String = try row["id"]
            var d = try JSONDecoding.decode(Delegation.self, from: try row["doc"] as [UInt8])
            for i in d.draft.partners.indices where d.draft.partners[i].id == nil {
                guard let described = d.draft.partners[i].described else { continue }
                let record = try findOrRegister(db, described, id: nil, announced: false, nowMillis: now).record
                d.draft.partners[i].resolve(record.reference)
                d.draft.partners[i].lead = true
            }
            d.place()
            try db.run("UPDATE delegations SET doc = ? WHERE id = ?", [JSONEncoding.string(d), id])
            try saveLinks(db, d)
        }
    }

    // MARK: reading

    static func load(_ db: Database, id: String) throws -> PartnerRecord? {
        guard let row = try db.queryOne("SELECT doc FROM partners WHERE id = ?", [id]) else { return nil }
        return try JSONDecoding.decode(PartnerRecord.self, from: try row["doc"] as [UInt8])
    }

    /// The entry `id` names, following merges to the one kept.
    static func resolve(_ db: Database, id: String) throws -> PartnerRecord? {
        var seen = Set<String>()
        var current = try load(db, id: id)
        while let p = current, let next = p.mergedInto, seen.insert(p.id).inserted { current = try load(db, id: next) }
        return current
    }

    /// The active entry with this name and country, if any; with `orMerged`, failing that, the
    /// entry kept for a duplicate of it that was merged away.
    static func find(_ db: Database, matchKey: String, orMerged: Bool = false) throws -> PartnerRecord? {
        let statuses = orMerged ? "('active', 'merged')" : "('active')"
        guard
            let row = try db.queryOne(
                "SELECT id, status, doc FROM partners WHERE match_key = ? AND status IN \(statuses) "
                    + "ORDER BY status != 'active', created_ms LIMIT 1",
                [matchKey]
            )
        else { return nil }
        if try row["status"] as String == PartnerStatus.merged.rawValue { return try resolve(db, id: try row["id"]) }
        return try JSONDecoding.decode(PartnerRecord.self, from: try row["doc"] as [UInt8])
    }

    /// A page of entries by name.
    static func list(_ db: Database, _ f: PartnerQuery, limit: Int) throws -> [PartnerRecord] {
        var sql = "SELECT doc FROM partners WHERE 1=1"
        var args: [any SQLBindable] = []
        // `+`: the page comes in order of the name index, not from the registry's index by status.
        if !f.includeMerged { sql += " AND +status = 'active'" }
        if let c = f.country { sql += " AND country = ?"; args.append(c.uppercased()) }
        if let k = f.kind { sql += " AND kind = ?"; args.append(k.rawValue) }
        if let c = f.continent {
            let codes = Country.all.values.filter { $0.continent == c }.map(\.code).sorted()
            sql += " AND country IN (\(codes.map { _ in "?" }.joined(separator: ",")))"
            args += codes
        }
        for w in f.words { sql += " AND instr(search, ?) > 0"; args.append(w) }
        if let (name, id) = f.after { sql += " AND (name > ? OR (name = ? AND id > ?))"; args += [name, name, id] }
        sql += " ORDER BY name, id LIMIT ?"
        args.append(limit + 1)
        return try db.query(sql, args).map {
            try JSONDecoding.decode(PartnerRecord.self, from: try $0["doc"] as [UInt8])
        }
    }

    /// A country's entries, and the joint links of each entry (a country's list of visits finds
    /// its joint visits through them: it read every entry and every link of the country's
    /// entries, 10 of its 20 ms at 100,000 visits); the active entries' rows of the registry
    /// report from an index (reading the table's rows, documents and all, was 10 ms).
    static let countryLinksSQL = """
        CREATE INDEX partners_by_country ON partners(upper(country));
        CREATE INDEX partners_by_status ON partners(status, country, kind, id);
        CREATE INDEX delegation_partners_joint_by_partner ON delegation_partners(partner_id, delegation_id)
            WHERE lead = 0;
        """

    /// The visits naming `ids` (a partner and those merged into it), by start.
    static func visits(_ db: Database, partners ids: [String]) throws -> [Delegation] {
        let marks = ids.map { _ in "?" }.joined(separator: ",")
        return try db.query(
            """
            SELECT DISTINCT d.doc, d.starts_utc, d.id FROM delegations d JOIN delegation_partners l ON l.delegation_id \
            = d.id
            WHERE l.partner_id IN (\(marks)) ORDER BY d.starts_utc, d.id
            """,
            ids
        ).map { try JSONDecoding.decode(Delegation.self, from: try $0["doc"] as [UInt8]) }
    }

    // MARK: writing

    /// An entry's row, worked out before the write.
    struct Prepared {
        var p: PartnerRecord
        var doc, search, matchKey: String

        init(_ p: PartnerRecord, tree: JSONValue) {
            self.p = p
            let d = p.draft
            doc = JSONWriter.string(tree)
            search = [d.name, d.nameLocal ?? "", d.city ?? "", p.countryName, d.country].joined(separator: "\n")
                .lowercased()
            matchKey = Partner.matchKey(name: d.name, country: d.country)
        }
    }

    func load(_ db: Database, _ id: String) throws -> (PartnerRecord, JSONValue, [UInt8])? {
        guard let doc: [UInt8] = try db.queryOne("SELECT doc FROM partners WHERE id = ?", [id])?["doc"] else {
            return nil
        }
        return (try JSONDecoding.decode(PartnerRecord.self, from: doc), .encoded(doc), doc)
    }

    func prepare(_ record: PartnerRecord, tree: JSONValue) -> Prepared { Prepared(record, tree: tree) }

    func storedText(_ prepared: Prepared) -> String { prepared.doc }

    func insert(_ db: Database, _ row: Prepared, nowMillis: Int64) throws {
        let p = row.p, d = p.draft
        try db.run(
            """
            INSERT INTO partners(id, match_key, status, merged_into, version, name, country, kind, search, doc, \
            announced, created_ms,
                updated_ms) VALUES(?,?,?,?,?,?,?,?,?,?,1,?,?)
            """,
            [
                p.id, row.matchKey, p.status.rawValue, p.mergedInto, p.version, d.name, d.country.uppercased(),
                d.kind.rawValue,
                row.search, row.doc, nowMillis, nowMillis,
            ]
        )
    }

    func update(_ db: Database, _ row: Prepared, nowMillis: Int64) throws {
        try write(db, row, nowMillis: nowMillis)
    }

    func refresh(_ db: Database, _ row: Prepared) throws { try write(db, row, nowMillis: nil) }

    /// Every column of an entry; the version and update time only with `nowMillis`.
    private func write(_ db: Database, _ row: Prepared, nowMillis: Int64?) throws {
        let p = row.p, d = p.draft
        let stamped = nowMillis == nil ? "" : ", version = ?, updated_ms = ?"
        var args: [any SQLBindable] = [
            row.matchKey, p.status.rawValue, p.mergedInto, d.name, d.country.uppercased(), d.kind.rawValue, row.search,
            row.doc,
        ]
        if let nowMillis { args += [p.version, nowMillis] }
        try db.run(
            """
            UPDATE partners SET match_key = ?, status = ?, merged_into = ?, name = ?, country = ?, kind = ?, search = \
            ?, doc = ?\(stamped)
            WHERE id = ?
            """,
            args + [p.id]
        )
    }

    /// The active entry with `described`'s name and country, or a new one (with `id` when given,
    /// else the id derived from name and country) listing `people`. `created` says which.
    static func findOrRegister(
        _ db: Database,
        _ described: Partner,
        id: String?,
        people: [Person] = [],
        announced: Bool = true,
        nowMillis: Int64
    ) throws -> (record: PartnerRecord, created: Bool) {
        let key = Partner.matchKey(name: described.name, country: described.country)
        // A name merged away names the entry it was merged into.
        if let found = try find(db, matchKey: key, orMerged: true) { return (found, false) }
        var newID = id ?? Partner.derivedID(name: described.name, country: described.country)
        if try load(db, id: newID) != nil { newID = IDs.make("par") }
        var draft = described
        draft.country = draft.country.uppercased()
        var record = PartnerRecord(id: newID, draft: draft, createdAt: Timestamp.rfc3339(millis: nowMillis))
        record.people = people.map {
            var x = $0
            x.id = IDs.make("per")
            return x
        }
        try PartnerTables().create(db, record, action: "register", uid: 0, nowMillis: nowMillis)
        if !announced { try db.run("UPDATE partners SET announced = 0 WHERE id = ?", [newID]) }
        return (record, true)
    }

    /// Entries not yet announced to the other services (those a migration registered).
    static func unannounced(_ db: Database) throws -> [PartnerRecord] {
        try db.query("SELECT doc FROM partners WHERE announced = 0 ORDER BY created_ms, id").map {
            try JSONDecoding.decode(PartnerRecord.self, from: try $0["doc"] as [UInt8])
        }
    }

    static func markAnnounced(_ db: Database, id: String) throws {
        try db.run("UPDATE partners SET announced = 1 WHERE id = ?", [id])
    }

    /// Which partners a visit names.
    static func saveLinks(_ db: Database, _ d: Delegation) throws {
        let lead = d.draft.lead?.id
        // Most changes leave the partners as they were: then nothing is written.
        let wanted = Set(d.draft.partners.compactMap { p in p.id.map { "\($0)\u{0}\($0 == lead ? 1 : 0)" } })
        let stored = Set(
            try db.query("SELECT partner_id, lead FROM delegation_partners WHERE delegation_id = ?", [d.id]).map {
                "\(try $0["partner_id"] as String)\u{0}\(try $0["lead"] as Int64)"
            }
        )
        if wanted == stored { return }
        try db.run("DELETE FROM delegation_partners WHERE delegation_id = ?", [d.id])
        for p in d.draft.partners {
            guard let id = p.id else { continue }
            try db.run(
                "INSERT OR IGNORE INTO delegation_partners(delegation_id, partner_id, lead) VALUES(?, ?, ?)",
                [d.id, id, id == lead ? 1 : 0]
            )
        }
    }

    /// The ids of visits naming partner `id`.
    static func delegationIDs(_ db: Database, naming id: String) throws -> [String] {
        try db.query("SELECT delegation_id FROM delegation_partners WHERE partner_id = ?", [id]).map {
            try $0["delegation_id"]
        }
    }
}

/// What `partners.list` filters by.
struct PartnerQuery {
    var country: String?
    var continent: Continent?
    var kind: PartnerKind?
    var words: [String] = []
    var includeMerged = false
    var after: (String, String)?
}

extension PartnerRecord: VersionedRecord {
    package static let kind = "partner"
    package var label: String { "partner \(id)" }

    package func validate() throws {
        var v = Validator()
        draft.problems(&v)
        for (i, person) in people.enumerated() { v.nested("people[\(i)]") { person.problems(&$0) } }
        try v.finish()
    }
}
