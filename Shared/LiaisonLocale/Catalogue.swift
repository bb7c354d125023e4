import LiaisonJSON

/// One language's messages and calendar words, read from its catalogue file
/// (`Shared/LiaisonLocale/Catalogues/<code>.json`, compiled in). Messages are looked up by key
/// with `{name}` placeholders; a message that depends on a number has one form per plural
/// category of the language (`one`, `few`, …, always `other`).
package struct Catalogue: Sendable {
    /// The language code (`th`, `ar`, …): the file's name.
    package let code: String
    /// The language's own name for itself ("ภาษาไทย").
    package let name: String
    /// Written right to left (Arabic).
    package let rightToLeft: Bool
    /// Month names as a date writes them (January first; Russian's in the genitive).
    package let months: [String]
    /// Weekday names, Monday first.
    package let weekdays: [String]
    /// Added to the year of the Gregorian calendar (543 in Thailand's Buddhist era).
    package let yearOffset: Int
    let plural: PluralRule
    let messages: [String: Message]

    enum Message: Sendable {
        case text(String)
        case plural([String: String])
    }

    /// English: the language every mail also carries, and the fallback of every lookup.
    package static let english = all["en"]!

    /// Every catalogue compiled in, by code. A file that does not parse stops the process at
    /// start-up with its name and the reason (the catalogue test catches it before a release).
    package static let all: [String: Catalogue] = {
        var out: [String: Catalogue] = [:]
        for (code, text) in catalogueFiles {
            do { out[code] = try Catalogue(code: code, json: text) } catch {
                fatalError("catalogue \(code).json: \(error)")
            }
        }
        return out
    }()

    /// The catalogue of the first of `languages` (BCP 47 tags, e.g. `["th", "en"]`, `["zh-Hans"]`)
    /// that Liaison has, by primary subtag; English when none.
    package static func first(of languages: [String]) -> Catalogue {
        for tag in languages {
            let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() }
            if let primary, let c = all[primary] { return c }
        }
        return english
    }

    /// The codes of the catalogues compiled in, sorted, without parsing any (a CLI's `--lang`
    /// lists them on every call: parsing them all was a tenth of its start).
    package static var codes: [String] { catalogueFiles.keys.sorted() }

    /// The catalogue for an explicit code (`--lang`), or nil when Liaison has none.
    package static func named(_ code: String) -> Catalogue? { all[code.lowercased()] }

    /// The message `key` with its placeholders filled; the English message when this catalogue
    /// lacks it, the key itself when English does too.
    package func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        fill(pattern(key, count: nil), values)
    }

    /// The form of `key` for `count` (its plural category in this language), `{n}` set to it.
    package func callAsFunction(_ key: String, count: Int, _ values: [String: String] = [:]) -> String {
        var v = values
        v["n"] = String(count)
        return fill(pattern(key, count: count), v)
    }

    func pattern(_ key: String, count: Int?) -> String {
        switch messages[key] {
        case .text(let s)?: return s
        case .plural(let forms)?:
            let category = count.map { plural.category($0) } ?? "other"
            return forms[category] ?? forms["other"] ?? key
        case nil: return code == "en" ? key : Self.english.pattern(key, count: count)
        }
    }

    func fill(_ pattern: String, _ values: [String: String]) -> String {
        guard pattern.contains("{") else { return pattern }
        var out = ""
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if let v = values[name] { out += v } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The keys this catalogue holds, and for each plural message its categories.
    package var keys: [String: Set<String>?] {
        messages.mapValues { m in
            if case .plural(let forms) = m { return Set(forms.keys) }
            return nil
        }
    }

    /// The plural categories this language distinguishes.
    package var pluralCategories: Set<String> { plural.categories }

    init(code: String, json: String) throws {
        let v = try JSONParser.parse(Array(json.utf8))
        func text(_ k: String) throws -> String {
            guard let s = v[k]?.stringValue else { throw CatalogueError("\(k): expected a string") }
            return s
        }
        func list(_ k: String, _ n: Int) throws -> [String] {
            guard let a = v[k]?.arrayValue, a.count == n else { throw CatalogueError("\(k): expected \(n) strings") }
            return try a.map {
                guard let s = $0.stringValue else { throw CatalogueError("\(k): expected \(n) strings") }
                return s
            }
        }
        self.code = code
        name = try text("language")
        rightToLeft = try text("direction") == "rtl"
        months = try list("months", 12)
        weekdays = try list("weekdays", 7)
        yearOffset = v["year_offset"]?.intValue.map(Int.init) ?? 0
        guard let p = PluralRule(rawValue: try text("plural")) else {
            throw CatalogueError("plural: expected one of \(PluralRule.allCases.map(\.rawValue))")
        }
        plural = p
        guard let m = v["messages"]?.objectValue else { throw CatalogueError("messages: expected an object") }
        var out: [String: Message] = [:]
        for (key, value) in m.members {
            if let s = value.stringValue {
                out[key] = .text(s)
            } else if let forms = value.objectValue {
                var f: [String: String] = [:]
                for (category, form) in forms.members {
                    guard let s = form.stringValue else {
                        throw CatalogueError("messages.\(key).\(category): expected a string")
                    }
                    f[category] = s
                }
                out[key] = .plural(f)
            } else {
                throw CatalogueError("messages.\(key): expected a string or an object of plural forms")
            }
        }
        messages = out
    }
}

/// A catalogue file that cannot be read: what is wrong, by field.
struct CatalogueError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
