/// A value that does not fit its schema: where (a field path such as `members[1].email`) and why.
package struct SchemaViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path, empty for the value as a whole.
    package var path: String
    /// What is wrong, e.g. "above 3650".
    package var reason: String

    package var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

extension Schema {
    /// Every violation of `value` (up to `limit`), in the order of the schema's members, so a
    /// caller hears of every problem at once.
    package func violations(_ value: JSONValue, path: String = "", limit: Int = 100) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        collect(value, path: path, into: &found, limit: limit)
        return found
    }

    private func collect(_ value: JSONValue, path: String, into found: inout [SchemaViolation], limit: Int) {
        guard found.count < limit else { return }
        if case .encoded = value { return collect(value.materialized, path: path, into: &found, limit: limit) }
        switch self {
        case .array(let items, let maxItems):
            guard case .array(let a) = value, maxItems.map({ a.count <= $0 }) ?? true else { break }
            for (i, v) in a.enumerated() { items.collect(v, path: "\(path)[\(i)]", into: &found, limit: limit) }
            return
        case .object(let fields):
            guard case .object(let o) = value else { break }
            for f in fields {
                let p = path.isEmpty ? f.name : "\(path).\(f.name)"
                guard let v = o[f.name], v != .null || f.required else {
                    if f.required && found.count < limit { found.append(SchemaViolation(path: p, reason: "required")) }
                    continue
                }
                f.schema.collect(v, path: p, into: &found, limit: limit)
            }
            return
        case .map(let values):
            guard case .object(let o) = value else { break }
            for m in o.members {
                values.collect(m.value, path: path.isEmpty ? m.key : "\(path).\(m.key)", into: &found, limit: limit)
            }
            return
        default: break
        }
        if let v = violation(value, path: path) { found.append(v) }
    }

    /// Checks `value` against this schema: types, required members, enums, formats, lengths,
    /// ranges and item counts. Members the schema does not name are ignored (the protocol
    /// allows additive changes). Returns the first violation, or nil.
    package func violation(_ value: JSONValue, path: String = "") -> SchemaViolation? {
        if case .encoded = value { return violation(value.materialized, path: path) }
        func at(_ reason: String) -> SchemaViolation { SchemaViolation(path: path, reason: reason) }
        switch self {
        case .string(let format, let values, let maxLength):
            guard case .string(let s) = value else { return at("expected a string, found \(value.typeName)") }
            if let values, !values.contains(s) {
                return at("\"\(Self.clip(s))\" is not one of \(values.joined(separator: ", "))")
            }
            if let maxLength {
                let n = s.count
                if n > maxLength { return at("at most \(maxLength) characters (got \(n))") }
            }
            if let format, let why = SchemaFormat.problem(format, s) { return at(why) }
        case .integer(let min, let max):
            guard let i = value.intValue else {
                if case .double(let d) = value, d.rounded() == d { return at("\(d) is out of range for an integer") }
                return at("expected an integer, found \(value.typeName)")
            }
            if let min, i < min { return at("must be at least \(min) (got \(i))") }
            if let max, i > max { return at("must be at most \(max) (got \(i))") }
        case .number:
            if value.doubleValue == nil { return at("expected a number, found \(value.typeName)") }
        case .boolean:
            if value.boolValue == nil { return at("expected true or false, found \(value.typeName)") }
        case .array(let items, let maxItems):
            guard case .array(let a) = value else { return at("expected an array, found \(value.typeName)") }
            if let maxItems, a.count > maxItems { return at("at most \(maxItems) entries (got \(a.count))") }
            for (i, v) in a.enumerated() { if let e = items.violation(v, path: "\(path)[\(i)]") { return e } }
        case .object(let fields):
            guard case .object(let o) = value else { return at("expected an object, found \(value.typeName)") }
            for f in fields {
                let p = path.isEmpty ? f.name : "\(path).\(f.name)"
                guard let v = o[f.name], v != .null || f.required else {
                    if f.required { return SchemaViolation(path: p, reason: "required") }
                    continue
                }
                if let e = f.schema.violation(v, path: p) { return e }
            }
        case .map(let values):
            guard case .object(let o) = value else { return at("expected an object, found \(value.typeName)") }
            for m in o.members {
                if let e = values.violation(m.value, path: path.isEmpty ? m.key : "\(path).\(m.key)") { return e }
            }
        case .any: break
        case .oneOf(let options):
            let found = options.map { $0.violation(value, path: path) }
            if found.contains(where: { $0 == nil }) { return nil }
            // Report the shape the caller most likely meant: the one whose required members
            // are all there, else the first.
            if case .object(let o) = value {
                for (option, problem) in zip(options, found) {
                    if case .object(let fields) = option, fields.filter(\.required).allSatisfy({ o[$0.name] != nil }) {
                        return problem
                    }
                }
            }
            return found.first ?? nil
        }
        return nil
    }

    static func clip(_ s: String) -> String { s.count > 40 ? String(s.prefix(40)) + "…" : s }
}

/// The formats a schema may name, checked for their form (the services check meaning: that a
/// country code exists, that an address is deliverable).
package enum SchemaFormat {
    /// Why `s` is not of `format`, or nil (unknown formats are not checked).
    package static func problem(_ format: String, _ s: String) -> String? {
        switch format {
        case "date":
            if date(s) { return nil }
            return wellFormed(s, length: 10)
                ? "\(s) is not a real date (years 1900 to 2200)" : "expected a date like 2026-03-01"
        case "local-date-time":
            if localDateTime(s) { return nil }
            if s.hasSuffix("Z") || s.hasSuffix("z")
                || (s.count > 19 && ["+", "-"].contains(s.dropLast(5).last.map(String.init) ?? ""))
            {
                return "write the local time of the visit's time_zone without an offset, e.g. 2026-03-12T09:00"
            }
            return wellFormed(s, length: 16) || wellFormed(s, length: 19)
                ? "\(s) is not a real date and time (years 1900 to 2200)"
                : "expected a local date and time like 2026-03-12T09:00"
        case "partial-date":
            // A range (`2020/2025`, `../2025-05`): each end a plain year, month or day (the
            // model checks their order).
            let ends = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if ends.count == 2 {
                for (i, end) in ends.enumerated() where !(i == 0 && end == "..") {
                    if end.hasPrefix("~") { return "\(s): a range is not approximate (no ~)" }
                    if let why = problem("partial-date", end) { return why }
                }
                return nil
            }
            let body = Array((s.hasPrefix("~") ? String(s.dropFirst()) : s).utf8)
            let ok: Bool
            switch body.count {
            case 4: ok = digits(body, 0..<4).map { (1900...2200).contains($0) } ?? false
            case 7: ok = realDay(body + Array("-01".utf8))
            default: ok = body.count == 10 && realDay(body)
            }
            if ok { return nil }
            return wellFormed(String(decoding: body, as: UTF8.self), length: 10)
                ? "\(s) is not a real date (years 1900 to 2200)"
                : "expected a year, a month or a day: 2018, 2024-10 or 2024-10-22 (~ in front for an approximate "
                    + "date), or a range: 2020/2025, ../2025-05 (by May 2025)"
        case "date-time": return dateTime(s) ? nil : "expected an RFC 3339 time like 2026-03-01T09:00:00Z"
        case "email":
            let parts = s.split(separator: "@", omittingEmptySubsequences: false)
            let ok =
                parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && s.utf8.count <= 254
                && !s.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
            return ok ? nil : "not an email address"
        case "iso3166-alpha2":
            return s.utf8.count == 2 && s.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
                ? nil
                : "expected a two-letter ISO 3166-1 country code, e.g. TH"
        default: return nil
        }
    }

    /// Digits where a date (and time) has digits, separators where it has them.
    private static func wellFormed(_ s: String, length: Int) -> Bool {
        let b = Array(s.utf8)
        guard b.count == length else { return false }
        for (i, c) in b.enumerated() {
            switch i {
            case 4, 7: if c != 0x2D { return false }
            case 10: if c != 0x54 && c != 0x20 { return false }
            case 13, 16: if c != 0x3A { return false }
            default: if c < 48 || c > 57 { return false }
            }
        }
        return true
    }


    private static func digits(_ b: [UInt8], _ r: Range<Int>) -> Int? { ASCIIDigits.value(b, r) }

    private static func realDay(_ b: [UInt8]) -> Bool {
        guard b.count >= 10, b[4] == 0x2D, b[7] == 0x2D, let y = digits(b, 0..<4), let m = digits(b, 5..<7),
            let d = digits(b, 8..<10),
            (1900...2200).contains(y), (1...12).contains(m)
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }

    private static func clock(_ b: [UInt8], from i: Int) -> Bool {
        guard let h = digits(b, i..<(i + 2)), b.count > i + 2, b[i + 2] == 0x3A, let mi = digits(b, (i + 3)..<(i + 5)),
            h < 24, mi < 60
        else { return false }
        if b.count == i + 5 { return true }
        guard b.count >= i + 8, b[i + 5] == 0x3A, let s = digits(b, (i + 6)..<(i + 8)), s < 60 else { return false }
        return true
    }

    static func date(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 10 && realDay(b)
    }

    static func localDateTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 16 || b.count == 19, realDay(b), b[10] == 0x54 || b[10] == 0x20 else { return false }
        return clock(b, from: 11)
    }

    static func dateTime(_ s: String) -> Bool {
        var b = Array(s.utf8)
        guard b.count >= 20, realDay(b), b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20 else { return false }
        if b.last == 0x5A || b.last == 0x7A {
            b.removeLast()
        } else if b.count >= 25, [0x2B, 0x2D].contains(b[b.count - 6]) {
            b.removeLast(6)
        } else {
            return false
        }
        if let dot = b.firstIndex(of: 0x2E), dot > 18 {
            guard b[(dot + 1)...].allSatisfy({ $0 >= 48 && $0 <= 57 }), dot + 1 < b.count else { return false }
            b.removeSubrange(dot...)
        }
        return b.count == 19 && clock(b, from: 11)
    }
}
