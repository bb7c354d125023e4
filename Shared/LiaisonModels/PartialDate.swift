import LiaisonJSON
/// A date as precise as what is known of a past record: a year (`2018`), a month (`2024-10`) or
/// a day (`2024-10-22`), optionally approximate (`~2024`: "about 2024", e.g. a relative phrase
/// such as "last year" resolved against the date of the source that used it).
package struct PartialDate: Sendable, Hashable, Comparable, WireText {
    package static var wireFormat: String { "partial-date" }
    package enum Precision: String, Sendable { case year, month, day }

    package var year: Int
    package var month, day: Int?
    package var approximate: Bool

    package init(year: Int, month: Int? = nil, day: Int? = nil, approximate: Bool = false) {
        (self.year, self.month, self.day, self.approximate) = (year, month, day, approximate)
    }

    /// A day-precise date, not approximate.
    package init(_ d: LocalDate) { self.init(year: d.year, month: d.month, day: d.day) }

    package var precision: Precision { day != nil ? .day : (month != nil ? .month : .year) }

    /// The day, when the date is one known day (not approximate).
    package var exactDay: LocalDate? {
        guard let month, let day, !approximate else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    /// The first and last days the date may mean.
    package var first: LocalDate { LocalDate(year: year, month: month ?? 1, day: day ?? 1) }
    package var last: LocalDate {
        let m = month ?? 12
        return LocalDate(year: year, month: m, day: day ?? LocalDateTime.daysIn(year: year, month: m))
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, each optionally after `~`.
    package static func parse(_ s: String, why: inout String) -> PartialDate? {
        let approximate = s.hasPrefix("~")
        let body = approximate ? String(s.dropFirst()) : s
        let parts = body.split(separator: "-", omittingEmptySubsequences: false)
        let expected =
            "expected a year, a month or a day: 2018, 2024-10 or 2024-10-22 (~ in front for an approximate date)"
        guard (1...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } })
        else {
            why = expected
            return nil
        }
        let y = Int(parts[0])!
        guard (1900...2200).contains(y) else {
            why = "\(s): the year must be between 1900 and 2200"
            return nil
        }
        var d = PartialDate(year: y, approximate: approximate)
        if parts.count >= 2 {
            let m = Int(parts[1])!
            guard (1...12).contains(m) else {
                why = "\(s) is not a real month"
                return nil
            }
            d.month = m
        }
        if parts.count == 3 {
            let day = Int(parts[2])!
            guard (1...LocalDateTime.daysIn(year: y, month: d.month!)).contains(day) else {
                why = "\(s) is not a real date"
                return nil
            }
            d.day = day
        }
        return d
    }

    package var description: String {
        var s = (approximate ? "~" : "") + LocalDateTime.pad(year, 4)
        if let month { s += "-" + LocalDateTime.pad(month) }
        if let day { s += "-" + LocalDateTime.pad(day) }
        return s
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// As people write it: `2018`, `Oct 2024`, `22 Oct 2024`; `c. 2024` when approximate.
    package var display: String {
        var s = String(year)
        if let month { s = Self.monthNames[month - 1] + " " + s }
        if let day { s = "\(day) " + s }
        return approximate ? "c. " + s : s
    }

    /// Sorts by the first day it may mean, then the less precise first.
    package static func < (a: PartialDate, b: PartialDate) -> Bool {
        (a.first, a.month == nil ? 0 : 1, a.day == nil ? 0 : 1) < (
            b.first, b.month == nil ? 0 : 1, b.day == nil ? 0 : 1
        )
    }
}

extension PartialDate {
    /// A date from the wire as people read it: a plain day stays `2024-07-09`; a year, a month or
    /// an approximate date reads `2018`, `Oct 2024`, `c. 2013`. Anything else is shown as given.
    package static func shown(_ d: PartialDate?) -> String? { d.map { $0.exactDay?.description ?? $0.display } }

    /// The same for a date given as text.
    package static func shown(_ s: String?) -> String? {
        guard let s else { return nil }
        var why = ""
        guard let d = parse(s, why: &why), d.exactDay == nil else { return s }
        return d.display
    }
}

extension LocalDate {
    /// Whether `d` may mean this day.
    package func within(_ d: PartialDate) -> Bool { d.first <= self && self <= d.last }
}
