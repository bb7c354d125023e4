/// Reads an RFC 5322 / MIME message back: headers (unfolded, encoded-words decoded) and the leaf
/// parts with their bodies decoded. Used by tests against real Maildirs and by `notification show`.
package struct ParsedMessage: Sendable {
    /// Headers in order, names as written, values unfolded and decoded.
    package var headers: [(name: String, value: String)]
    /// Leaf parts: content type (lowercased, without parameters), its parameters, decoded bytes.
    package var parts: [(type: String, params: [String: String], body: [UInt8], disposition: String?)]

    /// The first header named `name` (any case).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The decoded text of the first part of `type`.
    package func text(_ type: String) -> String? {
        parts.first { $0.type == type }.map { String(decoding: $0.body, as: UTF8.self) }
    }

    /// Parses `raw` (CRLF or LF line endings); multiparts nested deeper than `maxDepth` are
    /// left out (a hostile mail cannot exhaust the stack).
    package static func parse(_ raw: [UInt8], maxDepth: Int = 16) -> ParsedMessage {
        let text = String(decoding: raw, as: UTF8.self).replacingCRLF()
        let (headers, body) = splitHeaders(text)
        var parts: [(String, [String: String], [UInt8], String?)] = []
        collect(headers: headers, body: body, into: &parts, depth: maxDepth)
        return ParsedMessage(
            headers: headers.map { ($0.0, EncodedWord.decode($0.1)) },
            parts: parts.map { ($0.0, $0.1, $0.2, $0.3) }
        )
    }

    static func splitHeaders(_ text: String) -> ([(String, String)], String) {
        let end = text.range(of: "\n\n")
        let head = end.map { String(text[..<$0.lowerBound]) } ?? text
        let body = end.map { String(text[$0.upperBound...]) } ?? ""
        var headers: [(String, String)] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.utf8.first, first == 0x20 || first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].1 += String(line)  // unfold: CRLF removed, the white space kept
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingWhitespaceOnly())
                )
            }
        }
        return (headers, body)
    }

    /// Splits `Content-Type` into its lowercased type and parameters.
    static func contentType(_ v: String?) -> (String, [String: String]) {
        guard let v else { return ("text/plain", [:]) }
        let pieces = v.split(separator: ";")
        var params: [String: String] = [:]
        for p in pieces.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1)
            if kv.count == 2 {
                params[kv[0].trimmingWhitespaceOnly().lowercased()] = kv[1].trimmingWhitespaceOnly().trimmingQuotes()
            }
        }
        return (pieces.first.map { $0.trimmingWhitespaceOnly().lowercased() } ?? "text/plain", params)
    }

    static func collect(
        headers: [(String, String)],
        body: String,
        into parts: inout [(String, [String: String], [UInt8], String?)],
        depth: Int
    ) {
        func h(_ n: String) -> String? { headers.first { $0.0.lowercased() == n }?.1 }
        let (type, params) = contentType(h("content-type"))
        if type.hasPrefix("multipart/"), let boundary = params["boundary"] {
            guard depth > 0 else { return }
            let delimiter = "--" + boundary
            var sections: [String] = []
            var current: [Substring]? = nil
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                if line == delimiter || line == delimiter + "--" {
                    if let c = current { sections.append(c.joined(separator: "\n")) }
                    current = line == delimiter ? [] : nil
                    if line != delimiter { break }
                } else if current != nil {
                    current!.append(line)
                }
            }
            for s in sections {
                let (ph, pb) = splitHeaders(s)
                collect(headers: ph, body: pb, into: &parts, depth: depth - 1)
            }
            return
        }
        let encoding = h("content-transfer-encoding")?.lowercased() ?? "7bit"
        let decoded: [UInt8]
        switch encoding {
        case "base64": decoded = Base64.decode(body) ?? []
        case "quoted-printable": decoded = QuotedPrintable.decode(body)
        default: decoded = Array(body.utf8)
        }
        parts.append((type, params, decoded, h("content-disposition")))
    }
}

extension StringProtocol {
    func trimmingWhitespaceOnly() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }

    func trimmingQuotes() -> String {
        var s = Substring(self)
        if s.hasPrefix("\"") && s.hasSuffix("\"") && s.count >= 2 { s = s.dropFirst().dropLast() }
        return String(s)
    }
}
