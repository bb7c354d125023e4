import LiaisonStore

/// What a recovery from a restore changes in the reference counters.
extension DelegationsTables {
    /// Every year's counter set past the highest reference its visits hold, then on to the next
    /// hundred: numbers given after the backup to visits no other service saw (proposed, never
    /// announced) are not given again. Returns the ranges left unused, as `DEL-2027-0003…0100`.
    static func skipReferencesAfterRestore(_ db: Database) throws -> [String] {
        var highest: [Int: Int] = [:]
        for r in try db.query("SELECT ref FROM delegations") {
            let parts = (try r["ref"] as String).split(separator: "-")
            guard parts.count == 3, let year = Int(parts[1]), let n = Int(parts[2]) else { continue }
            highest[year] = max(highest[year] ?? 0, n)
        }
        for r in try db.query("SELECT year, last FROM refs") {
            let year: Int = try r["year"]
            highest[year] = max(highest[year] ?? 0, try r["last"])
        }
        var skipped: [String] = []
        for (year, n) in highest.sorted(by: { $0.key < $1.key }) {
            let next = (n / 100 + 1) * 100
            try db.run(
                "INSERT INTO refs(year, last) VALUES(?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last",
                [year, next]
            )
            skipped.append("DEL-\(year)-\(pad(n + 1))…\(pad(next)) left unused")
        }
        return skipped
    }

    static func pad(_ n: Int) -> String {
        let d = String(n)
        return String(repeating: "0", count: max(0, 4 - d.count)) + d
    }
}
