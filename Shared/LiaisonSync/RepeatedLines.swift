/// Log lines that a flood repeats (a refusal per connection, per forged event) said once per
/// key and interval: the first at once, the next ones counted, and the count said with the
/// first line after the interval (or by `due`, for a caller with a timer). 12,630 refusals in
/// two seconds pushed everything else out of the supervisor's ring of 20,000 lines.
package final class RepeatedLines: Sendable {
    private struct Entry {
        var since: UInt64
        var held: Int
        var fields: [(String, String)]
    }

    private let intervalNanos: UInt64
    private let maxKeys: Int
    private let entries = Locked<[String: Entry]>([:])

    package init(intervalMs: Int = 10_000, maxKeys: Int = 1024) {
        intervalNanos = UInt64(max(intervalMs, 1)) * 1_000_000
        self.maxKeys = maxKeys
    }

    /// Whether a line of `key` is said now: nil when it is held back (counted); else how many
    /// were held back since the last one said (0 when none).
    package func admit(_ key: String, fields: [(String, String)] = [], nowNanos: UInt64) -> Int? {
        entries.withLock { e in
            if var entry = e[key], nowNanos - entry.since < intervalNanos {
                entry.held += 1
                entry.fields = fields
                e[key] = entry
                return nil
            }
            let held = e[key]?.held ?? 0
            if e.count >= maxKeys && e[key] == nil {
                // Many callers at once: forget the quiet ones rather than grow.
                e = e.filter { nowNanos - $0.value.since < intervalNanos }
                if e.count >= maxKeys { return held }
            }
            e[key] = Entry(since: nowNanos, held: 0, fields: fields)
            return held
        }
    }

    /// The keys whose interval is over with lines held back: the fields of the last one held and
    /// how many; they start afresh.
    package func due(nowNanos: UInt64) -> [(key: String, held: Int, fields: [(String, String)])] {
        entries.withLock { e in
            var out: [(key: String, held: Int, fields: [(String, String)])] = []
            for (k, v) in e where v.held > 0 && nowNanos - v.since >= intervalNanos {
                out.append((k, v.held, v.fields))
                e[k] = Entry(since: nowNanos, held: 0, fields: v.fields)
            }
            return out.sorted { $0.key < $1.key }
        }
    }
}
