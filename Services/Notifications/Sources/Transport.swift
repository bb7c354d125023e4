import Foundation
import Glibc
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// What happened to one hand-over to the MTA.
enum SendOutcome: Equatable {
    /// Handed over (sendmail exit 0, or the file written).
    case sent(output: String)
    /// Try again later: EX_TEMPFAIL (75), EX_OSERR (71), sendmail could not be started.
    case retry(reason: String, output: String)
    /// Unknown: killed at the timeout or ended by a signal, the MTA may have taken the message
    /// (a slow sendmail got the same message on each of five attempts). Not tried again.
    case uncertain(reason: String, output: String)
    /// Never going to work: any other exit; the MTA's stderr is kept.
    case dead(reason: String, output: String)

    /// What the MTA said.
    var output: String {
        switch self {
        case .sent(let o), .retry(_, let o), .uncertain(_, let o), .dead(_, let o): o
        }
    }
}

/// Hands built messages to sendmail (no shell, no -t: the recipient is an argument after `--`)
/// or writes them as .eml files.
struct Transport: Sendable {
    let settings: NotificationsSettings

    func send(raw: [UInt8], recipient: String, messageID: String) -> SendOutcome {
        // Belt and braces: the address was checked when the message was built; check again right
        // before it becomes an argument.
        if let why = EmailAddress.problem(recipient) { return .dead(reason: "recipient refused: \(why)", output: "") }
        switch settings.transport {
        case .sendmail(let path): return sendmail(path, raw: raw, recipient: recipient)
        case .file(let dir): return writeFile(dir, raw: raw, messageID: messageID)
        }
    }

    /// `path -i -f <bounce> -- <recipient>`, the message on stdin.
    static func arguments(bounce: String, recipient: String) -> [String] { ["-i", "-f", bounce, "--", recipient] }

    private func sendmail(_ path: String, raw: [UInt8], recipient: String) -> SendOutcome {
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(
                path,
                Self.arguments(bounce: settings.bounce, recipient: recipient),
                input: raw,
                timeoutMs: settings.timeoutMs,
                ownGroup: false  // in the service's group: it stops with the service
            )
        } catch {
            return .retry(reason: "could not run \(path): \(error)", output: "")
        }
        let output = String(
            decoding: result.stderr + (result.stdout.isEmpty ? [] : Array("\n".utf8) + result.stdout),
            as: UTF8.self
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
        if result.timedOut {
            return .uncertain(reason: "sendmail did not finish within \(settings.timeoutMs) ms; killed", output: output)
        }
        switch result.exit {
        case .exited(0): return .sent(output: output)
        case .exited(75): return .retry(reason: "sendmail exit 75 (EX_TEMPFAIL)", output: output)
        case .exited(71): return .retry(reason: "sendmail exit 71 (EX_OSERR)", output: output)
        case .signaled: return .uncertain(reason: "sendmail ended by \(result.exit)", output: output)
        case .exited(let code): return .dead(reason: "sendmail exit \(code)", output: output)
        }
    }

    private func writeFile(_ dir: String, raw: [UInt8], messageID: String) -> SendOutcome {
        let safe = String(
            messageID.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "@" ? $0 : "_" }
        )
        let path = "\(dir)/\(safe).eml"
        do {
            try Listener.makeDirectories(dir, mode: 0o750)
            let tmp = path + ".tmp"
            guard FileManager.default.createFile(atPath: tmp, contents: Data(raw)) else {
                return .retry(reason: "cannot write \(tmp)", output: "")
            }
            guard rename(tmp, path) == 0 else {
                return .retry(reason: "cannot rename to \(path): \(SystemError("rename"))", output: "")
            }
            return .sent(output: "written to \(path)")
        } catch {
            return .retry(reason: "cannot write into \(dir): \(error)", output: "")
        }
    }
}
