import LiaisonJSON
import Foundation

/// A calendar date without a time ("2024-07-09"), as agreements are dated.
package struct LocalDate: Sendable, Hashable, Comparable, WireText {
    package static var wireFormat: String { "date" }
    package var year: Int, month: Int, day: Int

    package init(year: Int, month: Int, day: Int) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Parses `YYYY-MM-DD`; nil (with `why`) otherwise.
    package static func parse(_ s: String, why: inout String) -> LocalDate? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else {
            why = "expected a date like 2024-07-09"
            return nil
        }
        guard (1...12).contains(m), (1...LocalDateTime.daysIn(year: y, month: m)).contains(d), (1900...2200).contains(y)
        else {
            why = "\(s) is not a real date"
            return nil
        }
        return LocalDate(year: y, month: m, day: d)
    }

    /// The date in UTC at `millis`.
    package static func utc(millis: Int64) -> LocalDate {
        let t = LocalDateTime.at(epoch: millis / 1000, in: TimeZone(identifier: "UTC")!)
        return LocalDate(year: t.year, month: t.month, day: t.day)
    }

    /// Days since 1970-01-01.
    package var dayNumber: Int64 { LocalDateTime(year: year, month: month, day: day).daysSinceEpoch }

    /// The date `n` days later (earlier when negative).
    /// Saturates at 1600-01-01 and 9999-12-31 rather than overflowing.
    package func adding(days n: Int) -> LocalDate {
        let (sum, over) = dayNumber.addingReportingOverflow(Int64(n))
        let day = over ? (n < 0 ? Self.firstDay : Self.lastDay) : min(max(sum, Self.firstDay), Self.lastDay)
        let t = LocalDateTime.at(epoch: day * 86_400, in: TimeZone(identifier: "UTC")!)
        return LocalDate(year: t.year, month: t.month, day: t.day)
    }

    /// Day numbers of 1600-01-01 and 9999-12-31, the range date arithmetic stays in (all
    /// Gregorian, as every date this code reads is).
    static let firstDay = LocalDateTime(year: 1600, month: 1, day: 1).daysSinceEpoch
    static let lastDay = LocalDateTime(year: 9999, month: 12, day: 31).daysSinceEpoch

    /// The same day `n` months later, clamped to the month's last day (and to years 1600 to 9999).
    package func adding(months n: Int) -> LocalDate {
        let limit = 9999 * 12
        let total = min(max(year * 12 + (month - 1) + max(min(n, limit), -limit), 1600 * 12), limit + 11)
        let y = total / 12, m = total % 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDateTime.daysIn(year: y, month: m)))
    }

    /// Days from `self` to `other`.
    package func days(until other: LocalDate) -> Int { Int(other.dayNumber - dayNumber) }

    package static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    package var description: String {
        "\(LocalDateTime.pad(year, 4))-\(LocalDateTime.pad(month))-\(LocalDateTime.pad(day))"
    }
}
