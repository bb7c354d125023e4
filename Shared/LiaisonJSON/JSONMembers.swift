/// The members of a JSON object's text, found without parsing their values: each key with where
/// its value's text is. What compares two stored documents field by field (a change's history)
/// without building either as a tree.
package enum JSONMembers {
    /// The members of `text`, in order: where each key's characters (inside the quotes) and each
    /// value's text are. Nil when it is not an object this can split — keys with escapes
    /// included, which the caller then parses whole. Values are only delimited (strings,
    /// nesting), not checked: a value's text is known valid only once it is parsed.
    package static func split(_ text: [UInt8]) -> [(key: Range<Int>, value: Range<Int>)]? {
        text.withUnsafeBufferPointer { b -> [(key: Range<Int>, value: Range<Int>)]? in
            var i = 0
            func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
            func skipSpace() { while i < b.count && isSpace(b[i]) { i += 1 } }
            // At a quote: past the closing one.
            func skipString() -> Bool {
                i += 1
                while i < b.count {
                    let c = b[i]
                    if c == 0x5C { i += 2; continue }
                    i += 1
                    if c == 0x22 { return true }
                }
                return false
            }
            func skipValue() -> Bool {
                guard i < b.count else { return false }
                switch b[i] {
                case 0x22: return skipString()
                case 0x7B, 0x5B:
                    var depth = 0
                    while i < b.count {
                        let c = b[i]
                        if c == 0x22 {
                            guard skipString() else { return false }
                            continue
                        }
                        if c == 0x7B || c == 0x5B { depth += 1 }
                        if c == 0x7D || c == 0x5D {
                            depth -= 1
                            if depth == 0 { i += 1; return true }
                        }
                        i += 1
                    }
                    return false
                default:
                    let start = i
                    while i < b.count && b[i] != 0x2C && b[i] != 0x7D && b[i] != 0x5D && !isSpace(b[i]) { i += 1 }
                    return i > start
                }
            }
            var out: [(key: Range<Int>, value: Range<Int>)] = []
            out.reserveCapacity(32)
            skipSpace()
            guard i < b.count, b[i] == 0x7B else { return nil }
            i += 1
            skipSpace()
            if i < b.count && b[i] == 0x7D {
                i += 1
                skipSpace()
                return i == b.count ? out : nil
            }
            while true {
                skipSpace()
                guard i < b.count, b[i] == 0x22 else { return nil }
                let keyStart = i + 1
                guard skipString() else { return nil }
                let key = keyStart..<(i - 1)
                if UnsafeBufferPointer(rebasing: b[key]).contains(0x5C) { return nil }
                skipSpace()
                guard i < b.count, b[i] == 0x3A else { return nil }
                i += 1
                skipSpace()
                let valueStart = i
                guard skipValue() else { return nil }
                out.append((key, valueStart..<i))
                skipSpace()
                guard i < b.count else { return nil }
                if b[i] == 0x2C {
                    i += 1
                    continue
                }
                guard b[i] == 0x7D else { return nil }
                i += 1
                skipSpace()
                return i == b.count ? out : nil
            }
        }
    }
}
