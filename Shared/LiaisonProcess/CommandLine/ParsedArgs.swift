/// A usage error: printed as `Error: …` with a hint, exit 64.
package struct UsageError: Error, CustomStringConvertible {
    package var description: String
    package var hint: String?
    package init(_ d: String, hint: String? = nil) {
        description = d
        self.hint = hint
    }
}

/// An error a command line tool reports as `Error: …` (and `Hint: …`) with its own exit code.
package protocol ReportableError: Error, CustomStringConvertible {
    /// The process exit code (`ExitCode`).
    var exitCode: Int32 { get }
    /// What to do about it, when there is something to say.
    var hint: String? { get }
}

/// An option a command accepts.
package struct OptionSpec: Sendable {
    /// Names, e.g. `["--lines", "-n"]`.
    package var names: [String]
    /// The value's placeholder (`N`), nil for a flag.
    package var value: String?
    /// One line of help.
    package var help: String

    package init(_ names: [String], value: String? = nil, _ help: String) {
        self.names = names
        self.value = value
        self.help = help
    }
}

/// Parsed arguments: options by their first name, then positionals.
package struct ParsedArgs {
    package var options: [String: [String]] = [:]
    package var flags: Set<String> = []
    package var positionals: [String] = []

    /// The last value given for `name`.
    package func value(_ name: String) -> String? { options[name]?.last }

    /// Whether the flag was given.
    package func has(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option within `range`, or `fallback` when absent.
    package func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return v
    }

    /// The positional at `i`, or a usage error naming it.
    package func positional(_ i: Int, _ name: String) throws -> String {
        guard i < positionals.count else { throw UsageError("missing \(name)") }
        return positionals[i]
    }

    /// Parses `args` against `specs`; `--` ends options.
    package static func parse(_ args: [String], specs: [OptionSpec]) throws -> ParsedArgs {
        var out = ParsedArgs()
        var i = 0
        var onlyPositionals = false
        func spec(for name: String) -> OptionSpec? { specs.first { $0.names.contains(name) } }
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositionals || !a.hasPrefix("-") || a == "-" || Double(a) != nil {
                out.positionals.append(a)
                continue
            }
            if a == "--" { onlyPositionals = true; continue }
            var name = a
            var inline: String? = nil
            if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            guard let s = spec(for: name) else {
                throw UsageError("unknown option '\(name)'", hint: nil)
            }
            let key = s.names[0]
            if s.value != nil {
                if let inline { out.options[key, default: []].append(inline); continue }
                guard i < args.count else { throw UsageError("\(name) needs a value (\(s.value!))") }
                out.options[key, default: []].append(args[i])
                i += 1
            } else {
                if inline != nil { throw UsageError("\(name) takes no value") }
                out.flags.insert(key)
            }
        }
        return out
    }
}
