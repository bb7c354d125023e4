import Foundation

/// A command line tool: finds the command, parses its options, runs it, and turns failures into
/// exit codes and `Error: …` lines with the usage line. Every Liaison binary parses its
/// arguments with it.
package struct CommandLineTool<Context> {
    /// The program's name as users type it.
    package var program: String
    package var root: Command<Context>
    /// Options every command takes, before or after the command's words.
    package var globalOptions: [OptionSpec]
    /// What `--version` prints.
    package var version: String
    /// Builds the context a command runs with.
    package var makeContext: (ParsedArgs) -> Context
    /// Reports an error the tool knows better than the default `Error: …`; returns the exit
    /// code, or nil to fall back to the default.
    package var report: (any Error, Context) -> Int32? = { _, _ in nil }
    /// What a command's argument takes, for completion: by the command's path and the
    /// argument's name (`SERVICE...`).
    package var argumentValues: ([String], String) -> CompletionValues? = { _, _ in nil }
    /// Sections the man page ends with (`EXIT STATUS`, `ENVIRONMENT`, `FILES`, `SEE ALSO`), as
    /// (title, text) with paragraphs separated by blank lines.
    package var manSections: [(String, String)] = []

    package init(
        program: String,
        root: Command<Context>,
        globalOptions: [OptionSpec] = [],
        version: String,
        makeContext: @escaping (ParsedArgs) -> Context
    ) {
        self.program = program
        self.root = root
        self.globalOptions = globalOptions
        self.version = version
        self.makeContext = makeContext
    }

    /// Takes the global options out of `args` wherever they are (before `--`); returns them
    /// (as arguments, to parse with the command's) and the rest.
    package func separateGlobals(_ args: [String]) -> (globals: [String], rest: [String]) {
        var globals: [String] = [], rest: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" { rest += args[i...]; break }
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if let g = globalOptions.first(where: { $0.names.contains(name) }) {
                globals.append(a)
                if g.value != nil && !a.contains("=") && i + 1 < args.count {
                    globals.append(args[i + 1])
                    i += 1
                }
            } else {
                rest.append(a)
            }
            i += 1
        }
        return (globals, rest)
    }

    /// Runs with `arguments` (without the program name); returns the exit code.
    package func main(_ arguments: [String]) -> Int32 {
        if arguments == ["--version"] || arguments == ["-V"] {
            print("\(program) \(version)")
            return ExitCode.ok
        }
        let (globals, words) = separateGlobals(arguments)
        var path: [String] = []
        var command = root
        var rest = words
        while let first = rest.first, let sub = command.subcommand(first) {
            path.append(first)
            command = sub
            rest.removeFirst()
        }
        // `help A B`, `A B --help`, or a group given nothing to do.
        if rest.first == "help" {
            var target = command, targetPath = path
            for word in rest.dropFirst() {
                guard let sub = target.subcommand(word) else {
                    return usageError(
                        UsageError("no command '\((targetPath + [word]).joined(separator: " "))'"),
                        command: target,
                        path: targetPath
                    )
                }
                target = sub
                targetPath.append(word)
            }
            print(
                target.help(program: program, path: targetPath.joined(separator: " "), globalOptions: globalOptions),
                terminator: ""
            )
            return ExitCode.ok
        }
        if Self.asksForHelp(rest, specs: command.options + globalOptions) || (command.run == nil && rest.isEmpty) {
            print(
                command.help(program: program, path: path.joined(separator: " "), globalOptions: globalOptions),
                terminator: ""
            )
            return ExitCode.ok
        }
        guard let run = command.run else {
            let what = (path + [rest.first ?? ""]).joined(separator: " ")
            return usageError(UsageError("unknown command '\(what)'"), command: command, path: path)
        }
        let parsed: ParsedArgs
        do {
            parsed = try ParsedArgs.parse(globals + rest, specs: command.options + globalOptions + versionRefusal)
            if let max = command.maxPositionals, parsed.positionals.count > max {
                throw UsageError("unexpected argument '\(parsed.positionals[max])'")
            }
        } catch let e as UsageError {
            return usageError(e, command: command, path: path)
        } catch {
            return usageError(UsageError("\(error)"), command: command, path: path)
        }
        let context = makeContext(parsed)
        do {
            return try run(parsed, context)
        } catch let e as UsageError {
            return usageError(e, command: command, path: path)
        } catch {
            if let code = report(error, context) { return code }
            var text = "Error: \(error)\n"
            var code = ExitCode.failure
            if let e = error as? any ReportableError {
                code = e.exitCode
                if let h = e.hint { text += "Hint: \(h)\n" }
            }
            FileHandle.standardError.write(Data(text.utf8))
            return code
        }
    }

    /// `--version` means the program's version, and only on its own.
    var versionRefusal: [OptionSpec] {
        [
            OptionSpec(
                ["--version", "-V"],
                "",
                refusal:
                    "'\(program) --version' (on its own) prints the version; a record's version is --expect-version N"
            )
        ]
    }

    /// Prints `Error: …`, the usage line and a hint on stderr; returns EX_USAGE.
    package func usageError(_ e: UsageError, command: Command<Context>, path: [String]) -> Int32 {
        let at = ([program] + path).joined(separator: " ")
        let hint = e.hint ?? "see '\(at) --help'"
        FileHandle.standardError.write(
            Data("Error: \(e.description)\nUsage: \(program) \(command.usage)\nHint: \(hint)\n".utf8)
        )
        return ExitCode.usage
    }

    /// Whether `-h` or `--help` stands as an option of its own in `args`: not as the value of an
    /// option that takes one (`--grep -h`), nor after `--`.
    static func asksForHelp(_ args: [String], specs: [OptionSpec]) -> Bool {
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            if a == "--" { return false }
            if a == "-h" || a == "--help" { return true }
            // An option that takes a value, given without `=`: its value is the next word.
            if a.hasPrefix("-"), !a.contains("="), let spec = specs.first(where: { $0.names.contains(a) }),
                spec.value != nil
            {
                i += 1
            }
        }
        return false
    }
}
