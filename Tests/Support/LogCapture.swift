import LiaisonProcess
import LiaisonSync
import Synchronization

/// Keeps the first lines a logger writes, to put in a failing test's message.
package final class LogCapture: Sendable {
    private let lines = Locked<[String]>([])
    private let keep: Int

    package init(keep: Int = 200) { self.keep = keep }

    /// A logger whose lines land here.
    package func logger(service: String, minimum: LogLevel = .info) -> Logger {
        Logger(service: service, minimum: minimum) { [self] line in lines.withLock { if $0.count < keep { $0.append(line) } } }
    }

    /// What was logged, one line each.
    package var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
