import Foundation

/// `v` to three significant digits: 163.839 → 164, 1.23456 → 1.23, 0.0012345 → 0.00123,
/// 99.96 → 100, 12345 → 12300.
package func threeSignificant(_ v: Double) -> String {
    guard v.isFinite, v != 0 else { return v.isFinite ? "0" : String(v) }
    var magnitude = Int(floor(log10(abs(v))))
    var rounded = (v / pow(10, Double(magnitude - 2))).rounded() * pow(10, Double(magnitude - 2))
    if abs(rounded) >= pow(10, Double(magnitude + 1)) {  // 99.96 rounds up into the next decade
        magnitude += 1
        rounded = (v / pow(10, Double(magnitude - 2))).rounded() * pow(10, Double(magnitude - 2))
    }
    return String(format: "%.\(max(0, 2 - magnitude))f", rounded)
}

/// A latency given in microseconds, for people: 87 µs, 1.54 ms, 164 ms, 2.31 s (999.7 µs is 1.00 ms).
package func latencyText(micros: Double) -> String {
    let units: [(String, Double)] = [("µs", 1), ("ms", 1000), ("s", 1_000_000)]
    for (i, (unit, size)) in units.enumerated() {
        let text = threeSignificant(micros / size)
        if i == units.count - 1 || (Double(text) ?? 0) < 1000 { return "\(text) \(unit)" }
    }
    return ""
}
