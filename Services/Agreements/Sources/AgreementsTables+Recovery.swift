import LiaisonStore

/// What a recovery from a restore changes in the reference counters.
extension AgreementsTables {
    /// Every year's counter set past the highest reference its agreements hold (renewals and
    /// amendments aside), then on to the next hundred: numbers given after the backup and seen
    /// by no other service are not given again. Returns the ranges left unused.
    static func skipReferencesAfterRestore(_ db: Database) throws -> [String] {
        var highest: [Int: Int] = [:]
        for r in try db.query("SELECT reference FROM agreements") {
            let parts = (try r["reference"] as String).split(separator: "-")
            guard parts.count >= 3, parts[0] == "AGR", let year = Int(parts[1]), let n = Int(parts[2]) else { continue }
            highest[year] = max(highest[year] ?? 0, n)
        }
        for r in try db.query("SELECT year, last FROM agreement_refs") {
            let year: Int = try r["year"]
            highest[year] = max(highest[year] ?? 0, try r["last"])
        }
        var skipped: [String] = []
        for (year, n) in highest.sorted(by: { $0.key < $1.key }) {
            let next = (n / 100 + 1) * 100
            try db.run(
                """
                INSERT INTO agreement_refs(year, last) VALUES(?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last
                """,
                [year, next]
            )
            let pad = { (n: Int) in String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }
            skipped.append("AGR-\(year)-\(pad(n + 1))…\(pad(next)) left unused")
        }
        return skipped
    }
}
