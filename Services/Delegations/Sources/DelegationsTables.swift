import Foundation
import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The delegations service's tables and every statement over them. Each method runs inside a
/// caller's transaction or read.
struct DelegationsTables: RecordTable {
    static let migrations: [Database.Migration] = [
        .init(
            1,
            """
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
            \(history.createSQL(sealed: false))
            """
        ),
        PartnerTables.migration,
        .init(3, history.addSealSQL, data: { db in try history.sealAll(db) }),
        .init(4, "ALTER TABLE delegations ADD COLUMN purged_ms INTEGER;"),
        .init(
            5,
            "ALTER TABLE delegations ADD COLUMN summary TEXT NOT NULL DEFAULT '';",
            data: { db in
                for r in try db.query("SELECT id, doc FROM delegations") {
                    let d = try JSONDecoding.decode(Delegation.self, from: try r["doc"] as [UInt8])
                    try db.run(
                        "UPDATE delegations SET summary = ? WHERE id = ?",
                        [summaryText(d), try r["id"] as String]
                    )
                }
            }
        ),
        // Rows of imports too large for one call (delegations.import_stage).
        .init(6, ImportStaging.createSQL),
        // Each history row seals the digest of the record it left (a record edited in place is found).
        .init(
            7,
            "",
            data: { db in
                try history.addState(db)
                try PartnerTables.history.addState(db)
            }
        ),
        // Free-text search through an FTS5 index instead of reading every visit.
        .init(8, searchSQL),
        // Retention's pages along an index of the finished visits not yet purged.
        .init(9, endedIndexSQL),
        // The registry report counts joint visits' links apart (1.3 s, then 463 ms, at 100,000 visits).
        .init(10, PartnerTables.jointLinksSQL),
        // A country's page in order from the index (53 ms at 100,000 visits, read and sorted).
        .init(
            11,
            """
            CREATE INDEX delegations_by_country_start ON delegations(country, starts_utc, id);
            DROP INDEX delegations_by_country;
            """
        ),
        // The index is written again only when the search text changed (it fired on every update).
        .init(12, searchUpdateSQL),
        // A country's joint visits: its entries by an index, their joint links by another.
        .init(13, PartnerTables.countryLinksSQL),
        // Each entry's visits counted as links come and go (the registry report counted them all).
        .init(14, PartnerTables.linkCountsSQL),
    ]

    /// States whose itineraries hold venues and hosts.
    static let booking: Set<DelegationStatus> = [.proposed, .confirmed, .inProgress]

    /// The audit trail.
    static let history = History(
        table: "history",
        idColumn: "delegation_id",
        index: "history_by_delegation",
        records: "delegations"
    )

    var history: History { Self.history }

    static func load(_ db: Database, idOrRef: String) throws -> Delegation? {
        try loadWithTree(db, idOrRef: idOrRef)?.0
    }

    /// The delegation and its stored JSON text (the "before" of a change's history entry).
    static func loadWithTree(_ db: Database, idOrRef: String) throws -> (Delegation, JSONValue)? {
        try loadText(db, idOrRef: idOrRef).map { ($0.0, .encoded($0.1)) }
    }

    /// The delegation and its stored text.
    static func loadText(_ db: Database, idOrRef: String) throws -> (Delegation, [UInt8])? {
        let sql =
            idOrRef.hasPrefix("DEL-")
            ? "SELECT doc FROM delegations WHERE ref = ?" : "SELECT doc FROM delegations WHERE id = ?"
        guard let row = try db.queryOne(sql, [idOrRef]) else { return nil }
        let doc: [UInt8] = try row["doc"]
        return (try JSONDecoding.decode(Delegation.self, from: doc), doc)
    }

    static func load(_ db: Database, externalKey: String) throws -> Delegation? {
        guard let row = try db.queryOne("SELECT doc FROM delegations WHERE external_key = ?", [externalKey]) else {
            return nil
        }
        return try JSONDecoding.decode(Delegation.self, from: try row["doc"] as [UInt8])
    }

    func load(_ db: Database, _ idOrRef: String) throws -> (Delegation, JSONValue, [UInt8])? {
        try Self.loadText(db, idOrRef: idOrRef).map { ($0.0, .encoded($0.1), $0.1) }
    }

    func prepare(_ record: Delegation, tree: JSONValue) -> Prepared { Prepared(record, tree: tree) }

    func storedText(_ prepared: Prepared) -> String { prepared.doc }

    func insert(_ db: Database, _ prepared: Prepared, nowMillis: Int64) throws {
        try Self.save(db, prepared, insert: true, nowMillis: nowMillis)
    }

    func update(_ db: Database, _ prepared: Prepared, nowMillis: Int64) throws {
        try Self.save(db, prepared, insert: false, nowMillis: nowMillis)
    }

    /// The document, the columns lists filter on and the search text; not the version, the
    /// update time or the bookings (a refresh changes what others own: a partner's name).
    func refresh(_ db: Database, _ row: Prepared) throws {
        let d = row.d
        try db.run(
            """
            UPDATE delegations SET partner_kind = ?, country = ?, continent = ?, region = ?, search = ?, doc = ?, \
            summary = ?
            WHERE id = ?
            """,
            [
                (d.draft.lead?.kind ?? .other).rawValue, (d.draft.lead?.country ?? "").uppercased(), d.continent,
                d.region, row.search,
                row.doc, row.summary, d.id,
            ]
        )
        try PartnerTables.saveLinks(db, d)
    }

    /// The stored text of the delegation with this id or reference.
    static func document(_ db: Database, idOrRef: String) throws -> [UInt8]? {
        let sql =
            idOrRef.hasPrefix("DEL-")
            ? "SELECT doc FROM delegations WHERE ref = ?" : "SELECT doc FROM delegations WHERE id = ?"
        return try db.queryOne(sql, [idOrRef])?["doc"]
    }

    /// The next reference number for a visit starting in `year`.
    static func nextRef(_ db: Database, year: Int) throws -> String { try references.next(db, year: year) }

    /// A delegation's row and bookings, worked out before the write transaction so that the
    /// writer spends its time on SQL only.
    struct Prepared {
        var d: Delegation
        /// The delegation, and the row `delegations.list` answers with, as JSON text.
        var doc, search, summary: String
        var start, end: Int64
        var bookings: [Booking]

        /// `tree` is `d` encoded.
        init(_ d: Delegation, tree: JSONValue) {
            self.d = d
            let zone = d.draft.zone
            start = d.draft.startsAt.epochSeconds(in: zone)
            end = d.draft.endsAt.epochSeconds(in: zone)
            doc = JSONWriter.string(tree)
            search = DelegationsTables.searchText(d)
            summary = DelegationsTables.summaryText(d)
            bookings =
                DelegationsTables.booking.contains(d.status)
                ? ItineraryChecker.bookings(of: d.draft, id: d.id, ref: d.ref) : []
        }
    }

    /// Inserts or replaces the delegation row and its bookings; `tree` is `d` encoded.
    static func save(_ db: Database, _ d: Delegation, tree: JSONValue, insert: Bool, nowMillis: Int64) throws {
        try save(db, Prepared(d, tree: tree), insert: insert, nowMillis: nowMillis)
    }

    /// Inserts or replaces a prepared row and its bookings.
    static func save(_ db: Database, _ row: Prepared, insert: Bool, nowMillis: Int64) throws {
        let d = row.d
        if insert {
            try db.run(
                """
                INSERT INTO delegations(id, ref, external_key, version, status, direction, partner_kind, country, \
                continent, region,
                    starts_utc, ends_utc, search, doc, created_ms, updated_ms, summary) \
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """,
                [
                    d.id, d.ref, d.draft.externalKey, d.version, d.status.rawValue, d.draft.direction.rawValue,
                    (d.draft.lead?.kind ?? .other).rawValue,
                    (d.draft.lead?.country ?? "").uppercased(), d.continent, d.region, row.start, row.end, row.search,
                    row.doc, nowMillis,
                    nowMillis, row.summary,
                ]
            )
        } else {
            let status = d.status.rawValue, country = (d.draft.lead?.country ?? "").uppercased()
            // Most changes leave the indexed columns (status, country, start) as they were: an
            // UPDATE that does not set them leaves their indexes' pages alone. It matches no row
            // when one of them changes, and the whole row is written then.
            let unindexed = try db.run(
                """
                UPDATE delegations SET version = ?, direction = ?, partner_kind = ?, continent = ?, region = ?, \
                ends_utc = ?, search = ?,
                    doc = ?, updated_ms = ?, summary = ? WHERE id = ? AND status = ? AND country = ? AND starts_utc = ?
                """,
                [
                    d.version, d.draft.direction.rawValue, (d.draft.lead?.kind ?? .other).rawValue, d.continent,
                    d.region, row.end,
                    row.search, row.doc, nowMillis, row.summary, d.id, status, country, row.start,
                ]
            )
            if unindexed == 0 {
                try db.run(
                    """
                    UPDATE delegations SET version = ?, status = ?, direction = ?, partner_kind = ?, country = ?, \
                    continent = ?, region = ?,
                        starts_utc = ?, ends_utc = ?, search = ?, doc = ?, updated_ms = ?, summary = ? WHERE id = ?
                    """,
                    [
                        d.version, status, d.draft.direction.rawValue, (d.draft.lead?.kind ?? .other).rawValue, country,
                        d.continent,
                        d.region, row.start, row.end, row.search, row.doc, nowMillis, row.summary, d.id,
                    ]
                )
            }
        }
        try PartnerTables.saveLinks(db, d)
        // A change that leaves the sessions as they were writes none of them.
        func text(
            _ item: Int,
            _ start: Int64,
            _ end: Int64,
            _ venue: String?,
            _ hosts: String,
            _ title: String
        ) -> String {
            "\(item)\u{0}\(start)\u{0}\(end)\u{0}\(venue ?? "\u{1}")\u{0}\(hosts)\u{0}\(title)"
        }
        let stored = try db.query(
            "SELECT item, starts_utc, ends_utc, venue, hosts, title FROM bookings WHERE delegation_id = ?",
            [d.id]
        )
        .map { r in
            text(try r["item"], try r["starts_utc"], try r["ends_utc"], try r["venue"], try r["hosts"], try r["title"])
        }
        let wanted = row.bookings.map { b in
            text(b.item, b.start, b.end, b.venue, b.hosts.joined(separator: "\n"), b.itemTitle)
        }
        if Set(stored) == Set(wanted) && stored.count == wanted.count { return }
        try db.run("DELETE FROM bookings WHERE delegation_id = ?", [d.id])
        for b in row.bookings {
            try db.run(
                "INSERT INTO bookings(delegation_id, item, starts_utc, ends_utc, venue, hosts, title) "
                    + "VALUES(?,?,?,?,?,?,?)",
                [d.id, b.item, b.start, b.end, b.venue, b.hosts.joined(separator: "\n"), b.itemTitle]
            )
        }
    }

    /// The row `delegations.list` answers with, as JSON text (kept beside the document so that a
    /// list decodes nothing).
    static func summaryText(_ d: Delegation) -> String { JSONEncoding.string(DelegationSummary(d)) }

    /// What free-text search looks in, lowercased.
    static func searchText(_ d: Delegation) -> String {
        var parts = [d.ref, d.draft.title, d.draft.purpose ?? "", d.countryName]
        parts += d.draft.partners.flatMap { [$0.name ?? "", $0.nameLocal ?? ""] }
        parts += d.draft.groups.map(\.description)
        parts += d.draft.topics
        parts += d.draft.members.flatMap { [$0.name, $0.nameLocal ?? "", $0.title ?? ""] }
        parts += d.draft.hosts.map(\.name)
        return parts.filter { !$0.isEmpty }.joined(separator: "\n").lowercased()
    }

    /// Other delegations' bookings overlapping [start, end).
    static func bookings(
        _ db: Database,
        overlapping start: Int64,
        _ end: Int64,
        excluding id: String?
    ) throws -> [Booking] {
        try db.query(
            """
            SELECT b.delegation_id, d.ref, json_extract(d.doc, '$.title') AS delegation_title, b.item, b.title, \
            b.starts_utc, b.ends_utc,
                b.venue, b.hosts, d.status
            FROM bookings b JOIN delegations d ON d.id = b.delegation_id
            WHERE b.starts_utc < ? AND b.ends_utc > ? AND b.delegation_id != ?
            """,
            [end, start, id ?? ""]
        ).map(Booking.init(row:))
    }
}

extension Booking {
    init(row r: LiaisonStore.Row) throws {
        let hosts: String? = try r["hosts"]
        self.init(
            delegationID: try r["delegation_id"],
            delegationRef: try r["ref"],
            delegationTitle: try r["delegation_title"] ?? "",
            item: try r["item"],
            itemTitle: try r["title"],
            start: try r["starts_utc"],
            end: try r["ends_utc"],
            venue: try r["venue"],
            hosts: (hosts ?? "").split(separator: "\n").map(String.init),
            tentative: (try r["status"] as String) == "proposed"
        )
    }
}
