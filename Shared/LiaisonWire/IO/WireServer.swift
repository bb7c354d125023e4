import CLiaisonShims
import Glibc
import Synchronization

/// Limits a server enforces.
package struct ServerLimits: Sendable {
    /// Largest frame payload accepted (clamped to 16 MiB).
    package var maxFrame = FrameLimits.defaultMax
    /// Open connections at once; one more is answered `busy` and closed.
    package var maxConnections = 1024
    /// Calls in flight on one connection; one more is answered `busy`.
    package var maxInFlightPerConnection = 4096
    /// How long a peer may leave a frame half-sent before it is cut off.
    package var frameDeadlineMs = 10_000
    /// Buffered output at which a connection stops being read until its peer catches up.
    package var outputHighWater = 4 << 20

    package init() {}
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
        id: String, method: String, params: JSONValue, oneway: Bool = false, timeoutMs: Int? = nil, peer: PeerCredentials,
        receivedNanos: UInt64 = monotonicNanos()
    ) {
        self.id = id
        self.method = method
        self.params = params
        self.oneway = oneway
        self.timeoutMs = timeoutMs
        self.peer = peer
        self.receivedNanos = receivedNanos
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

    /// Sends a result.
    package func reply(_ result: JSONValue) { finish(Message.reply(id: id, result: result)) }

    /// Sends an error.
    package func fail(_ error: ServiceError) { finish(Message.failure(id: id, error)) }

    private func finish(_ m: Message) { finishBytes(m.encoded()) }

    private func finishBytes(_ payload: @autoclosure () -> [UInt8]) {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if !oneway { server.send(payload(), on: connection) }
        server.callFinished(on: connection)
    }

    deinit {
        // A handler that dropped its responder still ends the call, so shutdown never waits on it.
        if !done.load(ordering: .acquiring) {
            if !oneway {
                server.send(Message.failure(id: id, ServiceError(.internal, "the call ended without an answer")).encoded(), on: connection)
            }
            server.callFinished(on: connection)
        }
    }
}

/// Receives calls from a server; runs on the loop thread and must not block: work that may
/// block goes to a worker, which answers through the responder.
package protocol CallDispatcher: Sendable {
    /// Whether this peer may talk to the service at all; an error is sent and the connection closed.
    func admit(_ peer: PeerCredentials) -> ServiceError?
    /// Handles one call.
    func dispatch(_ call: IncomingCall, _ responder: Responder)
}

/// A Unix-socket server on an event loop: many connections, one thread, length-prefixed frames.
///
/// `@unchecked Sendable`: all mutable state is touched on the loop thread, except `inFlight`
/// (atomic) and what `Connection` guards itself.
package final class WireServer: @unchecked Sendable {
    private let loop: EventLoop
    private let listenFD: Int32
    private let limits: ServerLimits
    private let dispatcher: any CallDispatcher
    private let log: @Sendable (String, [(String, String)]) -> Void
    private var connections: [Int32: Connection] = [:]
    private var nextSerial: UInt64 = 1
    private var accepting = false
    private var drainCompletion: (() -> Void)? = nil
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// A server answering on `listenFD` (already listening). `log` gets an event name and fields.
    package init(
        listenFD: Int32, loop: EventLoop, limits: ServerLimits, dispatcher: any CallDispatcher,
        log: @escaping @Sendable (String, [(String, String)]) -> Void = { _, _ in }
    ) {
        self.listenFD = listenFD
        self.loop = loop
        self.limits = limits
        self.dispatcher = dispatcher
        self.log = log
    }

    /// Open connections; loop thread.
    package var connectionCount: Int { connections.count }

    /// Starts accepting; loop thread (or before the loop runs).
    package func start() {
        try? FD.setNonBlocking(listenFD)
        accepting = true
        loop.register(listenFD, .readable) { [unowned self] _ in self.acceptAll() }
    }

    /// Stops accepting new connections, waits for calls in flight (up to `deadlineMs`), then
    /// flushes answers and closes every connection before calling `done`; loop thread.
    package func shutdown(deadlineMs: Int, _ done: @escaping () -> Void) {
        if accepting {
            accepting = false
            loop.unregister(listenFD)
        }
        for c in connections.values {
            // Read no more requests; answers to the ones in flight still go out.
            switch c.phase {
            case .reading, .pausedForOutput: c.phase = .stopped
            case .stopped, .peerClosed: break
            }
            updateInterest(c)
        }
        drainCompletion = done
        draining.store(true, ordering: .releasing)
        loop.schedule(afterMs: deadlineMs) { [unowned self] in self.finishDrain() }
        if inFlight.load(ordering: .acquiring) == 0 { finishDrain() }
    }

    private func finishDrain() {
        guard let done = drainCompletion else { return }
        drainCompletion = nil
        for c in Array(connections.values) {
            _ = c.flush()
            close(c)
        }
        done()
    }

    // MARK: accepting

    private func acceptAll() {
        while accepting {
            let (fd, e) = restartingEINTR { liaison_accept4(listenFD, liaison_sock_cloexec() | liaison_sock_nonblock()) }
            if fd < 0 {
                if e == ECONNABORTED { continue }
                if e != EAGAIN && e != EWOULDBLOCK {
                    log("accept.failed", [("error", SystemError("accept4", errno: e).description)])
                    if e == EMFILE || e == ENFILE {
                        // Out of descriptors: pause accepting briefly instead of spinning.
                        loop.unregister(listenFD)
                        loop.schedule(afterMs: 100) { [unowned self] in if self.accepting { self.start() } }
                    }
                }
                return
            }
            var uid: UInt32 = 0, gid: UInt32 = 0, pid: Int32 = 0
            _ = liaison_peercred(fd, &uid, &gid, &pid)
            let peer = PeerCredentials(uid: uid, gid: gid, pid: pid)
            if connections.count >= limits.maxConnections {
                reject(fd, ServiceError(.busy, "too many connections (limit \(limits.maxConnections))", details: ["retry_after_ms": 100]))
                log("connection.refused", [("reason", "limit"), ("limit", String(limits.maxConnections))])
                continue
            }
            if let denied = dispatcher.admit(peer) {
                reject(fd, denied)
                log("connection.denied", [("peer.uid", String(uid)), ("peer.pid", String(pid))])
                continue
            }
            let c = Connection(fd: fd, serial: nextSerial, peer: peer, maxFrame: limits.maxFrame)
            nextSerial += 1
            connections[fd] = c
            loop.register(fd, [.readable, .hangup]) { [unowned self] ev in self.handle(c, ev) }
        }
    }

    private func reject(_ fd: Int32, _ error: ServiceError) {
        let bytes = Message.failure(id: nil, error).framed()
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        FD.close(fd)
    }

    // MARK: connection events

    private func handle(_ c: Connection, _ ev: EventLoop.Events) {
        if ev.contains(.writable) || ev.contains(.error) {
            switch c.flush() {
            case .broken: close(c); return
            case .more: break
            case .drained:
                if c.closesAfterFlush { close(c); return }
                switch c.phase {
                case .peerClosed where c.inFlight.load(ordering: .acquiring) == 0: close(c); return
                case .pausedForOutput where drainCompletion == nil: c.phase = .reading(partialSince: nil, deadlineArmed: false)
                default: break
                }
                updateInterest(c)
            }
        }
        if c.isReading && (ev.contains(.readable) || ev.contains(.hangup)) {
            readAvailable(c)
        }
    }

    private func updateInterest(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        var interest: EventLoop.Events = []
        if c.isReading { interest.formUnion([.readable, .hangup]) }
        if c.wantsWritable { interest.insert(.writable) }
        loop.modify(c.fd, interest)
    }

    private func readAvailable(_ c: Connection) {
        for _ in 0..<8 {
            let (n, e) = restartingEINTR { readBuffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) } }
            if n < 0 {
                if e == EAGAIN || e == EWOULDBLOCK { break }
                close(c)
                return
            }
            if n == 0 {
                c.peerClosed()
                if c.inFlight.load(ordering: .acquiring) == 0 && c.pendingOutput == 0 { close(c); return }
                updateInterest(c)
                break
            }
            readBuffer.withUnsafeBytes { c.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            if !processFrames(c) { return }
            if c.pendingOutput > limits.outputHighWater {
                c.phase = .pausedForOutput
                updateInterest(c)
                break
            }
            if n < readBuffer.count { break }
        }
        trackPartialFrame(c)
    }

    /// Decodes and dispatches every complete frame; false when the connection was closed.
    private func processFrames(_ c: Connection) -> Bool {
        while true {
            let payload: [UInt8]?
            do { payload = try c.decoder.next() } catch {
                let code: ErrorCode = if case .tooLarge = error { .frameTooLarge } else { .invalidRequest }
                log("frame.rejected", [("reason", error.description), ("connection", String(c.serial))])
                sendAndClose(c, Message.failure(id: nil, ServiceError(code, error.description, retryable: false)))
                return false
            }
            guard let payload else { return true }
            let message: Message
            do { message = try Message.decode(payload) } catch {
                if !error.oneway { send(Message.failure(id: error.id, error.error).encoded(), on: c) }
                continue
            }
            guard message.kind == .call, let id = message.id, let method = message.method else {
                // Services take calls only; stray replies are dropped rather than answered.
                continue
            }
            if c.inFlight.load(ordering: .relaxed) >= limits.maxInFlightPerConnection {
                if !message.oneway {
                    send(
                        Message.failure(
                            id: id,
                            ServiceError(
                                .busy, "too many calls in flight on this connection (limit \(limits.maxInFlightPerConnection))",
                                details: ["retry_after_ms": 10])
                        ).encoded(), on: c)
                }
                continue
            }
            c.inFlight.wrappingAdd(1, ordering: .relaxed)
            inFlight.wrappingAdd(1, ordering: .relaxed)
            let call = IncomingCall(
                id: id, method: method, params: message.params, oneway: message.oneway,
                timeoutMs: message.timeoutMs, peer: c.peer, receivedNanos: monotonicNanos())
            dispatcher.dispatch(call, Responder(connection: c, server: self, id: id, oneway: message.oneway))
        }
    }

    private func trackPartialFrame(_ c: Connection) {
        guard connections[c.fd] === c, case .reading(let since, let armed) = c.phase else { return }
        if c.decoder.bufferedCount == 0 { c.phase = .reading(partialSince: nil, deadlineArmed: armed); return }
        let started = since ?? monotonicNanos()
        c.phase = .reading(partialSince: started, deadlineArmed: true)
        if !armed { armDeadline(c, since: started) }
    }

    /// Checks at the frame deadline whether the frame begun at `since` is still incomplete.
    private func armDeadline(_ c: Connection, since: UInt64) {
        let deadline = since + UInt64(limits.frameDeadlineMs) * 1_000_000
        let now = monotonicNanos()
        loop.schedule(afterNanos: deadline > now ? deadline - now : 0) { [unowned self] in
            guard self.connections[c.fd] === c, case .reading(let partial, _) = c.phase else { return }
            guard let partial else { c.phase = .reading(partialSince: nil, deadlineArmed: false); return }
            if monotonicNanos() - partial >= UInt64(self.limits.frameDeadlineMs) * 1_000_000 {
                self.log("frame.deadline", [("connection", String(c.serial)), ("buffered", String(c.decoder.bufferedCount))])
                self.sendAndClose(
                    c,
                    Message.failure(
                        id: nil, ServiceError(.timeout, "frame not completed within \(self.limits.frameDeadlineMs) ms", retryable: false)))
            } else {
                self.armDeadline(c, since: partial)
            }
        }
    }

    // MARK: output and closing

    /// Queues a framed message; any thread.
    func send(_ payload: [UInt8], on c: Connection) {
        var framed = [UInt8]()
        framed.reserveCapacity(payload.count + 4)
        FrameEncoder.appendHeader(UInt32(payload.count), to: &framed)
        framed.append(contentsOf: payload)
        if c.enqueue(framed) {
            loop.execute { [self] in
                guard connections[c.fd] === c else { return }
                if c.isBroken { close(c); return }
                updateInterest(c)
            }
        }
    }

    /// A call on `c` has been answered; any thread.
    func callFinished(on c: Connection) {
        let remaining = c.inFlight.wrappingAdd(-1, ordering: .acquiringAndReleasing).newValue
        let total = inFlight.wrappingAdd(-1, ordering: .acquiringAndReleasing).newValue
        if (remaining == 0 && c.peerClosedHint.load(ordering: .acquiring)) || (total == 0 && draining.load(ordering: .acquiring)) {
            loop.execute { [self] in
                if case .peerClosed = c.phase, c.inFlight.load(ordering: .acquiring) == 0, c.pendingOutput == 0, connections[c.fd] === c {
                    close(c)
                }
                if drainCompletion != nil && inFlight.load(ordering: .acquiring) == 0 { finishDrain() }
            }
        }
    }

    private func sendAndClose(_ c: Connection, _ m: Message) {
        _ = c.enqueue(m.framed())
        c.closeAfterFlush()
        c.phase = .stopped
        if c.flush() != .more { close(c) } else { updateInterest(c) }
    }

    private func close(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        connections.removeValue(forKey: c.fd)
        loop.unregister(c.fd)
        c.closeNow()
    }
}
