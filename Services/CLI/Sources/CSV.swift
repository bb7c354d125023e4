/// RFC 4180 comma-separated values as spreadsheets export them: fields in double quotes may hold
/// commas, line breaks and doubled quotes; CRLF or LF ends a record; a UTF-8 byte-order mark is
/// skipped. Says where a malformed field is (line and column) rather than guessing.
package enum CSV {
    package struct ParseError: Error, CustomStringConvertible, Equatable {
        package var line: Int
        package var message: String
        package var description: String { "line \(line): \(message)" }
        package init(line: Int, message: String) { (self.line, self.message) = (line, message) }
    }

    /// Characters a spreadsheet takes as the start of a formula in a cell.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@"]

    /// One field as written: quoted when it holds a comma, a quote, a line break or edge spaces;
    /// a text a spreadsheet would run as a formula (`=HYPERLINK(…)`) behind an apostrophe, which
    /// `unguarded` takes off again when the file is imported.
    package static func field(_ s: String) -> String {
        let text = s.first.map { formulaStarts.contains($0) } == true ? "'" + s : s
        let needs =
            text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" } || text.first == " "
            || text.last == " "
        return needs ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// A field read back: the apostrophe `field` put before a formula-like text taken off.
    package static func unguarded(_ s: String) -> String {
        guard s.count > 1, s.first == "'", let second = s.dropFirst().first, formulaStarts.contains(second) else {
            return s
        }
        return String(s.dropFirst())
    }

    /// The records of `text`, each a list of fields; blank lines are skipped.
    package static func parse(_ text: String) throws(ParseError) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var line = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        func endRecord() {
            record.append(field)
            if !(record.count == 1 && record[0].isEmpty && !wasQuoted) { records.append(record) }
            record = []
            field = ""
            wasQuoted = false
        }
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"":
                    guard field.isEmpty && !wasQuoted else {
                        throw ParseError(
                            line: line,
                            message: "a quote inside an unquoted field (quote the whole field and double the quote)"
                        )
                    }
                    quoted = true
                    wasQuoted = true
                case ",":
                    record.append(field)
                    field = ""
                    wasQuoted = false
                case "\r":
                    if i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                    endRecord()
                    line += 1
                case "\n":
                    endRecord()
                    line += 1
                default:
                    guard !wasQuoted else {
                        throw ParseError(
                            line: line,
                            message: "text after a closing quote (expected a comma or a line end)"
                        )
                    }
                    field.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        if quoted { throw ParseError(line: line, message: "a quoted field is not closed before the end of the file") }
        if !field.isEmpty || !record.isEmpty || wasQuoted { endRecord() }
        return records
    }
}
