import Glibc
import LiaisonWire

/// Wall-clock times as Liaison writes them: RFC 3339, UTC, milliseconds.
package enum Timestamp {
    /// e.g. `2026-03-01T09:00:00.000Z`.
    package static func rfc3339(millis: Int64 = wallClockMillis()) -> String {
        var t = time_t(millis / 1000)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let date = "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))"
        let time = "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))"
        return "\(date)T\(time)Z"
    }
}
