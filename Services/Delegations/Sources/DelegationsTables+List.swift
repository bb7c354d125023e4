import Foundation
import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The list of visits: a page by the filters, in order of start.
extension DelegationsTables {
    /// A page of delegations matching `f`, ordered by start then id; one row more than `limit`
    /// tells that another page follows.
    static func list(_ db: Database, _ f: ListFilter, limit: Int) throws -> [(summary: [UInt8], cursor: String)] {
        // Every filter but the country, as conditions on a visit's row.
        var cond = ""
        var args: [any SQLBindable] = []
        if let s = f.status { cond += " AND status = ?"; args.append(s.rawValue) }
        if let c = f.continent { cond += " AND continent = ?"; args.append(c) }
        if let r = f.region { cond += " AND region = ?"; args.append(r) }
        if let k = f.kind { cond += " AND partner_kind = ?"; args.append(k.rawValue) }
        if let d = f.direction { cond += " AND direction = ?"; args.append(d.rawValue) }
        if let from = f.endsFrom { cond += " AND ends_utc >= ?"; args.append(from) }
        if let to = f.startsBefore { cond += " AND starts_utc < ?"; args.append(to) }
        let search = searchCondition(f.words)
        cond += search.sql
        args += search.args
        if let (s, id) = f.after { cond += " AND (starts_utc > ? OR (starts_utc = ? AND id > ?))"; args += [s, s, id] }
        var sql = "SELECT summary, starts_utc, id FROM delegations WHERE 1=1\(cond)"
        var all = args
        if let c = f.country?.uppercased() {
            // A joint visit is found by every partner's country, not only the lead's. The page
            // of the lead's country comes in order from an index (country, start, id); the joint
            // visits, by the joint links of that country's entries (both by index). Their
            // summaries are read for the page alone.
            sql = """
                SELECT summary, starts_utc, id FROM delegations WHERE id IN (
                    SELECT id FROM (SELECT id FROM delegations INDEXED BY delegations_by_country_start
                        WHERE country = ?\(cond) ORDER BY starts_utc, id LIMIT ?)
                    UNION ALL
                    SELECT id FROM delegations WHERE id IN (SELECT dp.delegation_id FROM delegation_partners dp
                        WHERE dp.partner_id IN (SELECT id FROM partners WHERE upper(country) = ?) AND dp.lead = 0)
                        \(cond))
                """
            all = [c] + args + [limit + 1, c] + args
        }
        sql += " ORDER BY starts_utc, id LIMIT ?"
        all.append(limit + 1)
        return try db.query(sql, all).map { r in
            let start: Int64 = try r["starts_utc"], id: String = try r["id"]
            return (try r["summary"] as [UInt8], KeyedCursor.make(String(start), id))
        }
    }
}

/// What `delegations.list` filters by, in the columns' terms.
struct ListFilter {
    var status: DelegationStatus?
    var country, continent, region: String?
    var kind: PartnerKind?
    var direction: Direction?
    /// Visits ending at or after this (epoch seconds).
    var endsFrom: Int64?
    /// Visits starting before this (epoch seconds).
    var startsBefore: Int64?
    /// Lowercased words, each of which must appear.
    var words: [String] = []
    /// The last row of the previous page (start, id).
    var after: (Int64, String)?
}
