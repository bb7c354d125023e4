import Glibc
import LiaisonSync
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
/// `@unchecked Sendable`: `decoder`, `phase`, `holds` and the partial-frame fields are touched
/// only on the loop thread; the output side is behind `out`; counters are atomics.
final class Connection: @unchecked Sendable {
    /// Where the connection is in its life, as far as reading goes.
    enum Phase: Equatable {
        /// Reading calls (unless something `holds` it back).
        case open
        /// The server is stopping: calls read are answered `unavailable`, `not_applied`.
        case draining
        /// The peer closed its side; answers to calls in flight still go out, then it closes.
        case peerClosed
        /// An error about the connection itself was sent; it closes once that is flushed.
        case closing
    }

    /// What holds an open connection's reading back until it passes.
    struct Holds: OptionSet {
        let rawValue: UInt8
        /// Too much output buffered: the peer must read first.
        static let output = Holds(rawValue: 1)
        /// As many calls in flight as a connection may have.
        static let inFlight = Holds(rawValue: 2)
        /// All connections' half-received frames are at their budget.
        static let memory = Holds(rawValue: 4)
    }

    /// Where the output side stands.
    enum OutputPhase {
        /// Sending; `waiting` when bytes are buffered and the loop watches for writability.
        case open(waiting: Bool)
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
    }

    let fd: Int32
    let serial: UInt64
    let peer: PeerCredentials
    /// Accepted over the ordinary cap: control calls only, closed when briefly idle.
    let reserved: Bool
    var decoder: FrameDecoder
    var phase = Phase.open
    var holds: Holds = []
    /// When the frame now arriving began (nil when none is half-received).
    var partialSince: UInt64?
    /// Bytes of that frame counted against the server's partial-frame budget.
    var partialBytes = 0
    /// A timer will check the frame deadline.
    var deadlineArmed = false
    /// The timers that hold this connection (idle, frame deadline): cancelled when it closes,
    /// so that a closed connection and its buffer are not kept until they fire.
    var idleTimer: EventLoop.TimerID?
    var deadlineTimer: EventLoop.TimerID?
    /// The idle notice has been sent (the peer should reconnect for its next call).
    var noticeSent = false
    /// Mirrors `phase == .peerClosed` for other threads (a call finishing elsewhere checks
    /// whether the connection can close).
    let peerClosedHint = Atomic<Bool>(false)
    /// Monotonic nanoseconds of the last byte read or answer sent.
    let lastActivity = Atomic<UInt64>(0)
    let out = Locked(Output())
    let inFlight = Atomic<Int>(0)

    init(fd: Int32, serial: UInt64, peer: PeerCredentials, maxFrame: Int, reserved: Bool) {
        self.fd = fd
        self.serial = serial
        self.peer = peer
        self.reserved = reserved
        decoder = FrameDecoder(maxFrame: maxFrame)
        lastActivity.store(monotonicNanos(), ordering: .relaxed)
    }

    /// Whether the loop reads this connection's bytes now.
    var isReading: Bool { (phase == .open || phase == .draining) && holds.isEmpty }

    /// Marks the peer's side closed; loop thread.
    func peerClosed() {
        phase = .peerClosed
        peerClosedHint.store(true, ordering: .releasing)
    }

    /// Notes activity (a read, an answer).
    func touch() { lastActivity.store(monotonicNanos(), ordering: .relaxed) }

    /// Sends `bytes` now if the socket takes them all, otherwise buffers the rest.
    /// Returns true when the loop must start watching for writability (or notice a broken pipe).
    func enqueue(_ bytes: [UInt8]) -> Bool {
        out.withLock { o in
            guard case .open(let waiting) = o.phase else { return false }
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
            if waiting { return false }
            o.phase = .open(waiting: true)
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
        out.withLock { if case .open(let waiting) = $0.phase { waiting } else { false } }
    }

    /// Whether a send failed.
    var isBroken: Bool { out.withLock { if case .broken = $0.phase { true } else { false } } }

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
