import Dispatch
import LiaisonJSON
import LiaisonWire
import Synchronization

/// A job that runs on a thread of its own, sleeping between rounds until it is woken or its
/// next round is due, and that stops with a deadline: the outbox relay, the mail senders, the
/// reminders, the daily sweep. Nothing polls: a round says how long it may sleep at most.
///
/// `body` runs one round and returns the longest sleep before the next (`nil`: until woken).
/// `stop` asks the loop to end after the round in progress and waits for its thread to finish.
package final class BackgroundLoop: Sendable {
    /// What a round asks for.
    package enum Sleep: Sendable, Equatable {
        /// Run again at once (more work is waiting).
        case none
        /// Sleep until woken, but at most this many milliseconds.
        case atMost(ms: Int64)
        /// Sleep until woken.
        case untilWoken
    }

    /// The thread's name (first 15 bytes show in `ps -L`).
    package let name: String
    private let body: @Sendable (BackgroundLoop) -> Sleep
    private let wakeSignal = DispatchSemaphore(value: 0)
    private let woken = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// A loop named `name` running `body` for each round; `body` gets the loop to check
    /// `isStopping` inside long rounds.
    package init(name: String, _ body: @escaping @Sendable (BackgroundLoop) -> Sleep) {
        self.name = name
        self.body = body
    }

    /// Starts the thread; once only.
    package func start() throws(SystemError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try OwnedThread.start(name: name) { [self] in
            defer { finished.signal() }
            while !isStopping {
                let sleep = body(self)
                if isStopping { break }
                switch sleep {
                case .none: continue
                case .atMost(let ms): waitForWake(ms: ms)
                case .untilWoken: waitForWake(ms: nil)
                }
            }
        }
    }

    /// Whether `stop` has been asked for.
    package var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Ends the current sleep (several wakes before the next sleep count as one).
    package func wake() {
        if !woken.exchange(true, ordering: .acquiringAndReleasing) { wakeSignal.signal() }
    }

    /// Asks the loop to end and waits up to `timeoutMs` for the round in progress to finish;
    /// returns whether the thread has ended.
    @discardableResult
    package func stop(timeoutMs: Int) -> Bool {
        stopping.store(true, ordering: .releasing)
        guard started.load(ordering: .acquiring) else { return true }
        wakeSignal.signal()
        let ended = finished.wait(timeout: .now() + .milliseconds(max(timeoutMs, 0))) == .success
        if ended { finished.signal() }  // a second stop returns at once too
        return ended
    }

    private func waitForWake(ms: Int64?) {
        if let ms {
            _ = wakeSignal.wait(timeout: .now() + .milliseconds(Int(min(max(ms, 1), 86_400_000))))
        } else {
            wakeSignal.wait()
        }
        woken.store(false, ordering: .releasing)
    }
}
