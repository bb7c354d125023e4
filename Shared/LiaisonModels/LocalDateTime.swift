import LiaisonJSON
import Foundation
import LiaisonSync

/// A wall-clock time without an offset ("2026-03-12T09:00"), meant in a visit's time zone.
package struct LocalDateTime: Sendable, Hashable, Comparable, WireText {
    package static var wireFormat: String { "local-date-time" }
    package var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    package init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (
            year, month, day, hour, minute, second
        )
    }

    /// Parses `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (a space may replace the T); nil with
    /// `why` set when it is not that form or not a real date.
    package static func parse(_ s: String, why: inout String) -> LocalDateTime? {
        let b = Array(s.utf8)
        func num(_ r: Range<Int>) -> Int? { ASCIIDigits.value(b, r) }
        guard b.count == 16 || b.count == 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A,
            b.count == 16 || b[16] == 0x3A,
            let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16)
        else {
            if s.hasSuffix("Z") || s.range(of: "[+-][0-9]{2}:?[0-9]{2}$", options: .regularExpression) != nil {
                why = "write the local time of the visit's time_zone without an offset, e.g. 2026-03-12T09:00"
            } else {
                why = "expected a local date and time like 2026-03-12T09:00"
            }
            return nil
        }
        let sec = b.count == 19 ? num(17..<19) : 0
        guard let sec, (1...12).contains(mo), (1...Self.daysIn(year: y, month: mo)).contains(d), h < 24, mi < 60,
            sec < 60, y >= 1900,
            y <= 2200
        else {
            why = "\(s) is not a real date and time"
            return nil
        }
        return LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
    }

    /// Days in a month of the Gregorian calendar.
    package static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
    }

    static func pad(_ v: Int, _ w: Int = 2) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }

    /// `YYYY-MM-DDTHH:MM` (with `:SS` when the seconds are not zero).
    package var description: String {
        func twoDigits(_ v: Int) -> Bool { v >= 0 && v <= 99 }
        guard year >= 0 && year <= 9999, twoDigits(month), twoDigits(day), twoDigits(hour), twoDigits(minute),
            twoDigits(second)
        else {
            return "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day))T\(Self.pad(hour)):\(Self.pad(minute))"
                + (second == 0 ? "" : ":\(Self.pad(second))")
        }
        // Digit by digit into the string's own storage: every stored date is written this way,
        // and interpolating five padded numbers was most of encoding a visit's itinerary.
        return String(unsafeUninitializedCapacity: 19) { b in
            b.putDigits(year, width: 4, at: 0)
            b[4] = UInt8(ascii: "-")
            b.putDigits(month, width: 2, at: 5)
            b[7] = UInt8(ascii: "-")
            b.putDigits(day, width: 2, at: 8)
            b[10] = UInt8(ascii: "T")
            b.putDigits(hour, width: 2, at: 11)
            b[13] = UInt8(ascii: ":")
            b.putDigits(minute, width: 2, at: 14)
            guard second != 0 else { return 16 }
            b[16] = UInt8(ascii: ":")
            b.putDigits(second, width: 2, at: 17)
            return 19
        }
    }

    /// The wall time `n` minutes later (earlier when negative), as a clock on the wall would show
    /// it: no time zone, so a change of daylight saving time does not move 09:00.
    package func adding(minutes n: Int) -> LocalDateTime {
        let utc = TimeZone(identifier: "UTC")!
        return LocalDateTime.at(epoch: epochSeconds(in: utc) + Int64(n) * 60, in: utc)
    }

    /// Wall-clock minutes from this time to `other` (negative when it is earlier).
    package func minutes(until other: LocalDateTime) -> Int {
        let utc = TimeZone(identifier: "UTC")!
        return Int(other.epochSeconds(in: utc) - epochSeconds(in: utc)) / 60
    }

    /// `YYYY-MM-DD`.

    package var date: String { "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day))" }

    /// `HH:MM`.
    package var time: String { "\(Self.pad(hour)):\(Self.pad(minute))" }

    /// Days from 1970-01-01 to this date (proleptic Gregorian; Howard Hinnant's algorithm).
    package var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Seconds since the Unix epoch of this wall time read as UTC.
    var naiveEpoch: Int64 { daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second) }

    /// Seconds since the Unix epoch of this wall time in `zone`. A time skipped by a daylight
    /// saving jump is read with the offset before the jump.
    package func epochSeconds(in zone: TimeZone) -> Int64 {
        let naive = naiveEpoch
        let first = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive))))
        let second = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive - first))))
        return naive - second
    }

    /// The wall time in `zone` at `epoch` seconds.
    package static func at(epoch: Int64, in zone: TimeZone) -> LocalDateTime {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: TimeInterval(epoch))
        )
        return LocalDateTime(
            year: c.year!,
            month: c.month!,
            day: c.day!,
            hour: c.hour!,
            minute: c.minute!,
            second: c.second!
        )
    }
}

/// IANA time zones, checked against the system's tz database.
package enum TimeZones {
    nonisolated(unsafe) private static var cache: [String: TimeZone] = [:]
    private static let lock = NSLock()

    /// The zone for an IANA name such as "Asia/Shanghai"; nil for anything else (abbreviations
    /// and offsets included, since they say nothing about daylight saving). Looked up once per name.
    package static func zone(_ name: String) -> TimeZone? {
        if name == defaultName { return defaultZone }  // most visits: no lock, no lookup
        guard name.contains("/") || name == "UTC", name.utf8.count <= 64 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let z = cache[name] { return z }
        guard let z = TimeZone(identifier: name) else { return nil }
        if cache.count < 1000 { cache[name] = z }
        return z
    }

    private static let defaultZone = TimeZone(identifier: defaultName)

    /// The default zone of visits: Beijing.
    package static let defaultName = "Asia/Shanghai"
}
