import CLiaisonShims
import Glibc
import LiaisonSync
import Synchronization

/// A Unix-socket server on an event loop: many connections, one thread, length-prefixed frames.
/// Callers are kept from crowding each other out (per-uid shares, reserved control slots, idle
/// timeouts, in-flight and memory caps) and a stop answers every call it reads
/// (`WireServer+Admission`, `WireServer+Drain`).
///
/// `@unchecked Sendable`: all mutable state is touched on the loop thread, except the atomics
/// and what `Connection` guards itself.
package final class WireServer: @unchecked Sendable {
    let loop: EventLoop
    let listenFD: Int32
    let limits: ServerLimits
    let dispatcher: any CallDispatcher
    let log: @Sendable (String, [(String, String)]) -> Void
    var connections: [Int32: Connection] = [:]
    /// Ordinary (not reserved) connections per peer uid, and reserved ones.
    var perUID: [UInt32: Int] = [:], reservedPerUID: [UInt32: Int] = [:]
    var ordinary = 0, reserved = 0
    var nextSerial: UInt64 = 1
    var accepting = false
    /// Bytes of half-received frames across connections, and who waits for that to fall.
    var partialTotal = 0
    /// Refusals of connections (busy), said once per caller and reason every 10 s with a count.
    let refusals = RepeatedLines()
    /// A timer will say the refusals held back.
    var refusalsTimerArmed = false
    var waitingForMemory: [Connection] = []
    var drain: DrainState?
    let inFlight = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// The largest frame sent or received.
    package var maxFrame: Int { FrameLimits.clamp(limits.maxFrame) }

    /// A server answering on `listenFD` (already listening). `log` gets an event name and fields.
    package init(
        listenFD: Int32,
        loop: EventLoop,
        limits: ServerLimits,
        dispatcher: any CallDispatcher,
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

    // MARK: connection events

    func handle(_ c: Connection, _ ev: EventLoop.Events) {
        if ev.contains(.writable) || ev.contains(.error) {
            switch c.flush() {
            case .broken: close(c); return
            case .more: break
            case .drained:
                let idle = c.inFlight.load(ordering: .acquiring) == 0
                if c.phase == .closing || (c.phase == .peerClosed && idle) { close(c); return }
                if idle && drain?.graceOver == true {
                    close(c)
                    drainProgress()
                    return
                }
                if c.holds.contains(.output) {
                    c.holds.remove(.output)
                    resume(c)
                    return
                }
                updateInterest(c)
            }
        }
        if c.isReading && (ev.contains(.readable) || ev.contains(.hangup)) { readAvailable(c) }
    }

    func updateInterest(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        var interest: EventLoop.Events = []
        if c.isReading { interest.formUnion([.readable, .hangup]) }
        if c.wantsWritable { interest.insert(.writable) }
        loop.modify(c.fd, interest)
    }

    /// Reading may go on after a hold passed: frames already buffered first, then the socket.
    func resume(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        if c.isReading {
            guard processFrames(c) else { return }
            account(c)
        }
        updateInterest(c)
    }

    private func readAvailable(_ c: Connection) {
        for _ in 0..<8 where c.isReading {
            // Over the partial-frame budget, a connection part-way through a frame waits, and
            // others read in small pieces: memory stays near the budget however many send.
            let tight = partialTotal >= limits.partialFrameBudget
            if tight && c.decoder.bufferedCount > 0 {
                hold(c)
                break
            }
            let size = tight ? 4096 : readBuffer.count
            let (n, e) = restartingEINTR {
                readBuffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, size, Int32(MSG_DONTWAIT)) }
            }
            if n < 0 {
                if e == EAGAIN || e == EWOULDBLOCK { break }
                close(c)
                return
            }
            if n == 0 {
                c.peerClosed()
                if c.inFlight.load(ordering: .acquiring) == 0 && c.pendingOutput == 0 { close(c); return }
                break
            }
            c.touch()
            readBuffer.withUnsafeBytes { c.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            guard processFrames(c) else { return }
            account(c)
            if c.pendingOutput > limits.outputHighWater { c.holds.insert(.output) }
            if n < size { break }
        }
        updateInterest(c)
    }

    /// Decodes and dispatches the complete frames buffered, until one holds reading back;
    /// false when the connection was closed.
    func processFrames(_ c: Connection) -> Bool {
        while c.isReading {
            let payload: [UInt8]?
            do { payload = try c.decoder.next() } catch {
                log("frame.rejected", [("reason", error.description), ("connection", String(c.serial))])
                if case .tooLarge = error {
                    let limit = Int64(FrameLimits.clamp(limits.maxFrame))
                    sendAndClose(
                        c,
                        ServiceError(
                            .frameTooLarge,
                            error.description,
                            retryable: false,
                            details: ["limit": .int(limit)]
                        )
                    )
                } else {
                    sendAndClose(c, ServiceError(.invalidRequest, error.description, retryable: false))
                }
                return connections[c.fd] === c
            }
            guard let payload else { return true }
            let message: Message
            do { message = try Message.decode(payload) } catch {
                if !error.oneway { send(Message.failure(id: error.id, error.error).encoded(), on: c) }
                continue
            }
            // Services take calls only; stray replies are dropped rather than answered.
            guard message.kind == .call, let id = message.id, let method = message.method else { continue }
            if c.phase == .draining {
                if !message.oneway { send(Message.failure(id: id, Self.stopping).encoded(), on: c) }
                continue
            }
            if c.reserved && dispatcher.lane(of: method) != .control {
                let why =
                    "the service's ordinary connections are all taken; this connection is for control calls "
                    + "(service.*) only"
                sendAndClose(c, ServiceError(.busy, why, details: ["retry_after_ms": 100]))
                return connections[c.fd] === c
            }
            let now = c.inFlight.wrappingAdd(1, ordering: .relaxed).newValue
            inFlight.wrappingAdd(1, ordering: .relaxed)
            let call = IncomingCall(
                id: id,
                method: method,
                params: message.params,
                oneway: message.oneway,
                timeoutMs: message.timeoutMs,
                peer: c.peer,
                receivedNanos: monotonicNanos()
            )
            dispatcher.dispatch(call, Responder(connection: c, server: self, id: id, oneway: message.oneway))
            if now >= limits.maxInFlightPerConnection { c.holds.insert(.inFlight) }
        }
        return true
    }

    /// Keeps the partial-frame budget: counts what `c` holds of frames not yet handled, holds
    /// back a connection that would go over, and lets waiting ones go on when there is room.
    func account(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        let held = c.decoder.bufferedCount
        partialTotal += held - c.partialBytes
        c.partialBytes = held
        if held == 0 {
            c.partialSince = nil
        } else if c.partialSince == nil {
            c.partialSince = monotonicNanos()
            armDeadline(c)
        }
        if partialTotal >= limits.partialFrameBudget && held > 0 {
            hold(c)
        } else if partialTotal < limits.partialFrameBudget && !waitingForMemory.isEmpty {
            let waiting = waitingForMemory
            waitingForMemory = []
            for w in waiting where w !== c {
                w.holds.remove(.memory)
                updateInterest(w)
            }
        }
    }

    /// Stops reading `c` until half-received frames take less than the budget again.
    private func hold(_ c: Connection) {
        guard !c.holds.contains(.memory) else { return }
        c.holds.insert(.memory)
        waitingForMemory.append(c)
        log("connection.held", [("reason", "partial_frame_budget"), ("connection", String(c.serial))])
    }

    /// Cuts off a connection whose frame is not complete within the frame deadline.
    private func armDeadline(_ c: Connection) {
        guard !c.deadlineArmed, let since = c.partialSince else { return }
        c.deadlineArmed = true
        let deadline = since + UInt64(limits.frameDeadlineMs) * 1_000_000
        let now = monotonicNanos()
        c.deadlineTimer = loop.schedule(afterNanos: deadline > now ? deadline - now : 0) { [unowned self] in
            c.deadlineArmed = false
            guard connections[c.fd] === c, let partial = c.partialSince else { return }
            if monotonicNanos() - partial >= UInt64(limits.frameDeadlineMs) * 1_000_000 {
                log(
                    "frame.deadline",
                    [("connection", String(c.serial)), ("buffered", String(c.decoder.bufferedCount))]
                )
                sendAndClose(
                    c,
                    ServiceError(.timeout, "frame not completed within \(limits.frameDeadlineMs) ms", retryable: false)
                )
            } else {
                armDeadline(c)
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

    /// The answer sent instead of a result over the frame limit.
    func tooLarge(id: String, size: Int) -> [UInt8] {
        let e = ServiceError(
            .resultTooLarge,
            "the answer is \(size) bytes, over the limit of \(maxFrame) bytes per frame; "
                + "ask for less (a smaller limit, a filter, the next page)",
            retryable: false,
            details: ["size": .int(Int64(size)), "limit": .int(Int64(maxFrame))]
        )
        return Message.failure(id: id, e).encoded()
    }

    /// A call on `c` has been answered; any thread.
    func callFinished(on c: Connection) {
        c.touch()
        let remaining = c.inFlight.wrappingAdd(-1, ordering: .acquiringAndReleasing).newValue
        let total = inFlight.wrappingAdd(-1, ordering: .acquiringAndReleasing).newValue
        let stopping = draining.load(ordering: .acquiring)
        let unheld = remaining == limits.maxInFlightPerConnection - 1
        let idleNow = remaining == 0 && (c.peerClosedHint.load(ordering: .acquiring) || stopping)
        guard unheld || idleNow || (total == 0 && stopping) else { return }
        loop.execute { [self] in
            guard connections[c.fd] === c else {
                drainProgress()
                return
            }
            if c.holds.contains(.inFlight) && c.inFlight.load(ordering: .acquiring) < limits.maxInFlightPerConnection {
                c.holds.remove(.inFlight)
                resume(c)
            }
            if c.phase == .peerClosed && c.inFlight.load(ordering: .acquiring) == 0 && c.pendingOutput == 0 { close(c) }
            drainProgress()
        }
    }

    /// Sends an error about the connection itself and closes it once that is flushed.
    func sendAndClose(_ c: Connection, _ error: ServiceError) {
        _ = c.enqueue(Message.failure(id: nil, error).framed())
        c.phase = .closing
        if c.flush() != .more { close(c) } else { updateInterest(c) }
    }

    func close(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        connections.removeValue(forKey: c.fd)
        loop.unregister(c.fd)
        c.closeNow()
        for timer in [c.idleTimer, c.deadlineTimer].compactMap({ $0 }) { loop.cancel(timer) }
        c.idleTimer = nil
        c.deadlineTimer = nil
        c.decoder.release()
        partialTotal -= c.partialBytes
        c.partialBytes = 0
        if c.reserved {
            reserved -= 1
            reservedPerUID[c.peer.uid, default: 1] -= 1
            if reservedPerUID[c.peer.uid] == 0 { reservedPerUID[c.peer.uid] = nil }
        } else {
            ordinary -= 1
            perUID[c.peer.uid, default: 1] -= 1
            if perUID[c.peer.uid] == 0 { perUID[c.peer.uid] = nil }
        }
        if c.holds.contains(.memory) { waitingForMemory.removeAll { $0 === c } }
        if partialTotal < limits.partialFrameBudget && !waitingForMemory.isEmpty {
            let waiting = waitingForMemory
            waitingForMemory = []
            for w in waiting {
                w.holds.remove(.memory)
                updateInterest(w)
            }
        }
    }
}
