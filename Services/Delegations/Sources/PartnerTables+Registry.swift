import LiaisonStore

/// The registry report's counting.
extension PartnerTables {
    /// How many visits name each entry, kept by triggers as links come and go: the registry
    /// report counted every link by an index (24 ms of its 70 – 130 at 100,000 visits). Links
    /// are written only when a visit's partners change (`saveLinks`), so the triggers cost the
    /// everyday change nothing.
    static let linkCountsSQL = """
        CREATE TABLE partner_link_counts(partner_id TEXT PRIMARY KEY, visits INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO partner_link_counts(partner_id, visits)
            SELECT partner_id, count(*) FROM delegation_partners GROUP BY partner_id;
        CREATE TRIGGER delegation_partners_counted AFTER INSERT ON delegation_partners BEGIN
            INSERT INTO partner_link_counts(partner_id, visits) VALUES(new.partner_id, 1)
                ON CONFLICT(partner_id) DO UPDATE SET visits = visits + 1;
        END;
        CREATE TRIGGER delegation_partners_uncounted AFTER DELETE ON delegation_partners BEGIN
            UPDATE partner_link_counts SET visits = visits - 1 WHERE partner_id = old.partner_id;
        END;
        """

    /// The registry counted in rows: `key` gives each (country, kind) its row (a continent, a
    /// country, a kind). Per row, the entries, those a visit names, and the visits naming one of
    /// them (a joint visit once per row); and the visits naming any entry. Each entry's links are
    /// counted as they come and go (`partner_link_counts`); the joint visits alone (those with a
    /// link that is not their lead's, by a partial index) come back link by link, and give back
    /// what they counted twice.
    static func registryCounts(
        _ db: Database,
        key: (String, String) -> String
    ) throws -> (rows: [String: (partners: Int, withVisits: Int, visits: Int)], visits: Int) {
        // Rows by number while counting: tens of thousands of links, a few hundred rows.
        var keys: [String] = [], numberOf: [String: Int] = [:]
        var counts: [(partners: Int, withVisits: Int, visits: Int)] = []
        var rowOf: [String: Int] = [:]
        for r in try db.query(
            "SELECT id, country, kind FROM partners INDEXED BY partners_by_status WHERE status = 'active'"
        ) {
            let k = key(try r["country"], try r["kind"])
            let n: Int
            if let known = numberOf[k] {
                n = known
            } else {
                n = keys.count
                numberOf[k] = n
                keys.append(k)
                counts.append((0, 0, 0))
            }
            rowOf[try r["id"] as String] = n
            counts[n].partners += 1
        }
        var visits = 0
        for r in try db.query("SELECT partner_id, visits AS n FROM partner_link_counts WHERE visits > 0") {
            guard let k = rowOf[try r["partner_id"] as String] else { continue }
            let n: Int = try r["n"]
            counts[k].withVisits += 1
            counts[k].visits += n
            visits += n
        }
        // A joint visit naming several entries of one row counted once per entry: give it back.
        var visit = "", inRows: [Int] = [], named = 0
        func settle() {
            inRows.sort()
            var i = 0
            while i < inRows.count {
                var j = i + 1
                while j < inRows.count && inRows[j] == inRows[i] { j += 1 }
                counts[inRows[i]].visits -= j - i - 1
                i = j
            }
            if named > 1 { visits -= named - 1 }
        }
        for r in try db.query(
            """
            SELECT delegation_id, partner_id FROM delegation_partners
            WHERE delegation_id IN (SELECT delegation_id FROM delegation_partners WHERE lead = 0)
            ORDER BY delegation_id
            """
        ) {
            let d: String = try r["delegation_id"]
            if d != visit {
                settle()
                (visit, named) = (d, 0)
                inRows.removeAll(keepingCapacity: true)
            }
            guard let k = rowOf[try r["partner_id"] as String] else { continue }
            inRows.append(k)
            named += 1
        }
        settle()
        var out: [String: (partners: Int, withVisits: Int, visits: Int)] = [:]
        for (n, k) in keys.enumerated() { out[k] = counts[n] }
        return (out, visits)
    }

    /// The links of joint visits (every link but a lead's), for the registry report.
    static let jointLinksSQL =
        "CREATE INDEX delegation_partners_joint ON delegation_partners(delegation_id) WHERE lead = 0;"
}
