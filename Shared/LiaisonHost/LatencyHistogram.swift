import LiaisonJSON
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

    /// How many observations were at most `micros` (whole buckets: a bucket counts once its
    /// upper end is within; the buckets are an eighth of a power of two wide).
    package func count(atMostMicros micros: UInt64) -> UInt64 {
        var n: UInt64 = 0
        for (i, c) in buckets.enumerated() where c > 0 {
            guard Self.lowerBound(i + 1) - 1 <= micros else { break }
            n += c
        }
        return n
    }

    /// The value at quantile `q` in milliseconds.
    package func milliseconds(_ q: Double) -> Double { Double(percentile(q)) / 1000 }

    /// Merges another histogram in.
    package mutating func merge(_ other: LatencyHistogram) {
        for i in buckets.indices { buckets[i] += other.buckets[i] }
        count += other.count
        sumMicros &+= other.sumMicros
        maxMicros = max(maxMicros, other.maxMicros)
    }
}
