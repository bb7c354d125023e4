extension UnsafeMutableBufferPointer where Element == UInt8 {
    /// Writes `value` (not negative) as `width` decimal digits at `index`, zero-padded (only the
    /// lowest `width` digits are kept): how dates and timestamps are written into a string's
    /// storage without formatting each number on its own.
    package func putDigits(_ value: Int, width: Int, at index: Int) {
        var v = value
        for k in stride(from: index + width - 1, through: index, by: -1) {
            self[k] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
    }
}
