import Foundation
import Glibc

/// One command of a command line tool (or a group of subcommands). `Context` is what the tool
/// builds from the parsed arguments before running a command.
package struct Command<Context> {
    package var name: String
    /// One line saying what it does.
    package var abstract: String
    /// The usage line after the program's name.
    package var usage: String
    /// Positional arguments: NAME (one), [NAME] (optional), NAME... (any number).
    package var arguments: [(String, String)] = []
    package var options: [OptionSpec] = []
    /// The subcommands, built when a command line reaches into the group (the initialiser takes
    /// them unevaluated): a call builds the one group it runs, not every command's options (a
    /// quarter of a CLI call's start was building all of them).
    package var subcommands: [Command] {
        get { makeSubcommands?() ?? listed }
        set { (listed, makeSubcommands) = (newValue, nil) }
    }
    private var listed: [Command] = []
    private var makeSubcommands: (() -> [Command])?
    /// More text after the options.
    package var discussion: String? = nil
    package var run: ((ParsedArgs, Context) throws -> Int32)? = nil

    package init(
        name: String,
        abstract: String,
        usage: String,
        arguments: [(String, String)] = [],
        options: [OptionSpec] = [],
        subcommands: @autoclosure @escaping () -> [Command] = [],
        discussion: String? = nil,
        run: ((ParsedArgs, Context) throws -> Int32)? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.usage = usage
        self.arguments = arguments
        self.options = options
        makeSubcommands = subcommands
        self.discussion = discussion
        self.run = run
    }

    /// How many positionals it takes at most (nil: any number).
    package var maxPositionals: Int? {
        arguments.contains { $0.0.hasSuffix("...") || $0.0.hasSuffix("...]") } ? nil : arguments.count
    }

    /// The subcommand named `name`.
    package func subcommand(_ name: String) -> Command? { subcommands.first { $0.name == name } }

    /// The help text: OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS, wrapped to `width`.
    package func help(program: String, path: String, globalOptions: [OptionSpec], width: Int = Terminal.width) -> String
    {
        var s = Terminal.wrap("OVERVIEW: \(abstract)", width: width, indent: 10) + "\n\n"
        s += Terminal.wrap("USAGE: \(program) \(usage)", width: width, indent: 7) + "\n"
        func table(_ title: String, _ rows: [(String, String)]) {
            guard !rows.isEmpty else { return }
            s += "\n\(title):\n"
            let w = min(rows.map(\.0.count).max() ?? 0, 28)
            for (label, text) in rows {
                let head = "  " + label.padding(toLength: max(w, label.count), withPad: " ", startingAt: 0) + "  "
                if label.count > w {
                    s +=
                        "  \(label)\n"
                        + Terminal.wrap(String(repeating: " ", count: w + 4) + text, width: width, indent: w + 4) + "\n"
                } else {
                    s += Terminal.wrap(head + text, width: width, indent: head.count) + "\n"
                }
            }
        }
        table("ARGUMENTS", arguments)
        let all = options + globalOptions + [OptionSpec(["-h", "--help"], "Show help for this command.")]
        table(
            "OPTIONS",
            all.filter { $0.refusal == nil }.map { o in
                (
                    o.names.sorted { $0.count > $1.count }.joined(separator: ", ") + (o.value.map { " \($0)" } ?? ""),
                    o.help
                )
            }
        )
        if !subcommands.filter(\.isListed).isEmpty {
            table("SUBCOMMANDS", subcommands.filter(\.isListed).map { ($0.name, $0.abstract) })
            let at = path.isEmpty ? program : "\(program) \(path)"
            s +=
                "\n"
                + Terminal.wrap("  See '\(at) help <subcommand>' for a subcommand's options.", width: width, indent: 2)
                + "\n"
        }
        if let discussion { s += "\n" + Terminal.wrap(discussion, width: width, indent: 0) + "\n" }
        return s
    }

    /// Every command below this one with its path, depth first (for completion and man pages).
    package func walk(_ path: [String] = []) -> [([String], Command)] {
        [(path, self)] + subcommands.filter(\.isListed).flatMap { $0.walk(path + [$0.name]) }
    }

    /// Whether help, completion and the man page show it (`__complete`, for the shells' scripts,
    /// is not).
    package var isListed: Bool { !name.hasPrefix("__") }
}

/// The terminal help is written for.
package enum Terminal {
    /// Columns of the terminal on stdout; 80 when it is not one.
    package static var width: Int {
        var ws = winsize()
        guard isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col >= 40 else { return 80 }
        return Int(ws.ws_col)
    }

    /// `text` broken at spaces into lines of at most `width` columns, continuation lines
    /// indented by `indent`.
    package static func wrap(_ text: String, width: Int, indent: Int) -> String {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if candidate.count > width && !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    lines.append(line)
                    line = String(repeating: " ", count: indent) + word
                } else {
                    line = candidate
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
