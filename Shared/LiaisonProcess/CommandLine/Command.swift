import Foundation

/// One command of a command line tool (or a group of subcommands). `Context` is what the tool
/// builds from the parsed arguments before running a command.
package struct Command<Context> {
    package var name: String
    /// One line saying what it does.
    package var abstract: String
    /// The usage line after the program's name.
    package var usage: String
    package var arguments: [(String, String)] = []
    package var options: [OptionSpec] = []
    package var subcommands: [Command] = []
    /// More text after the options.
    package var discussion: String? = nil
    package var run: ((ParsedArgs, Context) throws -> Int32)? = nil

    package init(
        name: String, abstract: String, usage: String, arguments: [(String, String)] = [], options: [OptionSpec] = [],
        subcommands: [Command] = [], discussion: String? = nil, run: ((ParsedArgs, Context) throws -> Int32)? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.usage = usage
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.discussion = discussion
        self.run = run
    }

    /// The help text: OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS. `path` is the command's
    /// words after the program's name.
    package func help(program: String, path: String, globalOptions: [OptionSpec]) -> String {
        var s = "OVERVIEW: \(abstract)\n\nUSAGE: \(program) \(usage)\n"
        if !arguments.isEmpty {
            s += "\nARGUMENTS:\n"
            let w = arguments.map { $0.0.count }.max() ?? 0
            for (n, h) in arguments { s += "  \(n.padding(toLength: w, withPad: " ", startingAt: 0))  \(h)\n" }
        }
        let all = options + globalOptions + [OptionSpec(["-h", "--help"], "Show help for this command.")]
        s += "\nOPTIONS:\n"
        let labels = all.map { o in o.names.sorted { $0.count > $1.count }.joined(separator: ", ") + (o.value.map { " \($0)" } ?? "") }
        let w = labels.map(\.count).max() ?? 0
        for (o, l) in zip(all, labels) { s += "  \(l.padding(toLength: w, withPad: " ", startingAt: 0))  \(o.help)\n" }
        if !subcommands.isEmpty {
            s += "\nSUBCOMMANDS:\n"
            let w = subcommands.map(\.name.count).max() ?? 0
            for c in subcommands { s += "  \(c.name.padding(toLength: w, withPad: " ", startingAt: 0))  \(c.abstract)\n" }
            let at = path.isEmpty ? program : "\(program) \(path)"
            s += "\n  See '\(at) <subcommand> --help' for a subcommand's options.\n"
        }
        if let discussion { s += "\n\(discussion)\n" }
        return s
    }
}

/// A command line tool: finds the command, parses its options, runs it, and turns failures into
/// exit codes and `Error: …` lines. Every Liaison binary parses its arguments with it.
package struct CommandLineTool<Context> {
    /// The program's name as users type it.
    package var program: String
    package var root: Command<Context>
    /// Options every command takes.
    package var globalOptions: [OptionSpec]
    /// Builds the context a command runs with.
    package var makeContext: (ParsedArgs) -> Context
    /// Reports an error the tool knows better than the default `Error: …`; returns the exit
    /// code, or nil to fall back to the default.
    package var report: (any Error, Context) -> Int32? = { _, _ in nil }

    package init(program: String, root: Command<Context>, globalOptions: [OptionSpec] = [], makeContext: @escaping (ParsedArgs) -> Context)
    {
        self.program = program
        self.root = root
        self.globalOptions = globalOptions
        self.makeContext = makeContext
    }

    /// Runs with `arguments` (without the program name); returns the exit code.
    package func main(_ arguments: [String]) -> Int32 {
        var path: [String] = []
        var command = root
        var rest = arguments
        while let first = rest.first, let sub = command.subcommands.first(where: { $0.name == first }) {
            path.append(first)
            command = sub
            rest.removeFirst()
        }
        let pathText = path.joined(separator: " ")
        if rest.contains("-h") || rest.contains("--help") || rest.first == "help" || (command.run == nil && rest.isEmpty) {
            if rest.first == "help", rest.count > 1, let sub = command.subcommands.first(where: { $0.name == rest[1] }) {
                print(
                    sub.help(program: program, path: (path + [sub.name]).joined(separator: " "), globalOptions: globalOptions),
                    terminator: "")
            } else {
                print(command.help(program: program, path: pathText, globalOptions: globalOptions), terminator: "")
            }
            return ExitCode.ok
        }
        guard let run = command.run else {
            let what = rest.first ?? ""
            return usageError(UsageError("unknown command '\(pathText.isEmpty ? what : pathText + " " + what)'"), path: pathText)
        }
        let parsed: ParsedArgs
        do { parsed = try ParsedArgs.parse(rest, specs: command.options + globalOptions) } catch let e as UsageError {
            return usageError(e, path: pathText)
        } catch { return usageError(UsageError("\(error)"), path: pathText) }
        let context = makeContext(parsed)
        do {
            return try run(parsed, context)
        } catch let e as UsageError {
            return usageError(e, path: pathText)
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

    /// Prints `Error: …` and a hint on stderr; returns EX_USAGE.
    package func usageError(_ e: UsageError, path: String) -> Int32 {
        let hint = e.hint ?? "see '\(program) \(path.isEmpty ? "" : path + " ")--help'"
        FileHandle.standardError.write(Data("Error: \(e.description)\nHint: \(hint)\n".utf8))
        return ExitCode.usage
    }
}
