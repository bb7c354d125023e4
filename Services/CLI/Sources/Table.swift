/// A plain-text table for people: columns padded to the widest cell, measured in terminal
/// columns (CJK and Hangul take two, combining marks none).
package struct Table {
    package var headers: [String]
    package var rows: [[String]] = []

    package init(_ headers: [String]) { self.headers = headers }

    package mutating func add(_ row: [String]) { rows.append(row) }

    /// The rendered table, one line per row.
    package func render() -> String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for r in all {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(c)) }
        }
        var lines: [String] = []
        for r in all {
            var line = ""
            for (i, c) in r.enumerated() where i < widths.count {
                line += c
                if i < widths.count - 1 { line += String(repeating: " ", count: widths[i] - Self.width(c) + 2) }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Terminal columns `s` takes.
    package static func width(_ s: String) -> Int {
        var w = 0
        for u in s.unicodeScalars {
            let v = u.value
            switch u.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: continue
            default: break
            }
            if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
                || (0x20000...0x3FFFD).contains(v)
            {
                w += 2
            } else {
                w += 1
            }
        }
        return w
    }
}
