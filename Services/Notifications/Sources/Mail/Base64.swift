/// Base64 (RFC 4648) for MIME bodies and RFC 2047 "B" words.
package enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let reverse: [UInt8] = {
        var r = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { r[Int(c)] = UInt8(i) }
        return r
    }()

    /// The encoding of `bytes`, unbroken.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var it = bytes.makeIterator()
        while let a = it.next() {
            let b = it.next(), c = it.next()
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 3) << 4 | (b ?? 0) >> 4)])
            out.append(b == nil ? UInt8(ascii: "=") : alphabet[Int((b! & 15) << 2 | (c ?? 0) >> 6)])
            out.append(c == nil ? UInt8(ascii: "=") : alphabet[Int(c! & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The encoding in lines of at most 76 characters joined by CRLF (RFC 2045 §6.8).
    package static func encodeLines(_ bytes: [UInt8]) -> String {
        let all = Array(encode(bytes).utf8)
        var lines: [String] = []
        var i = 0
        while i < all.count {
            lines.append(String(decoding: all[i..<min(i + 76, all.count)], as: UTF8.self))
            i += 76
        }
        return lines.joined(separator: "\r\n")
    }

    /// The bytes of base64 text; characters outside the alphabet (line breaks) are skipped.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var out = [UInt8]()
        var buf: UInt32 = 0, n = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { break }
            let v = reverse[Int(c)]
            if v == 0xFF {
                if c == 0x0D || c == 0x0A || c == 0x20 || c == 0x09 { continue }
                return nil
            }
            buf = buf << 6 | UInt32(v)
            n += 1
            if n == 4 {
                out += [UInt8(buf >> 16 & 0xFF), UInt8(buf >> 8 & 0xFF), UInt8(buf & 0xFF)]
                buf = 0
                n = 0
            }
        }
        if n == 2 { out.append(UInt8(buf >> 4 & 0xFF)) }
        if n == 3 { out += [UInt8(buf >> 10 & 0xFF), UInt8(buf >> 2 & 0xFF)] }
        return out
    }
}

/// Quoted-printable (RFC 2045 §6.7) for readable text bodies.
package enum QuotedPrintable {
    static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes `text` (lines ending in LF or CRLF) into lines of at most 76 characters with CRLF
    /// breaks; non-ASCII, `=` and trailing white space are escaped, multi-byte characters are
    /// never split across a soft break.
    package static func encode(_ text: String) -> String {
        var outLines: [String] = []
        let lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            var current = [UInt8]()
            var pieces: [[UInt8]] = []
            let bytes = Array(line.utf8)
            // Group bytes into characters so a soft break never falls inside one.
            var i = 0
            while i < bytes.count {
                let len = utf8Length(bytes[i])
                let char = Array(bytes[i..<min(i + len, bytes.count)])
                let isLast = i + len >= bytes.count
                var encoded = [UInt8]()
                for b in char {
                    let plain = (b >= 33 && b <= 126 && b != UInt8(ascii: "=")) || ((b == 32 || b == 9) && !isLast)
                    if plain {
                        encoded.append(b)
                    } else {
                        encoded += [UInt8(ascii: "="), hex[Int(b >> 4)], hex[Int(b & 15)]]
                    }
                }
                if current.count + encoded.count > 75 {
                    pieces.append(current + [UInt8(ascii: "=")])
                    current = []
                }
                current += encoded
                i += len
            }
            pieces.append(current)
            outLines += pieces.map { String(decoding: $0, as: UTF8.self) }
        }
        return outLines.joined(separator: "\r\n")
    }

    /// Decodes quoted-printable text (soft breaks removed, escapes resolved).
    package static func decode(_ text: some StringProtocol) -> [UInt8] {
        var out = [UInt8]()
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "=") {
                if i + 1 < b.count && (b[i + 1] == 0x0A || b[i + 1] == 0x0D) {
                    i += b[i + 1] == 0x0D && i + 2 < b.count && b[i + 2] == 0x0A ? 3 : 2
                    continue
                }
                if i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}

/// Bytes in the UTF-8 sequence that starts with `lead`.
func utf8Length(_ lead: UInt8) -> Int {
    if lead < 0x80 { return 1 }
    if lead >> 5 == 0b110 { return 2 }
    if lead >> 4 == 0b1110 { return 3 }
    if lead >> 3 == 0b11110 { return 4 }
    return 1
}

extension String {
    /// Line breaks as LF only.
    func replacingCRLF() -> String {
        var s = self
        if s.contains("\r") {
            s = s.split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n")
            s = String(s.map { $0 == "\r" ? "\n" : $0 })
        }
        return s
    }
}
