/// Why a byte sequence is not one JSON value: what was wrong and at which byte.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. "unterminated string".
    package var reason: String
    /// Byte offset into the input where it was noticed.
    package var offset: Int

    package var description: String { "\(reason) at byte \(offset)" }
}

/// Parses RFC 8259 JSON from UTF-8 bytes, strictly: invalid UTF-8, lone surrogates, control
/// characters in strings, trailing garbage and nesting deeper than `maxDepth` are errors.
package struct JSONParser {
    /// Deepest nesting accepted; deeper input is refused rather than risking the stack.
    package static let maxDepth = 256

    /// Parses exactly one JSON value from `bytes` (surrounding whitespace allowed).
    package static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buf in
            Result { () throws(JSONParseError) in try parse(buffer: UnsafeRawBufferPointer(buf)) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        let r: Result<JSONValue, JSONParseError> = copy.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try parse(buffer: raw) }
        }
        return try r.get()
    }

    /// Parses a string of JSON text.
    package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buf in
            Result { () throws(JSONParseError) in try parse(buffer: UnsafeRawBufferPointer(buf)) }
        }
        return try result.get()
    }

    static func parse(buffer: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var p = Cursor(bytes: buffer)
        p.skipWhitespace()
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        if p.pos != buffer.count { throw p.error("unexpected data after the JSON value") }
        return v
    }

    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var pos = 0

        func error(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: pos) }

        mutating func skipWhitespace() {
            while pos < bytes.count {
                let c = bytes[pos]
                guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
                pos += 1
            }
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            guard pos < bytes.count else { throw error("unexpected end of input") }
            switch bytes[pos] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected character '\(Self.printable(bytes[pos]))'")
            }
        }

        static func printable(_ c: UInt8) -> String {
            c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
        }

        mutating func literal(_ word: StaticString) throws(JSONParseError) {
            let n = word.utf8CodeUnitCount
            guard pos + n <= bytes.count else { throw error("unexpected end of input") }
            let w = word.utf8Start
            for i in 0..<n where bytes[pos + i] != w[i] { throw error("invalid literal") }
            pos += n
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            if depth > JSONParser.maxDepth { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            pos += 1
            var obj = JSONObject()
            skipWhitespace()
            if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(obj) }
            while true {
                skipWhitespace()
                guard pos < bytes.count else { throw error("unexpected end of input in object") }
                guard bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try string()
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
                pos += 1
                skipWhitespace()
                let v = try value(depth: depth)
                obj.appendUnchecked(key, v)
                skipWhitespace()
                guard pos < bytes.count else { throw error("unexpected end of input in object") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(obj) }
                throw error("expected ',' or '}' in object")
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            if depth > JSONParser.maxDepth { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            pos += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                guard pos < bytes.count else { throw error("unexpected end of input in array") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                throw error("expected ',' or ']' in array")
            }
        }

        mutating func number() throws(JSONParseError) -> JSONValue {
            let start = pos
            var negative = false
            if bytes[pos] == UInt8(ascii: "-") { negative = true; pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("invalid number") }
            var integral = true
            var magnitude: UInt64 = 0
            var overflow = false
            if bytes[pos] == UInt8(ascii: "0") {
                pos += 1
                if pos < bytes.count && isDigit(bytes[pos]) { throw error("leading zero in number") }
            } else {
                while pos < bytes.count && isDigit(bytes[pos]) {
                    let d = UInt64(bytes[pos] &- UInt8(ascii: "0"))
                    let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (m2, o2) = m1.addingReportingOverflow(d)
                    if o1 || o2 { overflow = true }
                    magnitude = m2
                    pos += 1
                }
            }
            if pos < bytes.count && bytes[pos] == UInt8(ascii: ".") {
                integral = false
                pos += 1
                guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("digit expected after '.'") }
                while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
            }
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
                integral = false
                pos += 1
                if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) {
                    pos += 1
                }
                guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("digit expected in exponent") }
                while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
            }
            if integral && !overflow {
                if negative {
                    if magnitude <= UInt64(Int64.max) + 1 {
                        return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
                    }
                } else if magnitude <= UInt64(Int64.max) {
                    return .int(Int64(magnitude))
                }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            guard let d = Double(text), d.isFinite else {
                throw JSONParseError(reason: "number out of range", offset: start)
            }
            return .double(d)
        }

        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

        mutating func string() throws(JSONParseError) -> String {
            pos += 1  // opening quote
            let start = pos
            var ascii = true
            // Fast path: no escapes.
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<pos])
                    pos += 1
                    // ASCII needs no validating: made straight from the bytes (the generic
                    // validating initializer was a tenth of decoding a stored visit).
                    if ascii { return String(decoding: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self) }
                    guard let s = String(validating: slice, as: UTF8.self) else {
                        throw JSONParseError(reason: "invalid UTF-8 in string", offset: start)
                    }
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw error("control character in string") }
                if c >= 0x80 { ascii = false }
                pos += 1
            }
            guard pos < bytes.count else { throw error("unterminated string") }
            // Slow path: copy with escapes resolved.
            var out: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<pos]))
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") {
                    guard let s = String(validating: out, as: UTF8.self) else {
                        throw JSONParseError(reason: "invalid UTF-8 in string", offset: start)
                    }
                    pos += 1
                    return s
                }
                if c < 0x20 { throw error("control character in string") }
                if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
                pos += 1
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"),
                            bytes[pos + 1] == UInt8(ascii: "u")
                        else { throw error("lone surrogate in \\u escape") }
                        pos += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("lone surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw error("lone surrogate in \\u escape")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: UTF8.encode(u)!)
                default:
                    pos -= 1
                    throw error("invalid escape '\\\(Self.printable(e))'")
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard pos + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[pos]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("invalid hex digit in \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }
    }
}
