import Foundation
import LiaisonJSON
import LiaisonWire

/// What the supervisor runs when a service enters a crash loop or fails (`on_failure`, like
/// systemd's `OnFailure=`): either a program and its arguments, run as they are (`["/usr/local/bin/page",
/// "--team", "intl"]`), or one string run by `/bin/sh -c` (pipes and `$LIAISON_SERVICE` work there).
package enum FailureCommand: Codable, Sendable, Equatable {
    case program([String])
    case shell(String)

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let line = try? c.decode(String.self) {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw DecodingError.dataCorruptedError(
                    in: c,
                    debugDescription: "an empty command; give a shell line or [program, args…]"
                )
            }
            self = .shell(line)
            return
        }
        guard let argv = try? c.decode([String].self) else {
            throw DecodingError.dataCorruptedError(
                in: c,
                debugDescription: "expected a shell line (\"…\") or a program and its arguments ([\"/path\", \"arg\"])"
            )
        }
        guard let first = argv.first, !first.isEmpty else {
            throw DecodingError.dataCorruptedError(
                in: c,
                debugDescription: "the program (the first element) is missing"
            )
        }
        self = .program(argv)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .program(let argv): try c.encode(argv)
        case .shell(let line): try c.encode(line)
        }
    }

    /// The program and arguments to execute.
    package var argv: [String] {
        switch self {
        case .program(let argv): argv
        case .shell(let line): ["/bin/sh", "-c", line]
        }
    }

    /// For logs and checks: the command as the mesh file gives it.
    package var text: String {
        switch self {
        case .program(let argv): argv.joined(separator: " ")
        case .shell(let line): line
        }
    }
}

/// Why a service's `on_failure` ran: it keeps exiting before it is ready (a crash loop), or it
/// failed for good (`failed`: exit 78, max_restarts reached, a missing executable or user).
package enum FailureKind: String, Sendable {
    case crashLoop = "crash-loop"
    case failed
}
