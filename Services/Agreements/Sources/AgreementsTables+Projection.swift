import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The agreements service's copy of the visits it links (fed by `delegation.*` events).
extension AgreementsTables {
    /// Stores what a delegation event says of the visit (continent and region from our own
    /// country table, whatever the event carried).
    static func project(_ db: Database, _ d: Delegation, sequence: Int64, nowMillis: Int64) throws {
        let prior: Int64? = try db.queryOne("SELECT last_sequence FROM delegation_projection WHERE id = ?", [d.id])?[
            "last_sequence"
        ]
        let lead = d.draft.lead
        let country = Country.named(lead?.country ?? "")
        let outOfOrder = (prior ?? 0) >= sequence ? 1 : 0
        var seen = Set<String>()
        let continents = d.draft.partners.compactMap { p in Country.named(p.country ?? "")?.continent.rawValue }
            .filter { seen.insert($0).inserted }.joined(separator: ",")
        try db.run(
            """
            INSERT INTO delegation_projection(id, ref, title, partner_name, partner_name_local, partner_kind, country, \
            continent, region,
                starts_at, ends_at, time_zone, status, version, last_sequence, events_applied, out_of_order, \
                updated_ms, date_known, continents)
            VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?)
            ON CONFLICT(id) DO UPDATE SET ref = excluded.ref, title = excluded.title, partner_name = \
            excluded.partner_name,
                partner_name_local = excluded.partner_name_local, partner_kind = excluded.partner_kind, country = \
                excluded.country,
                continent = excluded.continent, region = excluded.region, starts_at = excluded.starts_at, ends_at = \
                excluded.ends_at,
                time_zone = excluded.time_zone, status = excluded.status, version = excluded.version,
                last_sequence = max(last_sequence, excluded.last_sequence), events_applied = events_applied + 1,
                out_of_order = out_of_order + excluded.out_of_order, updated_ms = excluded.updated_ms, date_known = \
                excluded.date_known, continents = excluded.continents
            """,
            [
                d.id, d.ref, d.draft.title, d.draft.partners.map { $0.name ?? "" }.joined(separator: "; "),
                lead?.nameLocal,
                (lead?.kind ?? .other).rawValue, (lead?.country ?? "").uppercased(),
                country?.continent.rawValue ?? d.continent,
                country?.region ?? d.region, d.draft.startsAt.description, d.draft.endsAt.description, d.draft.timeZone,
                d.status.rawValue,
                d.version, sequence, outOfOrder, nowMillis, d.draft.date?.description, continents,
            ]
        )
    }

    /// Projected delegations (one by id or reference), by start then id, after `after` (start, id).
    static func projected(
        _ db: Database,
        id: String?,
        after: (String, String)? = nil,
        limit: Int
    ) throws -> [ProjectedDelegation] {
        var sql = """
            SELECT id, ref, title, partner_name, partner_name_local, country, continent, region, starts_at, ends_at, \
            time_zone, status,
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

    /// Visits not cancelled: id and every partner's continent, each once (the lead's before a
    /// visit's first event since 0.2.0), for the funnel.
    /// The visits not cancelled, counted by their partners' continents as stored (`continents`,
    /// comma-separated, empty when only the lead's `continent` is known).
    static func visitsByContinents(_ db: Database) throws -> [(continent: String, continents: String, visits: Int)] {
        try db.query(
            """
            SELECT continent, continents, count(*) AS n FROM delegation_projection INDEXED BY projection_funnel
            WHERE status != 'cancelled' GROUP BY continent, continents
            """
        ).map { r in (try r["continent"], try r["continents"], try r["n"]) }
    }

    /// Every link an agreement says it `led_to` a visit known here and not cancelled: the
    /// agreement, whether it has activities, and the visit with its continents. From the links'
    /// rows (every agreement's document read through `json_each` was 20 ms of 5,000).
    static func ledTo(_ db: Database) throws -> [(
        agreement: String, active: Bool, visit: String, continent: String, continents: String
    )] {
        try db.query(
            """
            SELECT l.agreement_id AS agreement, json_array_length(a.doc, '$.activities') > 0 AS active,
                p.id AS visit, p.continent AS continent, p.continents AS continents
            FROM agreement_links l JOIN agreements a ON a.id = l.agreement_id
                JOIN delegation_projection p ON p.id = l.delegation_id
            WHERE l.relation = 'led_to' AND p.status != 'cancelled'
            """
        ).map { r in
            (try r["agreement"], (try r["active"] as Int) != 0, try r["visit"], try r["continent"], try r["continents"])
        }
    }
}

extension ProjectedDelegation {
    init(row r: Row) throws {
        var why = ""
        let date: String? = try r["date_known"]
        self.init(
            id: try r["id"],
            ref: try r["ref"],
            title: try r["title"],
            partner: PartnerName(
                name: try r["partner_name"],
                nameLocal: try r["partner_name_local"],
                country: try r["country"]
            ),
            continent: try r["continent"],
            region: try r["region"],
            startsAt: try r["starts_at"],
            endsAt: try r["ends_at"],
            timeZone: try r["time_zone"],
            status: DelegationStatus(rawValue: try r["status"]) ?? .proposed,
            date: date,
            when: date.flatMap { PartialDate.parse($0, why: &why) }?.display,
            version: try r["version"],
            lastSequence: try r["last_sequence"],
            eventsApplied: try r["events_applied"],
            outOfOrder: try r["out_of_order"]
        )
    }
}
