import LiaisonWire
import Synchronization

/// Latencies in a log-linear histogram (8 buckets per power of two, in microseconds): constant
/// memory, about 9 % precision, good enough for p50/p99.
package struct LatencyHistogram: Sendable {
    private var buckets = [UInt64](repeating: 0, count: 64 * 8)
    package private(set) var count: UInt64 = 0
    package private(set) var maxMicros: UInt64 = 0
    package private(set) var sumMicros: UInt64 = 0

    package init() {}

    static func index(_ us: UInt64) -> Int {
        if us < 8 { return Int(us) }
        let lz = us.leadingZeroBitCount
        let exp = 63 - lz
        let mant = Int((us >> (exp - 3)) & 7)
        return min((exp - 2) * 8 + mant, 64 * 8 - 1)
    }

    static func lowerBound(_ i: Int) -> UInt64 {
        if i < 8 { return UInt64(i) }
        let exp = i / 8 + 2
        let mant = UInt64(i % 8)
        return (8 + mant) << (exp - 3)
    }

    /// Adds one observation.
    package mutating func record(micros: UInt64) {
        buckets[Self.index(micros)] += 1
        count += 1
        sumMicros &+= micros
        maxMicros = max(maxMicros, micros)
    }

    /// The value at quantile `q` (0...1), in microseconds.
    package func percentile(_ q: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let target = UInt64((Double(count) * q).rounded(.up))
        var seen: UInt64 = 0
        for (i, n) in buckets.enumerated() where n > 0 {
            seen += n
            if seen >= max(target, 1) { return min(Self.lowerBound(i + 1) - 1, maxMicros) }
        }
        return maxMicros
    }

    /// Merges another histogram in.
    package mutating func merge(_ other: LatencyHistogram) {
        for i in buckets.indices { buckets[i] += other.buckets[i] }
        count += other.count
        sumMicros &+= other.sumMicros
        maxMicros = max(maxMicros, other.maxMicros)
    }
}

/// Calls, errors and latency per method, for `service.stats`.
package final class CallStats: Sendable {
    struct Entry {
        var calls: UInt64 = 0
        var errors: [String: UInt64] = [:]
        var latency = LatencyHistogram()
    }

    private let entries = Mutex<[String: Entry]>([:])

    package init() {}

    /// Records one finished call.
    package func record(method: String, micros: UInt64, error: ErrorCode?) {
        entries.withLock { e in
            var entry = e[method] ?? Entry()
            e[method] = nil
            entry.calls += 1
            if let error { entry.errors[error.rawValue, default: 0] += 1 }
            entry.latency.record(micros: micros)
            e[method] = entry
        }
    }

    /// The stats as JSON: per method calls, errors by code, p50/p99/max in milliseconds.
    package func snapshot() -> JSONValue {
        let copy = entries.withLock { $0 }
        var methods = JSONObject()
        var total = LatencyHistogram()
        var calls: UInt64 = 0, errors: UInt64 = 0
        for name in copy.keys.sorted() {
            let e = copy[name]!
            total.merge(e.latency)
            calls += e.calls
            let errs = e.errors.values.reduce(0, +)
            errors += errs
            var errorObj = JSONObject()
            for code in e.errors.keys.sorted() { errorObj[code] = .int(Int64(e.errors[code]!)) }
            methods[name] = [
                "calls": .int(Int64(e.calls)), "errors": .int(Int64(errs)), "errors_by_code": .object(errorObj),
                "p50_ms": .double(Double(e.latency.percentile(0.5)) / 1000), "p99_ms": .double(Double(e.latency.percentile(0.99)) / 1000),
                "max_ms": .double(Double(e.latency.maxMicros) / 1000),
            ]
        }
        return [
            "calls": .int(Int64(calls)), "errors": .int(Int64(errors)),
            "p50_ms": .double(Double(total.percentile(0.5)) / 1000), "p99_ms": .double(Double(total.percentile(0.99)) / 1000),
            "methods": .object(methods),
        ]
    }
}
