import LiaisonProcess

/// Backoff between restarts of a child that keeps failing early: 250 ms doubling to 30 s, each
/// delay jittered by ±20 %, back to 250 ms once the child has been healthy for 60 s.
package struct Backoff: Sendable {
    package static let initialMs = 250
    package static let capMs = 30_000
    /// The next delay before jitter.
    package private(set) var baseMs = Backoff.initialMs

    package init() {}

    /// The delay to wait now (with `jitter` in -1...1 scaling ±20 %), doubling the next one.
    package mutating func next(jitter: Double) -> Int {
        let d = Double(baseMs) * (1 + 0.2 * max(-1, min(1, jitter)))
        baseMs = min(baseMs * 2, Backoff.capMs)
        return Int(d.rounded())
    }

    /// Starts over at 250 ms.
    package mutating func reset() { baseMs = Backoff.initialMs }
}

/// What to do after a child exits on its own.
package enum RestartDecision: Equatable, Sendable {
    /// Start it again now.
    case restartNow
    /// Start it again after this many milliseconds.
    case restartAfter(Int)
    /// Leave it stopped; the policy says so.
    case stay(String)
    /// Leave it down as failed; restarting will not help.
    case fail(String)
}

/// The supervisor's restart rules (DESIGN §5), apart from any clock or process.
package enum RestartRules {
    /// Ready this long (ms) earns an immediate restart.
    package static let immediateAfterReadyMs: UInt64 = 1000
    /// Healthy this long (ms) resets the backoff.
    package static let resetAfterHealthyMs: UInt64 = 60_000

    /// Decides for a child that exited with `status` after being ready for `readyMs` (nil if it
    /// never became ready), having been restarted `restarts` times.
    package static func decide(
        status: ChildExit,
        policy: RestartPolicy,
        readyMs: UInt64?,
        restarts: Int,
        maxRestarts: Int?,
        backoff: inout Backoff,
        jitter: Double
    ) -> RestartDecision {
        if status == .exited(78) {
            return .fail("exit 78 (EX_CONFIG): a configuration error; fix it, then `liaison start`")
        }
        switch policy {
        case .never: return .stay("restart policy is never (\(status))")
        case .onFailure where status == .exited(0): return .stay("exited cleanly and the restart policy is on-failure")
        default: break
        }
        if let maxRestarts, restarts >= maxRestarts {
            return .fail("gave up after \(restarts) restarts (max_restarts \(maxRestarts)); last \(status)")
        }
        if let readyMs, readyMs >= resetAfterHealthyMs { backoff.reset() }
        if let readyMs, readyMs >= immediateAfterReadyMs { return .restartNow }
        return .restartAfter(backoff.next(jitter: jitter))
    }
}
