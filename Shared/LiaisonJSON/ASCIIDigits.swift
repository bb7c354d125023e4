/// Decimal digits in bytes, as dates, times and versions are written.
package enum ASCIIDigits {
    /// The number the bytes `r` of `b` write in decimal; nil when `r` runs past `b` or holds
    /// anything but the digits 0–9.
    package static func value(_ b: [UInt8], _ r: Range<Int>) -> Int? {
        guard r.upperBound <= b.count else { return nil }
        var v = 0
        for i in r {
            guard b[i] >= 48 && b[i] <= 57 else { return nil }
            v = v * 10 + Int(b[i] - 48)
        }
        return v
    }
}
