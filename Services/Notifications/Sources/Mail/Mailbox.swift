import LiaisonModels

/// Why a message could not be built: a header value or address that would be unsafe to send.
package struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}

/// A display name and an address (`"Name" <addr>` or an encoded-word name).
package struct Mailbox: Sendable, Equatable {
    package var name: String?
    package var address: String

    package init(name: String?, address: String) { (self.name, self.address) = (name, address) }

    /// Parses `Name <addr>` or a bare address (the mesh file's `from` setting).
    package static func parse(_ s: String) throws(MailError) -> Mailbox {
        let t = s.trimmingWhitespace()
        if let open = t.lastIndex(of: "<"), t.hasSuffix(">") {
            var name = String(t[..<open]).trimmingWhitespace()
            if name.hasPrefix("\"") && name.hasSuffix("\"") && name.count >= 2 {
                name = String(name.dropFirst().dropLast())
            }
            let m = Mailbox(
                name: name.isEmpty ? nil : name,
                address: String(t[t.index(after: open)..<t.index(before: t.endIndex)])
            )
            try m.check()
            return m
        }
        let m = Mailbox(name: nil, address: t)
        try m.check()
        return m
    }

    /// Refuses addresses an MTA could read as an option or that hide other headers, and names
    /// with line breaks or NUL.
    package func check() throws(MailError) {
        if let why = EmailAddress.problem(address) {
            throw MailError("address \"\(address.debugDescription.dropFirst().dropLast())\": \(why)")
        }
        if let name { try Header.checkValue(name, field: "display name") }
    }

    /// The mailbox as a header value: encoded-words for non-ASCII names, quoted otherwise.
    /// `firstLimit` bounds the first encoded-word (room left on the header's first line).
    package func rendered(firstLimit: Int = 75) throws(MailError) -> String {
        try check()
        guard let name, !name.isEmpty else { return address }
        if EncodedWord.isPlainASCII(name) {
            let escaped = name.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"")
            return "\"\(escaped)\" <\(address)>"
        }
        return EncodedWord.encode(name, firstLimit: firstLimit).joined(separator: " ") + " <\(address)>"
    }
}

/// Header values: checked, then folded into lines of at most 78 characters.
package enum Header {
    /// Refuses CR, LF and NUL (header injection) in a value.
    package static func checkValue(_ v: String, field: String) throws(MailError) {
        for u in v.unicodeScalars where u == "\r" || u == "\n" || u.value == 0 {
            throw MailError(
                "\(field) contains \(u == "\r" ? "CR" : u == "\n" ? "LF" : "NUL"); refusing to build the message"
            )
        }
    }

    /// `Name: value` folded at white space so lines stay within 76 characters where possible
    /// (RFC 2047's limit for lines with encoded-words; RFC 5322 recommends 78).
    package static func line(_ name: String, _ value: String) -> String {
        var out = ""
        var current = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if current.utf8.count + 1 + word.utf8.count > 76 && current.utf8.count > name.utf8.count + 1 {
                out += current + "\r\n"
                current = " " + word
            } else {
                current += " " + word
            }
        }
        return out + current + "\r\n"
    }

    /// An unstructured value (Subject): encoded-words when it is not plain ASCII. Directional
    /// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are left out: a
    /// title's U+202E would make the rest of a Subject read backwards in the recipient's list
    /// (a visit's title, reversed, can pass for another). Arabic and Hebrew need none of them
    /// to read right to left.
    package static func unstructured(_ value: String, field: String) throws(MailError) -> String {
        var v = value
        v.unicodeScalars.removeAll { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }
        try checkValue(v, field: field)
        return EncodedWord.isPlainASCII(v)
            ? v : EncodedWord.encode(v, firstLimit: firstLimit(field)).joined(separator: " ")
    }

    /// Room for a first encoded-word after `Name: ` within 76 characters.
    static func firstLimit(_ name: String) -> Int { 76 - name.utf8.count - 2 }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
