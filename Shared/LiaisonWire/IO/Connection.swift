import Glibc
import Synchronization

/// Who is on the other end of a Unix socket (SO_PEERCRED).
package struct PeerCredentials: Sendable, Equatable {
    package var uid: UInt32
    package var gid: UInt32
    package var pid: Int32
    package init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
    }
}

/// One accepted connection. Reading and closing happen on the loop thread; answers may be sent
/// from any thread and go straight to the socket when it has room, otherwise into a buffer the
/// loop drains.
///
/// `@unchecked Sendable`: `decoder`, `partialSince`, `deadlineArmed` and `readPaused` are touched only
/// on the loop thread; the output side is behind `out`; counters are atomics.
final class Connection: @unchecked Sendable {
    struct Output {
        var pending: [UInt8] = []
        var offset = 0
        var closed = false
        var broken = false
        var wantWritable = false
        var closeAfterFlush = false
        var count: Int { pending.count - offset }
    }

    let fd: Int32
    let serial: UInt64
    let peer: PeerCredentials
    var decoder: FrameDecoder
    var partialSince: UInt64? = nil
    var deadlineArmed = false
    let readClosed = Atomic<Bool>(false)
    var readPaused = false
    let out = Mutex(Output())
    let inFlight = Atomic<Int>(0)

    init(fd: Int32, serial: UInt64, peer: PeerCredentials, maxFrame: Int) {
        self.fd = fd
        self.serial = serial
        self.peer = peer
        decoder = FrameDecoder(maxFrame: maxFrame)
    }

    /// Sends `bytes` now if the socket takes them all, otherwise buffers the rest.
    /// Returns true when the loop must start watching for writability (or notice a broken pipe).
    func enqueue(_ bytes: [UInt8]) -> Bool {
        out.withLock { o in
            if o.closed || o.broken { return false }
            var start = 0
            if o.count == 0 {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n == bytes.count { return false }
                if n < 0 {
                    let e = errno
                    if e != EAGAIN && e != EWOULDBLOCK && e != EINTR {
                        o.broken = true
                        return true
                    }
                } else {
                    start = n
                }
                o.pending.removeAll(keepingCapacity: true)
                o.offset = 0
            }
            o.pending.append(contentsOf: bytes[start...])
            if o.wantWritable { return false }
            o.wantWritable = true
            return true
        }
    }

    enum FlushResult { case drained, more, broken }

    /// Writes what is buffered; loop thread.
    func flush() -> FlushResult {
        out.withLock { o in
            if o.broken { return .broken }
            while o.count > 0 {
                let n = o.pending.withUnsafeBytes { raw in
                    send(fd, raw.baseAddress! + o.offset, raw.count - o.offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if n < 0 {
                    let e = errno
                    if e == EINTR { continue }
                    if e == EAGAIN || e == EWOULDBLOCK { return .more }
                    o.broken = true
                    return .broken
                }
                o.offset += n
            }
            o.pending.removeAll(keepingCapacity: o.pending.capacity <= 1 << 20)
            o.offset = 0
            o.wantWritable = false
            return .drained
        }
    }

    var pendingOutput: Int { out.withLock { $0.count } }

    /// Marks the connection closed and closes the descriptor; loop thread, after unregistering.
    func closeNow() {
        out.withLock { o in
            guard !o.closed else { return }
            o.closed = true
            o.pending = []
            FD.close(fd)
        }
    }
}
