/// RFC 2047 encoded-words for non-ASCII text in headers: `=?UTF-8?B?…?=`, each at most 75
/// characters, never splitting a UTF-8 character (or, where possible, a grapheme cluster).
package enum EncodedWord {
    /// Bytes of text one "B" word can carry: 75 - len("=?UTF-8?B??=") = 63 → 15 base64 quads → 45 bytes.
    static let maxBytes = 45

    /// Whether `s` can appear in a header as it is (printable ASCII and spaces).
    package static func isPlainASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }

    /// `s` as encoded-words, each ≤ 75 characters; the first ≤ `firstLimit` so that it fits on
    /// the header's first line (RFC 2047 §2 keeps lines holding encoded-words within 76).
    package static func encode(_ s: String, firstLimit: Int = 75) -> [String] {
        var words: [String] = []
        var chunk = [UInt8]()
        func limit() -> Int { words.isEmpty ? max(3, (max(firstLimit, 16) - 12) / 4 * 3) : maxBytes }
        for g in s {  // whole grapheme clusters where they fit…
            let bytes = Array(String(g).utf8)
            if chunk.count + bytes.count > limit() {
                if !chunk.isEmpty { words.append(word(chunk)); chunk = [] }
                if bytes.count > limit() {  // …otherwise whole scalars
                    for u in String(g).unicodeScalars {
                        let ub = Array(String(u).utf8)
                        if chunk.count + ub.count > limit() && !chunk.isEmpty { words.append(word(chunk)); chunk = [] }
                        chunk += ub
                    }
                    continue
                }
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words
    }

    static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?" + Base64.encode(bytes) + "?=" }

    /// Decodes a header value: encoded-words (B or Q, UTF-8 or ISO-8859-1/US-ASCII) become text;
    /// white space between two adjacent encoded-words is dropped, as RFC 2047 §6.2 says.
    package static func decode(_ value: String) -> String {
        var out = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasWord = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (text, after) = decodeWord(rest) {
                out += lastWasWord ? "" : pendingSpace
                out += text
                pendingSpace = ""
                lastWasWord = true
                rest = after
                continue
            }
            let c = rest.removeFirst()
            if c == " " || c == "\t" {
                pendingSpace.append(c)
                continue
            }
            out += pendingSpace
            pendingSpace = ""
            out.append(c)
            lastWasWord = false
        }
        return out + pendingSpace
    }

    static func decodeWord(_ s: Substring) -> (String, Substring)? {
        let parts = s.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].hasPrefix("=") else { return nil }
        let charset = parts[0].lowercased(), enc = parts[1].uppercased(), text = parts[2]
        var bytes: [UInt8]
        switch enc {
        case "B": guard let b = Base64.decode(text) else { return nil }; bytes = b
        case "Q": bytes = QuotedPrintable.decode(text.replacingOccurrences(of: "_", with: " "))
        default: return nil
        }
        let str: String
        switch charset.split(separator: "*").first.map(String.init) ?? charset {
        case "utf-8", "us-ascii": str = String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1": str = String(bytes.map { Character(Unicode.Scalar($0)) })
        default: str = String(decoding: bytes, as: UTF8.self)
        }
        bytes = []
        return (str, parts[3].dropFirst())
    }
}

extension Substring {
    func replacingOccurrences(of a: String, with b: String) -> String {
        self.split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
