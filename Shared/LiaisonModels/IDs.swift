/// Random identifiers: a prefix and 16 characters of Crockford base32 (80 bits).
package enum IDs {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// e.g. `del-5k2m9x…`.
    package static func make(_ prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(16)
        for _ in 0..<16 { out.append(alphabet[Int(rng.next() % 32)]) }
        return prefix + "-" + String(decoding: out, as: UTF8.self)
    }
}
