import Foundation

/// One command of the CLI (or a group of subcommands).
package struct Command {
    package var name: String
    /// One line saying what it does.
    package var abstract: String
    /// The usage line after `liaison`.
    package var usage: String
    package var arguments: [(String, String)] = []
    package var options: [OptionSpec] = []
    package var subcommands: [Command] = []
    /// More text after the options.
    package var discussion: String? = nil
    package var run: ((ParsedArgs, CLIContext) throws -> Int32)? = nil

    package init(name: String, abstract: String, usage: String, arguments: [(String, String)] = [], options: [OptionSpec] = [],
                 subcommands: [Command] = [], discussion: String? = nil, run: ((ParsedArgs, CLIContext) throws -> Int32)? = nil) {
        self.name = name
        self.abstract = abstract
        self.usage = usage
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.discussion = discussion
        self.run = run
    }

    /// The help text: OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS.
    package func help(path: String) -> String {
        var s = "OVERVIEW: \(abstract)\n\nUSAGE: liaison \(usage)\n"
        if !arguments.isEmpty {
            s += "\nARGUMENTS:\n"
            let w = arguments.map { $0.0.count }.max() ?? 0
            for (n, h) in arguments { s += "  \(n.padding(toLength: w, withPad: " ", startingAt: 0))  \(h)\n" }
        }
        let all = options + CLI.globalOptions + [OptionSpec(["-h", "--help"], "Show help for this command.")]
        s += "\nOPTIONS:\n"
        let labels = all.map { o in o.names.sorted { $0.count > $1.count }.joined(separator: ", ") + (o.value.map { " \($0)" } ?? "") }
        let w = labels.map(\.count).max() ?? 0
        for (o, l) in zip(all, labels) { s += "  \(l.padding(toLength: w, withPad: " ", startingAt: 0))  \(o.help)\n" }
        if !subcommands.isEmpty {
            s += "\nSUBCOMMANDS:\n"
            let w = subcommands.map(\.name.count).max() ?? 0
            for c in subcommands { s += "  \(c.name.padding(toLength: w, withPad: " ", startingAt: 0))  \(c.abstract)\n" }
            s += "\n  See 'liaison \(path) <subcommand> --help' for a subcommand's options.\n"
        }
        if let discussion { s += "\n\(discussion)\n" }
        return s
    }
}

/// Exit codes with a meaning (sysexits.h).
package enum Exit {
    package static let ok: Int32 = 0
    /// The service answered with an error.
    package static let failed: Int32 = 1
    /// Bad input (invalid params, unreadable file).
    package static let dataError: Int32 = 65
    /// Wrong usage of the command line.
    package static let usage: Int32 = 64
    /// Nothing is running or the service cannot be reached.
    package static let unavailable: Int32 = 69
    /// A temporary failure (busy, timeout): try again.
    package static let tempFail: Int32 = 75
    /// Software error in the CLI itself.
    package static let software: Int32 = 70
}
