import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The agreements service's tables.
enum AgreementTables {
    static let migrations: [Database.Migration] = [
        .init(1, """
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
    ]

    static func load(_ db: Database, _ idOrRef: String) throws -> Agreement? {
        let sql = idOrRef.hasPrefix("agr-") ? "SELECT doc FROM agreements WHERE id = ?" : "SELECT doc FROM agreements WHERE reference = ? OR id = ?"
        let args: [any SQLBindable] = idOrRef.hasPrefix("agr-") ? [idOrRef] : [idOrRef, idOrRef]
        guard let row = try db.queryOne(sql, args) else { return nil }
        return try JSONDecoding.decode(Agreement.self, from: row.blob(0)!)
    }

    static func loadAll(_ db: Database, where clause: String = "1=1", _ args: [any SQLBindable] = [], limit: Int = 100_000) throws -> [Agreement] {
        try db.query("SELECT doc FROM agreements WHERE \(clause) ORDER BY reference LIMIT ?", args + [limit]).map { try JSONDecoding.decode(Agreement.self, from: $0.blob(0)!) }
    }

    static func nextReference(_ db: Database, year: Int) throws -> String {
        let n = (try db.queryOne("SELECT last FROM agreement_refs WHERE year = ?", [year])?.int(0) ?? 0) + 1
        try db.run("INSERT INTO agreement_refs(year, last) VALUES(?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last", [year, n])
        let digits = String(n)
        return "AGR-\(year)-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Inserts or replaces the agreement with its partner and link rows.
    static func save(_ db: Database, _ a: Agreement, insert: Bool, nowMillis: Int64) throws {
        let doc = JSONEncoding.string(a)
        let written = Result { () throws(StoreError) in
            if insert {
                try db.run("""
                    INSERT INTO agreements(id, reference, external_key, version, status, kind, signed_on, starts_on, ends_on, doc, created_ms, updated_ms)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?)
                    """, [a.id, a.reference, a.draft.externalKey, a.version, a.status.rawValue, a.draft.kind.rawValue, a.draft.signedOn?.description,
                          a.draft.startsOn?.description, a.draft.endsOn?.description, doc, nowMillis, nowMillis])
            } else {
                try db.run("""
                    UPDATE agreements SET version = ?, status = ?, kind = ?, signed_on = ?, starts_on = ?, ends_on = ?, doc = ?, updated_ms = ? WHERE id = ?
                    """, [a.version, a.status.rawValue, a.draft.kind.rawValue, a.draft.signedOn?.description, a.draft.startsOn?.description,
                          a.draft.endsOn?.description, doc, nowMillis, a.id])
            }
        }
        if case .failure(let e) = written {
            guard e.isConstraint else { throw e }
            throw ServiceError(.conflict, "reference \(a.reference) is already used by another agreement", retryable: false,
                               details: ["field": "reference", "reference": .string(a.reference)])
        }
        try db.run("DELETE FROM agreement_partners WHERE agreement_id = ?", [a.id])
        for (i, p) in a.draft.partners.enumerated() {
            let c = Country.named(p.country)
            try db.run("INSERT INTO agreement_partners(agreement_id, idx, name, name_local, kind, country, continent, region) VALUES(?,?,?,?,?,?,?,?)",
                       [a.id, i, p.name, p.nameLocal, p.kind.rawValue, p.country.uppercased(), c?.continent.rawValue ?? "", c?.region ?? ""])
        }
        try db.run("DELETE FROM agreement_links WHERE agreement_id = ?", [a.id])
        for l in a.delegations {
            try db.run("INSERT INTO agreement_links(agreement_id, delegation_id, relation) VALUES(?,?,?)", [a.id, l.delegationID, l.relation])
        }
    }

    static func record(_ db: Database, _ a: Agreement, uid: UInt32, action: String, changes: JSONValue, nowMillis: Int64) throws {
        try db.run("INSERT INTO agreement_history(agreement_id, version, at_ms, uid, action, changes) VALUES(?,?,?,?,?,?)",
                   [a.id, a.version, nowMillis, Int64(uid), action, JSONWriter.string(changes)])
    }

    /// The top-level fields that differ, as {field: {from, to}} (volatile ones left out).
    static func diff(_ old: JSONValue, _ new: JSONValue) -> JSONValue {
        guard case .object(let a) = old, case .object(let b) = new else { return ["to": new] }
        var out = JSONObject()
        for key in (a.keys + b.keys.filter { a[$0] == nil }) where !["version", "updated_at"].contains(key) {
            let x = a[key], y = b[key]
            if x != y { out[key] = ["from": x ?? .null, "to": y ?? .null] }
        }
        return .object(out)
    }
}
