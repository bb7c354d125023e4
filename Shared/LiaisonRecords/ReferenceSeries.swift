import LiaisonStore

/// A yearly series of references (`DEL-2027-0001`, `AGR-2027-0001`): its prefix and the table
/// counting it (`year`, `last`).
package struct ReferenceSeries: Sendable {
    package let prefix: String
    package let counters: String

    package init(prefix: String, counters: String) { (self.prefix, self.counters) = (prefix, counters) }

    /// `PREFIX-YYYY-NNNN`.
    package func format(year: Int, _ n: Int) -> String {
        let digits = String(n)
        return "\(prefix)-\(year)-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The next reference of `year`, counted in the caller's transaction.
    package func next(_ db: Database, year: Int) throws -> String {
        let last: Int = try db.queryOne("SELECT last FROM \(counters) WHERE year = ?", [year])?["last"] ?? 0
        try set(db, year: year, last + 1)
        return format(year: year, last + 1)
    }

    private func set(_ db: Database, year: Int, _ last: Int) throws {
        try db.run(
            "INSERT INTO \(counters)(year, last) VALUES(?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last",
            [year, last]
        )
    }

    /// After a restore: every year's counter set past the highest of `held` (the references the
    /// records hold; amendments' suffixes aside) and of the counter, then on to the next hundred,
    /// so that numbers given after the backup and seen by no other service are not given again.
    /// Returns the ranges left unused, as `DEL-2027-0003…0100 left unused`.
    package func skipAfterRestore(_ db: Database, held: [String]) throws -> [String] {
        var highest: [Int: Int] = [:]
        for reference in held {
            let parts = reference.split(separator: "-")
            guard parts.count >= 3, parts[0] == prefix, let year = Int(parts[1]), let n = Int(parts[2]) else {
                continue
            }
            highest[year] = max(highest[year] ?? 0, n)
        }
        for r in try db.query("SELECT year, last FROM \(counters)") {
            let year: Int = try r["year"]
            highest[year] = max(highest[year] ?? 0, try r["last"])
        }
        var skipped: [String] = []
        for (year, n) in highest.sorted(by: { $0.key < $1.key }) {
            let next = (n / 100 + 1) * 100
            try set(db, year: year, next)
            skipped.append("\(format(year: year, n + 1))…\(format(year: year, next).suffix(4)) left unused")
        }
        return skipped
    }
}
