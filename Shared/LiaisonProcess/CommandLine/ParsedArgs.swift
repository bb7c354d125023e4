import LiaisonJSON

/// A usage error: printed as `Error: …` with the usage line and a hint, exit 64.
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
    /// Refused with this hint when given (a spelling that changed meaning).
    package var refusal: String?
    /// The only values it takes (help lists them, the parser refuses others, completion offers them).
    package var choices: [String]?

    package init(_ names: [String], value: String? = nil, _ help: String, refusal: String? = nil) {
        self.names = names
        self.value = value
        self.help = help
        self.refusal = refusal
    }

    /// An option whose value is one of `E`'s cases; help lists them.
    package init<E: WireEnum>(_ names: [String], _ type: E.Type, _ help: String) {
        self.names = names
        value = names.first { $0.hasPrefix("--") }.map { String($0.dropFirst(2)).uppercased() } ?? "VALUE"
        choices = E.allCases.map(\.rawValue)
        self.help = help + (help.isEmpty ? "" : " ") + "One of: \(E.allowed)."
    }

    /// An option whose value is one of `values`.
    package init(_ names: [String], oneOf values: [String], value: String, _ help: String) {
        self.init(names, value: value, help + " One of: \(values.joined(separator: ", ")).")
        choices = values
    }

    /// The long name if there is one, else the first.
    package var longName: String { names.first { $0.hasPrefix("--") } ?? names[0] }
}

/// Parsed arguments: options by their first name, then positionals.
package struct ParsedArgs {
    package var options: [String: [String]] = [:]
    package var flags: Set<String> = []
    package var positionals: [String] = []
    /// Every option with a value, by its first name, in the order given (for options whose
    /// meaning depends on their place: `import --as S -f FILE`).
    package var sequence: [(name: String, value: String)] = []

    package init() {}

    /// The last value given for `name`.
    package func value(_ name: String) -> String? { options[name]?.last }

    /// Every value given for `name`, in order.
    package func values(_ name: String) -> [String] { options[name] ?? [] }

    /// Whether the flag was given.
    package func has(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option within `range`, or `fallback` when absent.
    package func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError(
                "\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'"
            )
        }
        return v
    }

    /// The value of an option over `E`'s cases (checked when parsed), or nil when absent.
    package func choice<E: WireEnum>(_ name: String, _ type: E.Type) throws -> E? {
        guard let text = value(name) else { return nil }
        guard let v = E(rawValue: text) else { throw UsageError("\(name): '\(text)' is not one of \(E.allowed)") }
        return v
    }

    /// The positional at `i`, or a usage error naming it.
    package func positional(_ i: Int, _ name: String) throws -> String {
        guard i < positionals.count else { throw UsageError("missing \(name)") }
        return positionals[i]
    }

    /// Parses `args` against `specs`, as swift-argument-parser and getopt do: `--name value`,
    /// `--name=value`, `-n value`, `-n5`, bundled short flags (`-fn5`: `-f`, then `-n 5`), and
    /// `--` ending the options. A lone `-` and negative numbers are positionals.
    package static func parse(_ args: [String], specs: [OptionSpec]) throws -> ParsedArgs {
        var out = ParsedArgs()
        var i = 0
        var onlyPositionals = false
        func spec(for name: String) throws -> OptionSpec {
            guard let s = specs.first(where: { $0.names.contains(name) }) else {
                let near = specs.flatMap(\.names).filter { $0.hasPrefix(String(name.prefix(4))) && name.count > 2 }
                throw UsageError(
                    "unknown option '\(name)'",
                    hint: near.isEmpty ? nil : "did you mean \(near.joined(separator: " or "))?"
                )
            }
            if let why = s.refusal { throw UsageError("\(name) does not mean that here", hint: why) }
            return s
        }
        func take(_ s: OptionSpec, _ name: String, _ value: String?) throws {
            let key = s.names[0]
            guard s.value != nil else {
                if value != nil { throw UsageError("\(name) takes no value") }
                out.flags.insert(key)
                return
            }
            guard let given = value ?? (i < args.count ? args[i] : nil) else {
                throw UsageError("\(name) needs a value (\(s.value!))")
            }
            if value == nil { i += 1 }
            if let choices = s.choices, !choices.contains(given) {
                throw UsageError("\(name): '\(given)' is not one of \(choices.joined(separator: ", "))")
            }
            out.options[key, default: []].append(given)
            out.sequence.append((key, given))
        }
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositionals || !a.hasPrefix("-") || a == "-" || Double(a) != nil {
                out.positionals.append(a)
                continue
            }
            if a == "--" { onlyPositionals = true; continue }
            if a.hasPrefix("--") {
                let eq = a.firstIndex(of: "=")
                let name = eq.map { String(a[..<$0]) } ?? a
                try take(try spec(for: name), name, eq.map { String(a[a.index(after: $0)...]) })
                continue
            }
            // Short options, bundled: each letter a flag until one takes a value (the rest of the
            // word, or the next argument).
            var letters = Substring(a.dropFirst())
            while let c = letters.first {
                letters = letters.dropFirst()
                let name = "-\(c)"
                let s = try spec(for: name)
                if s.value != nil {
                    try take(s, name, letters.isEmpty ? nil : String(letters))
                    break
                }
                try take(s, name, nil)
            }
        }
        return out
    }
}
