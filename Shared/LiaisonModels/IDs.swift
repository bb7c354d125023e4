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

extension IDs {
    /// The same identifier for the same `key` everywhere, e.g. `par-…` for a partner's
    /// normalised name and country, so that services migrating the same free text agree on it
    /// without asking each other. 80 bits of two FNV-1a hashes, in the alphabet of `make`.
    package static func derived(_ prefix: String, from key: String) -> String {
        func fnv(_ basis: UInt64) -> UInt64 {
            var h = basis
            for b in key.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            return h
        }
        let a = fnv(0xcbf2_9ce4_8422_2325), b = fnv(0x8422_2325_cbf2_9ce4)
        var out = [UInt8]()
        for i in 0..<16 {
            let word = i < 12 ? a >> (UInt64(i) * 5) : b >> (UInt64(i - 12) * 5)
            out.append(alphabet[Int(word & 31)])
        }
        return prefix + "-" + String(decoding: out, as: UTF8.self)
    }
}
