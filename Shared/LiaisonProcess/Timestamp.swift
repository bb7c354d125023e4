import Glibc
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// Wall-clock times as Liaison writes them: RFC 3339, UTC, milliseconds.
package enum Timestamp {
    /// e.g. `2026-03-01T09:00:00.000Z`.
    /// `20261204T221500Z`: a UTC second as a file name sorts.
    package static func compact(millis: Int64) -> String {
        let full = rfc3339(millis: millis)  // 2026-12-04T22:15:00.123Z
        return full.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
    }

    package static func rfc3339(millis: Int64 = wallClockMillis()) -> String {
        var t = time_t(millis / 1000)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let year = Int(tm.tm_year) + 1900
        guard millis >= 0, year <= 9999 else {
            let date = "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))"
            let time = "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))"
            return "\(date)T\(time)Z"
        }
        // Digit by digit into the string's own storage (every event, history row and update
        // stamps one): `YYYY-MM-DDTHH:MM:SS.mmmZ`.
        return String(unsafeUninitializedCapacity: 24) { b in
            b.putDigits(year, width: 4, at: 0)
            b.putDigits(Int(tm.tm_mon) + 1, width: 2, at: 5)
            b.putDigits(Int(tm.tm_mday), width: 2, at: 8)
            b.putDigits(Int(tm.tm_hour), width: 2, at: 11)
            b.putDigits(Int(tm.tm_min), width: 2, at: 14)
            b.putDigits(Int(tm.tm_sec), width: 2, at: 17)
            b.putDigits(Int(millis % 1000), width: 3, at: 20)
            // - - T : : . Z
            (b[4], b[7], b[10], b[13], b[16], b[19], b[23]) = (0x2D, 0x2D, 0x54, 0x3A, 0x3A, 0x2E, 0x5A)
            return 24
        }
    }
}
