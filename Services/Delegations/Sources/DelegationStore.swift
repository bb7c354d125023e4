import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The delegations service's tables and queries. Every method runs inside a caller's
/// transaction or read, on the service's one connection.
enum DelegationTables {
    static let migrations: [Database.Migration] = [
        .init(1, """
        CREATE TABLE delegations(
            id TEXT PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            external_key TEXT UNIQUE,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            direction TEXT NOT NULL,
            partner_kind TEXT NOT NULL,
            country TEXT NOT NULL,
            continent TEXT NOT NULL,
            region TEXT NOT NULL,
            starts_utc INTEGER NOT NULL,
            ends_utc INTEGER NOT NULL,
            search TEXT NOT NULL,
            doc TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE INDEX delegations_by_start ON delegations(starts_utc, id);
        CREATE INDEX delegations_by_status ON delegations(status);
        CREATE INDEX delegations_by_country ON delegations(country);
        CREATE TABLE bookings(
            delegation_id TEXT NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
            item INTEGER NOT NULL,
            starts_utc INTEGER NOT NULL,
            ends_utc INTEGER NOT NULL,
            venue TEXT,
            hosts TEXT NOT NULL,
            title TEXT NOT NULL,
            PRIMARY KEY(delegation_id, item));
        CREATE INDEX bookings_by_time ON bookings(starts_utc, ends_utc);
        CREATE TABLE refs(year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
        CREATE TABLE history(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            delegation_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            at_ms INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            action TEXT NOT NULL,
            changes TEXT NOT NULL);
        CREATE INDEX history_by_delegation ON history(delegation_id, seq);
        """),
    ]

    /// States whose itineraries hold venues and hosts.
    static let booking: Set<DelegationStatus> = [.proposed, .confirmed, .inProgress]

    static func load(_ db: Database, idOrRef: String) throws -> Delegation? {
        try loadWithTree(db, idOrRef: idOrRef)?.0
    }

    /// The delegation and its stored JSON (the "before" of a change's history entry).
    static func loadWithTree(_ db: Database, idOrRef: String) throws -> (Delegation, JSONValue)? {
        let sql = idOrRef.hasPrefix("DEL-") ? "SELECT doc FROM delegations WHERE ref = ?" : "SELECT doc FROM delegations WHERE id = ?"
        guard let row = try db.queryOne(sql, [idOrRef]) else { return nil }
        let tree = try JSONParser.parse(row.blob(0)!)
        return (try JSONDecoding.decode(Delegation.self, from: tree), tree)
    }

    static func load(_ db: Database, externalKey: String) throws -> Delegation? {
        guard let row = try db.queryOne("SELECT doc FROM delegations WHERE external_key = ?", [externalKey]) else { return nil }
        return try JSONDecoding.decode(Delegation.self, from: Array(row.string(0)!.utf8))
    }

    /// The next reference number for a visit starting in `year`.
    static func nextRef(_ db: Database, year: Int) throws -> String {
        let n = (try db.queryOne("SELECT last FROM refs WHERE year = ?", [year])?.int(0) ?? 0) + 1
        try db.run("INSERT INTO refs(year, last) VALUES(?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last", [year, n])
        let digits = String(n)
        return "DEL-\(year)-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A delegation's row and bookings, worked out before the write transaction so that the
    /// writer spends its time on SQL only.
    struct Row {
        var d: Delegation
        var doc: String
        var search: String
        var start: Int64
        var end: Int64
        var bookings: [Booking]

        /// `tree` is `d` encoded.
        init(_ d: Delegation, tree: JSONValue) {
            self.d = d
            let zone = d.draft.zone
            start = d.draft.startsAt.epochSeconds(in: zone)
            end = d.draft.endsAt.epochSeconds(in: zone)
            doc = JSONWriter.string(tree)
            search = DelegationTables.searchText(d)
            bookings = DelegationTables.booking.contains(d.status) ? ItineraryChecker.bookings(of: d.draft, id: d.id, ref: d.ref) : []
        }
    }

    /// Inserts or replaces the delegation row and its bookings; `tree` is `d` encoded.
    static func save(_ db: Database, _ d: Delegation, tree: JSONValue, insert: Bool, nowMillis: Int64) throws {
        try save(db, Row(d, tree: tree), insert: insert, nowMillis: nowMillis)
    }

    /// Inserts or replaces a prepared row and its bookings.
    static func save(_ db: Database, _ row: Row, insert: Bool, nowMillis: Int64) throws {
        let d = row.d
        if insert {
            try db.run("""
                INSERT INTO delegations(id, ref, external_key, version, status, direction, partner_kind, country, continent, region,
                    starts_utc, ends_utc, search, doc, created_ms, updated_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """, [d.id, d.ref, d.draft.externalKey, d.version, d.status.rawValue, d.draft.direction.rawValue, d.draft.partner.kind.rawValue,
                      d.draft.partner.country.uppercased(), d.continent, d.region, row.start, row.end, row.search, row.doc, nowMillis, nowMillis])
        } else {
            try db.run("""
                UPDATE delegations SET version = ?, status = ?, direction = ?, partner_kind = ?, country = ?, continent = ?, region = ?,
                    starts_utc = ?, ends_utc = ?, search = ?, doc = ?, updated_ms = ? WHERE id = ?
                """, [d.version, d.status.rawValue, d.draft.direction.rawValue, d.draft.partner.kind.rawValue, d.draft.partner.country.uppercased(),
                      d.continent, d.region, row.start, row.end, row.search, row.doc, nowMillis, d.id])
        }
        try db.run("DELETE FROM bookings WHERE delegation_id = ?", [d.id])
        for b in row.bookings {
            try db.run("INSERT INTO bookings(delegation_id, item, starts_utc, ends_utc, venue, hosts, title) VALUES(?,?,?,?,?,?,?)",
                       [d.id, b.item, b.start, b.end, b.venue, b.hosts.joined(separator: "\n"), b.itemTitle])
        }
    }

    /// The stored version of a delegation, by id.
    static func version(_ db: Database, id: String) throws -> Int? {
        try db.queryOne("SELECT version FROM delegations WHERE id = ?", [id])?.int(0).map { Int($0) }
    }

    /// What free-text search looks in, lowercased.
    static func searchText(_ d: Delegation) -> String {
        var parts = [d.ref, d.draft.title, d.draft.partner.name, d.draft.partner.nameLocal ?? "", d.draft.purpose ?? "", d.countryName,
                     d.draft.partner.city ?? ""]
        parts += d.draft.topics
        parts += d.draft.members.flatMap { [$0.name, $0.nameLocal ?? "", $0.title ?? ""] }
        parts += d.draft.hosts.map(\.name)
        return parts.filter { !$0.isEmpty }.joined(separator: "\n").lowercased()
    }

    /// Other delegations' bookings overlapping [start, end).
    static func bookings(_ db: Database, overlapping start: Int64, _ end: Int64, excluding id: String?) throws -> [Booking] {
        try db.query("""
            SELECT b.delegation_id, d.ref, json_extract(d.doc, '$.title'), b.item, b.title, b.starts_utc, b.ends_utc, b.venue, b.hosts
            FROM bookings b JOIN delegations d ON d.id = b.delegation_id
            WHERE b.starts_utc < ? AND b.ends_utc > ? AND b.delegation_id != ?
            """, [end, start, id ?? ""]).map { r in
            Booking(delegationID: r.string(0)!, delegationRef: r.string(1)!, delegationTitle: r.string(2) ?? "", item: Int(r.int(3)!), itemTitle: r.string(4)!,
                    start: r.int(5)!, end: r.int(6)!, venue: r.string(7), hosts: (r.string(8) ?? "").split(separator: "\n").map(String.init))
        }
    }

    static func record(_ db: Database, id: String, version: Int, uid: UInt32, action: String, changes: JSONValue, nowMillis: Int64) throws {
        try record(db, id: id, version: version, uid: uid, action: action, changesJSON: JSONWriter.string(changes), nowMillis: nowMillis)
    }

    /// The same with the changes already encoded.
    static func record(_ db: Database, id: String, version: Int, uid: UInt32, action: String, changesJSON: String, nowMillis: Int64) throws {
        try db.run("INSERT INTO history(delegation_id, version, at_ms, uid, action, changes) VALUES(?,?,?,?,?,?)",
                   [id, version, nowMillis, Int64(uid), action, changesJSON])
    }

    /// The top-level fields that differ between two encodings, as {field: {from, to}}.
    static func diff(_ old: JSONValue, _ new: JSONValue) -> JSONValue {
        guard case .object(let a) = old, case .object(let b) = new else { return ["to": new] }
        var out = JSONObject()
        let ignored: Set<String> = ["version", "updated_at"]
        for key in (a.keys + b.keys.filter { a[$0] == nil }) where !ignored.contains(key) {
            let x = a[key], y = b[key]
            if x != y { out[key] = ["from": x ?? .null, "to": y ?? .null] }
        }
        return .object(out)
    }
}
