import LiaisonCLI
import Foundation
import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// How benches talk while they run: a start line, and on a terminal a progress line that
/// rewrites itself (at most ten times a second); nothing extra when stderr is a pipe or a file.
package final class BenchProgress: Sendable {
    private let err: FileHandle
    private let live: Bool
    private let last = Locked<UInt64>(0)

    /// Says what is about to run.
    package init(_ ctx: CLIContext, _ start: String) {
        ctx.note(start)
        err = ctx.err
        live = isatty(ctx.err.fileDescriptor) == 1
    }

    /// Rewrites the progress line (a terminal only); `phase` lines are never skipped.
    package func update(_ text: @autoclosure () -> String, phase: Bool = false) {
        guard live else { return }
        let now = monotonicNanos()
        guard
            last.withLock({ t in
                if now - t < 100_000_000 && !phase { return false }
                t = now
                return true
            })
        else { return }
        err.write(Data("\r\u{1b}[K  \(text())".utf8))
    }

    /// Clears the progress line.
    package func done() { if live { err.write(Data("\r\u{1b}[K".utf8)) } }
}
