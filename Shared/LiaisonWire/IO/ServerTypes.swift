import LiaisonJSON
import Glibc
import Synchronization

/// Limits a server enforces, so that no caller can take it down or crowd others out.
package struct ServerLimits: Sendable {
    /// Largest frame payload accepted, and largest answer sent (clamped to 16 MiB).
    package var maxFrame = FrameLimits.defaultMax
    /// Open connections at once; one more is answered `busy` and closed.
    package var maxConnections = 1024
    /// One peer uid's share of `maxConnections` (the rest stays for other uids).
    package var maxConnectionsPerUID = 768
    /// Connections kept beyond `maxConnections` for control calls (health checks, `service.*`,
    /// `supervisor.*`): a caller arriving when the ordinary slots are full still gets one, may
    /// make only control calls on it, and loses it when idle for `reservedIdleMs`.
    package var reservedConnections = 16
    package var reservedIdleMs = 2000
    /// A connection with no call in flight and no bytes for this long is closed, with a notice.
    package var idleTimeoutMs = 600_000
    /// Calls read from one connection and not yet answered; at this many, reading it pauses
    /// until answers go out (its next calls wait in the socket).
    package var maxInFlightPerConnection = 32
    /// How long a peer may leave a frame half-sent before it is cut off.
    package var frameDeadlineMs = 10_000
    /// Buffered output at which a connection stops being read until its peer catches up.
    package var outputHighWater = 4 << 20
    /// Bytes of half-received frames all connections may hold together; past it, connections
    /// sending more wait (and are cut off at the frame deadline).
    package var partialFrameBudget = 64 << 20
    /// While stopping: how long calls arriving on open connections are still answered (with a
    /// retryable `unavailable`, `not_applied: true`) before the connections are closed.
    package var drainGraceMs = 250

    package init() {}

    /// The most memory one connection can hold in answers its peer does not read: the high
    /// water mark, plus one answer of at most `maxFrame` for each call in flight.
    package var outputBoundPerConnection: Int {
        outputHighWater + maxInFlightPerConnection * (FrameLimits.clamp(maxFrame) + 4)
    }
}

/// How urgently a method is served: control calls (health checks, `service.*`, `supervisor.*`)
/// never wait behind client work.
package enum Lane: Sendable {
    case normal
    case control
}

/// A call as the server hands it to the dispatcher.
package struct IncomingCall: Sendable {
    package var id, method: String
    package var params: JSONValue
    package var oneway: Bool
    package var timeoutMs: Int?
    package var peer: PeerCredentials
    /// When the frame was decoded (monotonic nanoseconds).
    package var receivedNanos: UInt64

    package init(
        id: String,
        method: String,
        params: JSONValue,
        oneway: Bool = false,
        timeoutMs: Int? = nil,
        peer: PeerCredentials,
        receivedNanos: UInt64 = monotonicNanos()
    ) {
        (self.id, self.method, self.params, self.oneway) = (id, method, params, oneway)
        (self.timeoutMs, self.peer, self.receivedNanos) = (timeoutMs, peer, receivedNanos)
    }
}

/// Receives calls from a server; runs on the loop thread and must not block: work that may
/// block goes to a worker, which answers through the responder.
package protocol CallDispatcher: Sendable {
    /// Whether this peer may talk to the service at all; an error is sent and the connection closed.
    func admit(_ peer: PeerCredentials) -> ServiceError?
    /// The lane `method` runs in.
    func lane(of method: String) -> Lane
    /// Handles one call.
    func dispatch(_ call: IncomingCall, _ responder: Responder)
}

extension CallDispatcher {
    /// `service.*` and `supervisor.*` are control calls; everything else is ordinary work.
    package func lane(of method: String) -> Lane {
        method.hasPrefix("service.") || method.hasPrefix("supervisor.") ? .control : .normal
    }
}

/// Answers one call, once, from any thread.
package final class Responder: Sendable {
    private let connection: Connection
    private let server: WireServer
    /// The call's id.
    package let id: String
    /// No answer is wanted; `reply`/`fail` only finish the call.
    package let oneway: Bool
    private let done = Atomic<Bool>(false)

    init(connection: Connection, server: WireServer, id: String, oneway: Bool) {
        self.connection = connection
        self.server = server
        self.id = id
        self.oneway = oneway
    }

    /// Sends a result; one that would not fit a frame is refused with `result_too_large`.
    package func reply(_ result: JSONValue) {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if !oneway {
            let bytes = EnvelopeWriter.reply(id: id, capacity: 256) { $0.write(result) }
            server.send(
                bytes.count <= server.maxFrame ? bytes : server.tooLarge(id: id, size: bytes.count),
                on: connection
            )
        }
        server.callFinished(on: connection)
    }

    /// Sends an error.
    package func fail(_ error: ServiceError) {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if !oneway { server.send(Message.failure(id: id, error).encoded(), on: connection) }
        server.callFinished(on: connection)
    }

    deinit {
        // A handler that dropped its responder still ends the call, so shutdown never waits on it.
        if !done.load(ordering: .acquiring) {
            if !oneway {
                server.send(
                    Message.failure(id: id, ServiceError(.internal, "the call ended without an answer")).encoded(),
                    on: connection
                )
            }
            server.callFinished(on: connection)
        }
    }
}
