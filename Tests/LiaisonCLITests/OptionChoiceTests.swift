import LiaisonAPI
import LiaisonCLI
import LiaisonModels
import LiaisonProcess
import Testing

/// Options over an enum take their values and their help from its cases (as
/// swift-argument-parser's `ExpressibleByArgument & CaseIterable` does): a value that is not a
/// case is refused when the arguments are parsed, naming the cases.
@Suite struct OptionChoiceTests {
    let specs = [OptionSpec(["--status"], MessageStatus.self, "Only messages in this state.")]

    @Test func helpListsEveryCase() {
        let help = specs[0].help
        for c in MessageStatus.allCases { #expect(help.contains(c.rawValue), "\(c.rawValue) missing from: \(help)") }
        #expect(specs[0].choices == MessageStatus.allCases.map(\.rawValue))
    }

    @Test func aCaseIsTakenAndAnythingElseRefusedAtParseTime() throws {
        let ok = try ParsedArgs.parse(["--status", MessageStatus.allCases[0].rawValue], specs: specs)
        #expect(try ok.choice("--status", MessageStatus.self) == MessageStatus.allCases[0])
        #expect(try ParsedArgs.parse([], specs: specs).choice("--status", MessageStatus.self) == nil)
        do {
            _ = try ParsedArgs.parse(["--status", "sideways"], specs: specs)
            Issue.record("an unknown value was taken")
        } catch let e as UsageError {
            #expect(e.description.contains("sideways") && e.description.contains(MessageStatus.allCases[0].rawValue), "\(e)")
        }
    }

    @Test func everyEnumOptionOfTheCLIListsItsCases() {
        var checked = 0
        func walk(_ command: CLICommand, _ path: String) {
            for spec in command.options where spec.choices != nil {
                checked += 1
                for c in spec.choices ?? [] { #expect(spec.help.contains(c), "\(path) \(spec.longName): \(c)") }
            }
            for sub in command.subcommands { walk(sub, path + " " + sub.name) }
        }
        for command in CLI.commands { walk(command, command.name) }
        #expect(checked >= 5, "the CLI has options over enums (\(checked) found)")
    }
}
