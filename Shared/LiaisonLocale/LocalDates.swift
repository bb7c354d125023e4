import LiaisonModels

/// Dates and times as a language writes them: month and weekday names, its order, its era
/// (Thailand's Buddhist year), always the 24-hour clock.
extension Catalogue {
    /// A day with its weekday: "Thursday 12 March 2026", "2026年3月12日（星期四）".
    package func day(_ d: LocalDateTime) -> String {
        self("date.day", fields(d, suffix: ""))
    }

    /// A day without its weekday: "12 March 2026".
    package func date(_ d: LocalDateTime) -> String { self("date.date", fields(d, suffix: "")) }

    /// The days from `a` to `b`: one day, days of one month, of one year, or across years.
    package func span(_ a: LocalDateTime, _ b: LocalDateTime) -> String {
        if a.date == b.date { return date(a) }
        let both = fields(a, suffix: "").merging(fields(b, suffix: "2")) { x, _ in x }
        if a.year == b.year && a.month == b.month { return self("date.span.month", both) }
        if a.year == b.year { return self("date.span.year", both) }
        return self("date.span", both)
    }

    /// A session's times, "09:00–10:30", with the end's day when it ends on another.
    package func times(_ item: ItineraryItem) -> String {
        let end = item.endsAt.date == item.startsAt.date ? item.endsAt.time : "\(date(item.endsAt)) \(item.endsAt.time)"
        return "\(item.startsAt.time)–\(end)"
    }

    /// A session's day and times: "Tuesday 2 March 2027 14:00–15:00".
    package func when(_ item: ItineraryItem) -> String { "\(day(item.startsAt)) \(times(item))" }

    func fields(_ d: LocalDateTime, suffix s: String) -> [String: String] {
        let days = LocalDateTime(year: d.year, month: d.month, day: d.day).daysSinceEpoch
        let monday0 = Int(((days % 7) + 7 + 3) % 7)  // 1970-01-01 was a Thursday
        return [
            "day" + s: String(d.day), "month" + s: months[d.month - 1], "year" + s: String(d.year + yearOffset),
            "weekday" + s: weekdays[monday0], "month_number" + s: String(d.month),
        ]
    }
}
