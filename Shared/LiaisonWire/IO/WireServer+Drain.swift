import Glibc

/// A stop in progress: when the grace for late calls ends, and what to run once it is over.
struct DrainState {
    var graceOver = false
    var done: (() -> Void)?
}

extension WireServer {
    /// The answer to a call that arrives while the service stops: nothing was done, so sending
    /// it again (on a new connection, which waits for the next process) is safe.
    static let stopping = ServiceError(
        .unavailable,
        "the service is stopping; the call was not applied: connect again and resend it (new connections wait for the "
            + "next process)",
        retryable: true,
        details: ["reason": "stopping", "not_applied": true]
    )

    /// Stops without dropping a call: accepts no new connection (they wait in the listen backlog
    /// for the next process), answers every call already read, answers calls that still arrive
    /// with `unavailable` + `not_applied` for `limits.drainGraceMs`, tells idle connections the
    /// same once (so their next call goes to a new connection), then closes everything and
    /// calls `done`; at `deadlineMs` at the latest. Loop thread.
    package func shutdown(deadlineMs: Int, _ done: @escaping () -> Void) {
        if accepting {
            accepting = false
            loop.unregister(listenFD)
        }
        drain = DrainState(graceOver: false, done: done)
        draining.store(true, ordering: .releasing)
        for c in connections.values {
            if c.phase == .open { c.phase = .draining }
            // Everything already buffered is a call read before the stop: it is still answered.
            if c.isReading { _ = processFrames(c) }
            if c.inFlight.load(ordering: .acquiring) == 0 { notify(c) }
            updateInterest(c)
        }
        loop.schedule(afterMs: min(limits.drainGraceMs, deadlineMs)) { [unowned self] in
            drain?.graceOver = true
            drainProgress()
        }
        loop.schedule(afterMs: deadlineMs) { [unowned self] in finishDrain() }
        drainProgress()
    }

    /// Sends the stopping notice to a connection with nothing in flight, once.
    private func notify(_ c: Connection) {
        guard c.phase == .draining, !c.noticeSent else { return }
        c.noticeSent = true
        send(Message.failure(id: nil, Self.stopping).encoded(), on: c)
    }

    /// After a call finished or the grace ended: connections done with their calls are told to
    /// go (and closed once the grace is over); the stop completes when no call is in flight and
    /// the grace is over (or no connection is left).
    func drainProgress() {
        guard let state = drain else { return }
        for c in Array(connections.values) where c.inFlight.load(ordering: .acquiring) == 0 {
            notify(c)
            // Closed once everything it was sent has gone out (a peer that never reads is cut
            // off at the deadline).
            if state.graceOver && c.flush() == .drained { close(c) }
        }
        if inFlight.load(ordering: .acquiring) == 0 && connections.isEmpty { finishDrain() }
    }

    private func finishDrain() {
        guard let done = drain?.done else { return }
        drain?.done = nil
        for c in Array(connections.values) {
            _ = c.flush()
            close(c)
        }
        done()
    }
}
