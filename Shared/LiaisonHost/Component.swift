import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// A part of a service with a life of its own (a relay, the mail senders, a sweep): started once
/// the service can answer calls, stopped before it exits.
package protocol Component: AnyObject, Sendable {
    /// For logs.
    var name: String { get }
    /// Starts the component's work.
    func start() throws
    /// Stops it, waiting at most until `deadline` (monotonic nanoseconds) for work in progress.
    func stop(deadline: UInt64)
}

/// A component made of background loops: started together, stopped together.
package final class LoopsComponent: Component {
    package let name: String
    private let loops: [BackgroundLoop]
    private let before: @Sendable () throws -> Void

    /// `before` runs first at start (recovery work that must precede the loops).
    package init(name: String, loops: [BackgroundLoop], before: @escaping @Sendable () throws -> Void = {}) {
        self.name = name
        self.loops = loops
        self.before = before
    }

    package func start() throws {
        try before()
        for l in loops { try l.start() }
    }

    package func stop(deadline: UInt64) {
        for l in loops { _ = l.stop(timeoutMs: 0) }  // ask them all first
        for l in loops { l.stop(timeoutMs: Components.millisLeft(until: deadline)) }
    }
}

/// Starts components in order and stops them in reverse, each within what is left of a deadline.
package struct Components: Sendable {
    private let items: [any Component]
    private let log: Logger

    package init(_ items: [any Component], log: Logger) { (self.items, self.log) = (items, log) }

    /// Starts each in order; when one fails, those already started are stopped and the error
    /// is rethrown.
    package func start() throws {
        var started: [any Component] = []
        for c in items {
            do { try c.start() } catch {
                log.error("component.start_failed", ["component": c.name, "error": "\(error)"])
                for s in started.reversed() { s.stop(deadline: monotonicNanos() + 1_000_000_000) }
                throw error
            }
            started.append(c)
        }
    }

    /// Stops each in reverse order by `deadline` (monotonic nanoseconds).
    package func stop(deadline: UInt64) {
        for c in items.reversed() { c.stop(deadline: deadline) }
    }

    /// Milliseconds from now until `deadline`, at least 0.
    package static func millisLeft(until deadline: UInt64) -> Int {
        let now = monotonicNanos()
        return deadline > now ? Int((deadline - now) / 1_000_000) : 0
    }
}
