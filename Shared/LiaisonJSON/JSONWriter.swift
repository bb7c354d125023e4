/// Writes compact JSON into a byte buffer. Values can be written whole, or piece by piece with
/// already-encoded fragments spliced in (`raw`), which is how stored events are forwarded
/// without being parsed again.
package struct JSONWriter {
    /// The bytes written so far.
    package var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Encodes one value as compact JSON text.
    package static func encode(_ value: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.write(value)
        return w.bytes
    }

    /// Encodes one value as a `String`.
    package static func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Appends a value.
    package mutating func write(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .encoded(let text): bytes.append(contentsOf: text)
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(v)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (i, m) in o.members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(m.key)
                bytes.append(UInt8(ascii: ":"))
                write(m.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends text that is already JSON (a literal, or a fragment known to be valid).
    package mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes that are already valid JSON.
    package mutating func raw(_ fragment: some Sequence<UInt8>) { bytes.append(contentsOf: fragment) }

    /// Appends an integer.
    package mutating func writeInt(_ i: Int64) {
        if i >= 0 && i < 10 { bytes.append(UInt8(ascii: "0") + UInt8(i)); return }
        bytes.append(contentsOf: String(i).utf8)
    }

    /// Appends a number; JSON has no NaN or infinity, so those become `null`.
    package mutating func writeDouble(_ d: Double) {
        guard d.isFinite else { raw("null"); return }
        bytes.append(contentsOf: d.description.utf8)
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a quoted, escaped string. Non-ASCII stays UTF-8; U+2028/2029 are escaped so the
    /// output is also safe to embed in JavaScript.
    package mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { buf in
            var runStart = 0
            var i = 0
            while i < buf.count {
                let c = buf[i]
                var escape: (UInt8, UInt8)? = nil
                var unicodeEscape: UInt16? = nil
                switch c {
                case 0x22: escape = (0x5C, 0x22)
                case 0x5C: escape = (0x5C, 0x5C)
                case 0x0A: escape = (0x5C, UInt8(ascii: "n"))
                case 0x0D: escape = (0x5C, UInt8(ascii: "r"))
                case 0x09: escape = (0x5C, UInt8(ascii: "t"))
                case 0x08: escape = (0x5C, UInt8(ascii: "b"))
                case 0x0C: escape = (0x5C, UInt8(ascii: "f"))
                case 0..<0x20: unicodeEscape = UInt16(c)
                case 0xE2 where i + 2 < buf.count && buf[i + 1] == 0x80 && (buf[i + 2] == 0xA8 || buf[i + 2] == 0xA9):
                    unicodeEscape = buf[i + 2] == 0xA8 ? 0x2028 : 0x2029
                default: break
                }
                if escape == nil && unicodeEscape == nil { i += 1; continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i]))
                if let (a, b) = escape {
                    bytes.append(a); bytes.append(b)
                    i += 1
                } else if let u = unicodeEscape {
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u")])
                    for shift in stride(from: 12, through: 0, by: -4) {
                        bytes.append(Self.hex[Int((u >> UInt16(shift)) & 0xF)])
                    }
                    i += u > 0xFF ? 3 : 1
                }
                runStart = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<buf.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    package var description: String { JSONWriter.string(self) }
}

extension JSONWriter {
    /// Indented JSON text for people (two spaces, one member per line).
    package static func pretty(_ value: JSONValue) -> String {
        var w = JSONWriter()
        w.writePretty(value, indent: 0)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private mutating func newline(_ indent: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    private mutating func writePretty(_ value: JSONValue, indent: Int) {
        switch value {
        case .array(let a) where !a.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                writePretty(v, indent: indent + 2)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let o) where o.count > 0:
            bytes.append(UInt8(ascii: "{"))
            for (i, m) in o.members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                writeString(m.key)
                raw(": ")
                writePretty(m.value, indent: indent + 2)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "}"))
        default:
            write(value)
        }
    }
}
