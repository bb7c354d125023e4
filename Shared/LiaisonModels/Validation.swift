/// One thing wrong with a value: the field path (`members[2].email`) and why.
package struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path, empty for the value as a whole.
    package var path: String
    /// What is wrong, e.g. "not an email address".
    package var reason: String

    package init(_ path: String, _ reason: String) { (self.path, self.reason) = (path, reason) }

    package var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Everything wrong with a value, in field order.
package struct ValidationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    package var errors: [ValidationError]
    package init(_ errors: [ValidationError]) { self.errors = errors }
    package var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// Collects validation errors under a path prefix.
package struct Validator {
    package private(set) var errors: [ValidationError] = []
    private var prefix: String

    package init(prefix: String = "") { self.prefix = prefix }

    func path(_ field: String) -> String {
        if prefix.isEmpty { return field }
        if field.isEmpty { return prefix }
        return field.hasPrefix("[") ? prefix + field : prefix + "." + field
    }

    /// Records that `field` is wrong.
    package mutating func fail(_ field: String, _ reason: String) {
        errors.append(ValidationError(path(field), reason))
    }

    /// Records `reason` unless `ok`.
    package mutating func check(_ ok: Bool, _ field: String, _ reason: @autoclosure () -> String) {
        if !ok { fail(field, reason()) }
    }

    /// Validates a nested value under `field`.
    package mutating func nested(_ field: String, _ body: (inout Validator) -> Void) {
        var v = Validator(prefix: path(field))
        body(&v)
        errors.append(contentsOf: v.errors)
    }

    /// Records problems found elsewhere (paths as they are).
    package mutating func add(_ found: [ValidationError]) { errors.append(contentsOf: found) }

    /// Throws everything recorded, if anything.
    package func finish() throws(ValidationErrors) {
        if !errors.isEmpty { throw ValidationErrors(errors) }
    }
}
