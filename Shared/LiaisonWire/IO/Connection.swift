import Glibc
import Synchronization

/// Who is on the other end of a Unix socket (SO_PEERCRED).
package struct PeerCredentials: Sendable, Equatable {
    package var uid, gid: UInt32
    package var pid: Int32
    package init(uid: UInt32, gid: UInt32, pid: Int32) { (self.uid, self.gid, self.pid) = (uid, gid, pid) }
}

/// One accepted connection. Reading and closing happen on the loop thread; answers may be sent
/// from any thread and go straight to the socket when it has room, otherwise into a buffer the
/// loop drains.
///
/// `@unchecked Sendable`: `decoder` and `phase` are touched only on the loop thread; the output
/// side is behind `out`; counters are atomics.
final class Connection: @unchecked Sendable {
    /// What the loop does with the connection's incoming bytes.
    enum ReadPhase {
        /// Reading calls. `partialSince` is when a frame began arriving and is not yet complete;
        /// `deadlineArmed` says a timer will check it.
        case reading(partialSince: UInt64?, deadlineArmed: Bool)
        /// Not reading until the peer takes its answers (too much output buffered).
        case pausedForOutput
        /// Not reading: the server is draining (or an error was sent and the connection closes
        /// once it is flushed).
        case stopped
        /// The peer closed its side; answers to calls in flight still go out, then it closes.
        case peerClosed
    }

    /// Where the output side stands.
    enum OutputPhase {
        /// Sending; `waiting` when bytes are buffered and the loop watches for writability.
        case open(waiting: Bool)
        /// Close once everything buffered is sent (an error answer before closing).
        case closeAfterFlush
        /// A send failed; the loop closes the connection.
        case broken
        /// Closed; nothing more is sent.
        case closed
    }

    struct Output {
        var pending: [UInt8] = []
        var offset = 0
        var phase = OutputPhase.open(waiting: false)
        var count: Int { pending.count - offset }
        var accepting: Bool {
            switch phase {
            case .open, .closeAfterFlush: true
            case .broken, .closed: false
            }
        }
    }

    let fd: Int32
    let serial: UInt64
    let peer: PeerCredentials
    var decoder: FrameDecoder
    var phase = ReadPhase.reading(partialSince: nil, deadlineArmed: false)
    /// Mirrors `phase == .peerClosed` for other threads (a call finishing elsewhere checks
    /// whether the connection can close).
    let peerClosedHint = Atomic<Bool>(false)
    let out = Mutex(Output())
    let inFlight = Atomic<Int>(0)

    init(fd: Int32, serial: UInt64, peer: PeerCredentials, maxFrame: Int) {
        self.fd = fd
        self.serial = serial
        self.peer = peer
        decoder = FrameDecoder(maxFrame: maxFrame)
    }

    /// Whether the loop reads this connection's calls now.
    var isReading: Bool {
        if case .reading = phase { return true }
        return false
    }

    /// Marks the peer's side closed; loop thread.
    func peerClosed() {
        phase = .peerClosed
        peerClosedHint.store(true, ordering: .releasing)
    }

    /// Sends `bytes` now if the socket takes them all, otherwise buffers the rest.
    /// Returns true when the loop must start watching for writability (or notice a broken pipe).
    func enqueue(_ bytes: [UInt8]) -> Bool {
        out.withLock { o in
            guard o.accepting else { return false }
            var start = 0
            if o.count == 0 {
                let (n, e) = restartingEINTR {
                    bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                }
                if n == bytes.count { return false }
                if n < 0 {
                    if e != EAGAIN && e != EWOULDBLOCK {
                        o.phase = .broken
                        return true
                    }
                } else {
                    start = n
                }
                o.pending.removeAll(keepingCapacity: true)
                o.offset = 0
            }
            o.pending.append(contentsOf: bytes[start...])
            if case .open(waiting: true) = o.phase { return false }
            if case .open = o.phase { o.phase = .open(waiting: true) }
            return true
        }
    }

    enum FlushResult { case drained, more, broken }

    /// Writes what is buffered; loop thread.
    func flush() -> FlushResult {
        out.withLock { o in
            if case .broken = o.phase { return .broken }
            while o.count > 0 {
                let offset = o.offset
                let (n, e) = restartingEINTR {
                    o.pending.withUnsafeBytes { raw in
                        send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                }
                if n < 0 {
                    if e == EAGAIN || e == EWOULDBLOCK { return .more }
                    o.phase = .broken
                    return .broken
                }
                o.offset += n
            }
            o.pending.removeAll(keepingCapacity: o.pending.capacity <= 1 << 20)
            o.offset = 0
            if case .open = o.phase { o.phase = .open(waiting: false) }
            return .drained
        }
    }

    var pendingOutput: Int { out.withLock { $0.count } }

    /// Whether the loop should watch for writability.
    var wantsWritable: Bool {
        out.withLock { o in
            switch o.phase {
            case .open(let waiting): waiting
            case .closeAfterFlush: o.count > 0
            case .broken, .closed: false
            }
        }
    }

    /// Whether the connection is to close once its output is flushed.
    var closesAfterFlush: Bool {
        out.withLock { if case .closeAfterFlush = $0.phase { true } else { false } }
    }

    /// Whether a send failed.
    var isBroken: Bool { out.withLock { if case .broken = $0.phase { true } else { false } } }

    /// Asks for the connection to close once everything buffered is sent.
    func closeAfterFlush() { out.withLock { if $0.accepting { $0.phase = .closeAfterFlush } } }

    /// Marks the connection closed and closes the descriptor; loop thread, after unregistering.
    func closeNow() {
        out.withLock { o in
            if case .closed = o.phase { return }
            o.phase = .closed
            o.pending = []
            FD.close(fd)
        }
    }
}
