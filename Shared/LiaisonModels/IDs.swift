/// Random identifiers: a prefix and 16 characters of Crockford base32 (80 bits).
package enum IDs {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// Fills `out` with random characters of the alphabet, 5 bits each, taking 60 bits per draw
    /// from the system generator (each draw is a getrandom call: one per character was 16).
    static func randomCharacters(_ out: inout ArraySlice<UInt8>) {
        var rng = SystemRandomNumberGenerator()
        var bits: UInt64 = 0, left = 0
        for i in out.indices {
            if left == 0 { (bits, left) = (rng.next(), 12) }
            out[i] = alphabet[Int(bits & 31)]
            bits >>= 5
            left -= 1
        }
    }

    /// e.g. `del-5k2m9x…`.
    package static func make(_ prefix: String) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        randomCharacters(&out[...])
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

extension IDs {
    /// e.g. `evt-01jd3…`: the milliseconds since the epoch (10 characters) then 80 random bits
    /// (16), in the alphabet of `make`, whose order is the characters' order — so identifiers
    /// made later sort after earlier ones, and an index over them grows at its end instead of
    /// at a random page (the inboxes' `inbox_seen`: one page written per batch, not per event).
    package static func ordered(_ prefix: String, millis: Int64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var t = UInt64(max(millis, 0))
        for i in stride(from: 9, through: 0, by: -1) {
            out[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        randomCharacters(&out[10...])
        return prefix + "-" + String(decoding: out, as: UTF8.self)
    }
}
