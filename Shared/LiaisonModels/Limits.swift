/// Size limits on what callers write, so one request cannot exhaust memory or storage.
package enum Limits {
    package static let title = 200
    package static let name = 200
    package static let shortText = 500
    package static let purpose = 4000
    package static let notes = 10_000
    package static let topics = 50
    package static let topic = 100
    package static let members = 500
    package static let hosts = 200
    package static let itinerary = 1000
    package static let attendees = 500
    package static let languages = 20
    package static let email = 254
    package static let phone = 40
    package static let reason = 2000
    package static let externalKey = 128
    package static let partners = 50
    package static let people = 500
}

extension Validator {
    /// Checks a required text: not blank, at most `max` characters, no control characters
    /// other than newlines and tabs (when `multiline`).
    package mutating func text(_ value: String, _ field: String, max: Int, multiline: Bool = false) {
        if value.trimmingWhitespace().isEmpty { fail(field, "must not be empty"); return }
        optionalText(value, field, max: max, multiline: multiline)
    }

    /// Checks a text the call must give (`why` says what it is for when it is missing).
    package mutating func requiredText(
        _ value: String?,
        _ field: String,
        max: Int,
        multiline: Bool = false,
        why: String
    ) {
        guard let value else { return fail(field, "required: \(why)") }
        text(value, field, max: max, multiline: multiline)
    }

    /// Checks an optional text's length and characters.
    package mutating func optionalText(_ value: String?, _ field: String, max: Int, multiline: Bool = false) {
        guard let value else { return }
        let n = value.count
        if n > max { fail(field, "at most \(max) characters (got \(n))"); return }
        for u in value.unicodeScalars where u.value < 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) {
            if multiline && (u == "\n" || u == "\t" || u == "\r") { continue }
            fail(field, "contains a control character (U+\(String(u.value, radix: 16, uppercase: true)))")
            return
        }
    }

    /// Checks a list's length.
    package mutating func count<T>(_ list: [T], _ field: String, max: Int) -> Bool {
        if list.count > max { fail(field, "at most \(max) entries (got \(list.count))"); return false }
        return true
    }

    /// Checks a person as members, hosts and the registry's people give them: their name (romanised
    /// and in their own script), one more line of who they are (`title` or `unit`), phone, email.
    package mutating func person(
        name: String,
        nameLocal: String?,
        _ line: (value: String?, field: String),
        phone: String?,
        email: String?
    ) {
        text(name, "name", max: Limits.name)
        optionalText(nameLocal, "name_local", max: Limits.name)
        optionalText(line.value, line.field, max: Limits.name)
        optionalText(phone, "phone", max: Limits.phone)
        self.email(email, "email")
    }

    /// Checks an email address.
    package mutating func email(_ value: String?, _ field: String) {
        guard let value else { return }
        if let why = EmailAddress.problem(value) { fail(field, why) }
    }
}

extension String {
    /// The string without leading and trailing white space.
    package func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// Email address checks: what we accept as a recipient and may hand to an MTA.
package enum EmailAddress {
    /// Why `s` is not an acceptable address, or nil. Refuses leading `-` (it would read as an
    /// option to sendmail), white space, control characters, quotes and angle brackets.
    package static func problem(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        if s.utf8.count > Limits.email { return "at most \(Limits.email) bytes" }
        if s.hasPrefix("-") { return "must not start with '-'" }
        for u in s.unicodeScalars {
            if u.value <= 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) {
                return "not an email address (contains white space or a control character)"
            }
            if "\"<>(),;:[]\\".unicodeScalars.contains(u) { return "not an email address (contains '\(u)')" }
        }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return "not an email address" }
        let local = parts[0], domain = parts[1]
        if local.utf8.count > 64 { return "not an email address (the part before @ is over 64 bytes)" }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            return "not an email address (dots in the wrong place)"
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 || domain == "localhost" else { return "not an email address (the domain needs a dot)" }
        for l in labels {
            if l.isEmpty || l.utf8.count > 63 || l.hasPrefix("-") || l.hasSuffix("-") {
                return "not an email address (bad domain)"
            }
        }
        return nil
    }
}
