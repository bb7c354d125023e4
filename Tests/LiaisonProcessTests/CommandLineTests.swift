import Testing
@testable import LiaisonProcess

/// The argument parser every binary uses, with swift-argument-parser's manners.
@Suite struct CommandLineTests {
    static let specs = [
        OptionSpec(["-f", "--follow"], "Follow."), OptionSpec(["-n", "--lines"], value: "N", "Lines."),
        OptionSpec(["--stream"], value: "S", "Stream."), OptionSpec(["--json"], "JSON."),
    ]

    struct Case: Sendable, CustomStringConvertible {
        var args: [String]
        var flags: Set<String> = []
        var options: [String: [String]] = [:]
        var positionals: [String] = []
        var description: String { args.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(args: ["-fn5"], flags: ["-f"], options: ["-n": ["5"]]), Case(args: ["-fn", "5"], flags: ["-f"], options: ["-n": ["5"]]),
        Case(args: ["-n5"], options: ["-n": ["5"]]), Case(args: ["--lines=7", "--follow"], flags: ["-f"], options: ["-n": ["7"]]),
        Case(args: ["--stream", "out", "x"], options: ["--stream": ["out"]], positionals: ["x"]),
        Case(args: ["--", "-f", "--json"], positionals: ["-f", "--json"]), Case(args: ["-", "-3"], positionals: ["-", "-3"]),
        Case(args: ["-n", "1", "-n", "2"], options: ["-n": ["1", "2"]]),
    ]

    @Test(arguments: cases)
    func parsesAsGetoptWould(_ c: Case) throws {
        let p = try ParsedArgs.parse(c.args, specs: Self.specs)
        #expect(p.flags == c.flags && p.options == c.options && p.positionals == c.positionals)
    }

    @Test(arguments: [
        (["-x"], "unknown option '-x'"), (["--lines"], "--lines needs a value (N)"), (["--json=yes"], "--json takes no value"),
        (["-fx"], "unknown option '-x'"), (["--linez", "3"], "unknown option '--linez'"),
    ])
    func refusesWhatItDoesNotKnow(args: [String], message: String) {
        #expect(throws: (any Error).self) { try ParsedArgs.parse(args, specs: Self.specs) }
        do { _ = try ParsedArgs.parse(args, specs: Self.specs) } catch { #expect("\(error)" == message) }
    }

    @Test func aRefusedSpellingSaysWhatToUseInstead() {
        let specs = [OptionSpec(["--version"], "", refusal: "a record's version is --expect-version N")]
        do {
            _ = try ParsedArgs.parse(["--version", "3"], specs: specs)
            Issue.record("accepted")
        } catch let e as UsageError {
            #expect(e.hint == "a record's version is --expect-version N")
        } catch { Issue.record("\(error)") }
    }

    static func tool() -> CommandLineTool<Void> {
        let leaf = Command<Void>(name: "stop", abstract: "Stop.", usage: "stop SERVICE...", arguments: [("SERVICE...", "Services.")]) {
            _, _ in 0
        }
        let one = Command<Void>(name: "show", abstract: "Show.", usage: "show ID", arguments: [("ID", "Id.")]) { _, _ in 0 }
        let root = Command<Void>(name: "t", abstract: "Test.", usage: "<command>", subcommands: [leaf, one])
        return CommandLineTool(program: "t", root: root, globalOptions: [OptionSpec(["--home"], value: "DIR", "Home.")], version: "9.9") {
            _ in
        }
    }

    @Test func globalOptionsGoBeforeOrAfterTheCommand() {
        let t = Self.tool()
        #expect(t.separateGlobals(["--home", "X", "stop", "a"]) == (["--home", "X"], ["stop", "a"]))
        #expect(t.separateGlobals(["stop", "--home=X", "a", "--", "--home"]) == (["--home=X"], ["stop", "a", "--", "--home"]))
        #expect(t.main(["--home", "/tmp", "stop", "a", "b"]) == 0, "several names")
    }

    @Test func unexpectedArgumentsAndUnknownCommandsAreUsageErrors() {
        let t = Self.tool()
        #expect(t.main(["show", "a", "b"]) == 64)
        #expect(t.main(["nosuch"]) == 64)
        #expect(t.main(["help", "nosuch"]) == 64)
        #expect(t.main(["help", "show"]) == 0)
        #expect(t.main(["--version"]) == 0)
        #expect(t.main(["show", "a", "--version"]) == 64, "--version means the program's, on its own")
    }

    @Test func helpIsWrappedToTheWidth() {
        let text = String(repeating: "word ", count: 40)
        let wrapped = Terminal.wrap("OVERVIEW: " + text, width: 40, indent: 10)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 40 })
        #expect(wrapped.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 10)) })
        let help = Self.tool().root.help(program: "t", path: "", globalOptions: [], width: 50)
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 50 })
    }

    @Test func completionAndManComeFromTheSameTree() {
        let t = Self.tool()
        let bash = t.bashCompletion()
        #expect(bash.contains("\" stop\") words=\"--home -h --help\"") && bash.contains("complete -o default -F _t t"))
        #expect(t.fishCompletion().contains("complete -c t -n '__t_at ' -a stop -d 'Stop.'"), "the root's subcommands, at the empty path")
        let man = t.manPage(date: "2026-11-29")
        #expect(man.hasPrefix(".TH T 1 \"2026-11-29\" \"t 9.9\"") && man.contains(".SS \"t stop\""))
    }

    @Test func figuresHaveThreeSignificantDigits() {
        #expect(threeSignificant(163.839) == "164")
        #expect(threeSignificant(1.23456) == "1.23")
        #expect(threeSignificant(0.0012345) == "0.00123")
        #expect(threeSignificant(99.96) == "100")
        #expect(threeSignificant(12345) == "12300")
        #expect(threeSignificant(-2.5) == "-2.50")
        #expect(threeSignificant(0) == "0")
        #expect(latencyText(micros: 87) == "87.0 µs")
        #expect(latencyText(micros: 163_839) == "164 ms")
        #expect(latencyText(micros: 999.7) == "1.00 ms")
        #expect(latencyText(micros: 2_314_000) == "2.31 s")
        #expect(latencyText(micros: 7_200_000_000) == "7200 s")
    }
}
