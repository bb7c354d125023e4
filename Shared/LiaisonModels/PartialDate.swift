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
    /// Some time from this date through `through` (EDTF's `2020/2025`): "in recent years".
    package var through: Bound?
    /// No earlier bound: some time up to and including this date (EDTF's `../2025-05`), e.g.
    /// "recently" in an article of May 2025. Placed at the date it names.
    package var byThen: Bool = false

    /// The later end of a range: a year, a month or a day.
    package struct Bound: Sendable, Hashable {
        package var year: Int
        package var month, day: Int?
    }

    package init(year: Int, month: Int? = nil, day: Int? = nil, approximate: Bool = false) {
        (self.year, self.month, self.day, self.approximate) = (year, month, day, approximate)
    }

    /// Whether it is a range (`2020/2025`) or has no earlier bound (`../2025-05`): forms 0.1.0
    /// cannot read (`approximateYear` is what it is given instead).
    package var isRange: Bool { through != nil || byThen }

    /// The latest year it may mean, approximate: what a reader of plain dates is given for a range.
    package var approximateYear: PartialDate { PartialDate(year: through?.year ?? year, approximate: true) }

    /// A day-precise date, not approximate.
    package init(_ d: LocalDate) { self.init(year: d.year, month: d.month, day: d.day) }

    package var precision: Precision { day != nil ? .day : (month != nil ? .month : .year) }

    /// The day, when the date is one known day (not approximate).
    package var exactDay: LocalDate? {
        guard let month, let day, !approximate, !isRange else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    /// The first and last days the date may mean.
    package var first: LocalDate { LocalDate(year: year, month: month ?? 1, day: day ?? 1) }
    package var last: LocalDate {
        let (y, month, day) = through.map { ($0.year, $0.month, $0.day) } ?? (year, self.month, self.day)
        let m = month ?? 12
        return LocalDate(year: y, month: m, day: day ?? LocalDateTime.daysIn(year: y, month: m))
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, each optionally after `~`; or a range of two
    /// such dates (`2020/2025`, `2024-10/2025-03`) or one with no earlier bound (`../2025-05`).
    package static func parse(_ s: String, why: inout String) -> PartialDate? {
        guard let slash = s.firstIndex(of: "/") else { return parseOne(s, why: &why) }
        let (a, b) = (String(s[..<slash]), String(s[s.index(after: slash)...]))
        guard !a.hasPrefix("~"), !b.hasPrefix("~") else {
            why = "\(s): a range is not approximate (no ~); its two ends say how far it is known"
            return nil
        }
        guard let end = parseOne(b, why: &why) else { return nil }
        let bound = Bound(year: end.year, month: end.month, day: end.day)
        if a == ".." {
            var d = end
            d.byThen = true
            return d
        }
        guard var d = parseOne(a, why: &why) else { return nil }
        guard d.first <= end.first, d != end else {
            why = "\(s): the range must end after it starts"
            return nil
        }
        d.through = bound
        return d
    }

    private static func parseOne(_ s: String, why: inout String) -> PartialDate? {
        let approximate = s.hasPrefix("~")
        let body = approximate ? String(s.dropFirst()) : s
        let parts = body.split(separator: "-", omittingEmptySubsequences: false)
        let expected =
            "expected a year, a month or a day: 2018, 2024-10 or 2024-10-22 (~ in front for an approximate date), "
            + "or a range: 2020/2025, ../2025-05 (by May 2025)"
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
        func text(_ year: Int, _ month: Int?, _ day: Int?) -> String {
            var s = LocalDateTime.pad(year, 4)
            if let month { s += "-" + LocalDateTime.pad(month) }
            if let day { s += "-" + LocalDateTime.pad(day) }
            return s
        }
        if byThen { return "../" + text(year, month, day) }
        if let through { return text(year, month, day) + "/" + text(through.year, through.month, through.day) }
        return (approximate ? "~" : "") + text(year, month, day)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// As people write it: `2018`, `Oct 2024`, `22 Oct 2024`; `c. 2024` when approximate.
    /// A range as `2020–2025` or `Oct 2024 – Mar 2025`; `by May 2025` with no earlier bound.
    package var display: String {
        func text(_ year: Int, _ month: Int?, _ day: Int?) -> String {
            var s = String(year)
            if let month { s = Self.monthNames[month - 1] + " " + s }
            if let day { s = "\(day) " + s }
            return s
        }
        let s = text(year, month, day)
        if byThen { return "by " + s }
        if let t = through {
            let end = text(t.year, t.month, t.day)
            return month == nil && t.month == nil ? s + "–" + end : s + " – " + end
        }
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
