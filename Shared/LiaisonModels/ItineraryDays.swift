import Foundation

/// An itinerary grouped by day, as people read a schedule.
package enum ItineraryDays {
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// "Thursday 12 March 2026".
    package static func dayTitle(_ d: LocalDateTime) -> String {
        let days = LocalDateTime(year: d.year, month: d.month, day: d.day).daysSinceEpoch
        let weekday = Int(((days % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
        return "\(weekdays[weekday]) \(d.day) \(months[d.month - 1]) \(d.year)"
    }

    /// "12 March 2026" or "12–13 March 2026" or "30 March – 2 April 2026".
    package static func span(_ a: LocalDateTime, _ b: LocalDateTime) -> String {
        if a.date == b.date { return "\(a.day) \(months[a.month - 1]) \(a.year)" }
        if a.year == b.year && a.month == b.month { return "\(a.day)–\(b.day) \(months[a.month - 1]) \(a.year)" }
        if a.year == b.year { return "\(a.day) \(months[a.month - 1]) – \(b.day) \(months[b.month - 1]) \(a.year)" }
        return "\(a.day) \(months[a.month - 1]) \(a.year) – \(b.day) \(months[b.month - 1]) \(b.year)"
    }

    /// The items' indices in start order: how `delegation show` numbers them (1, 2, …).
    package static func numbered(_ items: [ItineraryItem]) -> [Int] { group(items).flatMap { $0.items.map(\.index) } }

    /// The items in start order, grouped by their (local) start date; each with its index.
    package static func group(
        _ items: [ItineraryItem]
    ) -> [(day: LocalDateTime, items: [(index: Int, item: ItineraryItem)])] {
        let byDay = Dictionary(grouping: items.enumerated(), by: { $0.element.startsAt.date })
        return byDay.keys.sorted().map { key in
            let list = byDay[key]!.sorted { ($0.element.startsAt, $0.offset) < ($1.element.startsAt, $1.offset) }.map {
                (index: $0.offset, item: $0.element)
            }
            return (list[0].item.startsAt, list)
        }
    }

    /// `09:00–10:30`, with the end's date when it falls on another day.
    package static func times(_ item: ItineraryItem) -> String {
        let end = item.endsAt.date == item.startsAt.date ? item.endsAt.time : item.endsAt.date + " " + item.endsAt.time
        return "\(item.startsAt.time)–\(end)"
    }
}
