import CLiaisonShims
import Glibc

/// Unix-domain stream socket helpers: addresses, binding, connecting.
package enum UnixSocket {
    /// The longest path a `sockaddr_un` holds (108 bytes including the terminating NUL).
    package static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Why a socket could not be set up.
    package struct SetupError: Error, Sendable, CustomStringConvertible {
        package var description: String
        package init(_ d: String) { description = d }
    }

    /// Fills a `sockaddr_un` for `path`, refusing paths that do not fit.
    package static func withAddress<R>(
        _ path: String,
        _ body: (UnsafePointer<sockaddr>, socklen_t) -> R
    ) throws(SetupError) -> R {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw SetupError("socket path is empty") }
        guard bytes.count <= maxPathBytes else {
            throw SetupError(
                "socket path \(path) is \(bytes.count) bytes; Unix sockets allow at most \(maxPathBytes) (use a "
                    + "shorter --home or socket path)"
            )
        }
        guard !bytes.contains(0) else { throw SetupError("socket path contains a NUL byte") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, len) }
        }
    }

    /// A new close-on-exec stream socket.
    package static func makeSocket(nonBlocking: Bool = false) throws(SystemError) -> Int32 {
        let flags = Int32(SOCK_STREAM.rawValue) | liaison_sock_cloexec() | (nonBlocking ? liaison_sock_nonblock() : 0)
        let fd = socket(AF_UNIX, flags, 0)
        guard fd >= 0 else { throw SystemError("socket(AF_UNIX)") }
        return fd
    }

    /// Connects to `path`, waiting up to `timeoutMs` (a full listen backlog makes connect wait;
    /// SO_SNDTIMEO bounds that wait). Returns a blocking, close-on-exec descriptor.
    package static func connect(_ path: String, timeoutMs: Int) throws -> Int32 {
        let fd = try makeSocket()
        do {
            try setTimeout(fd, SO_SNDTIMEO, ms: timeoutMs)
            let r: Int32 = try withAddress(path) { addr, len in
                restartingEINTR { Glibc.connect(fd, addr, len) }.errno
            }
            if r != 0 { throw SystemError("connect(\(path))", errno: r) }
            try setTimeout(fd, SO_SNDTIMEO, ms: 0)
            return fd
        } catch {
            FD.close(fd)
            throw error
        }
    }

    /// Sets SO_SNDTIMEO or SO_RCVTIMEO (0 = no timeout).
    package static func setTimeout(_ fd: Int32, _ option: Int32, ms: Int) throws(SystemError) {
        var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        if setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size)) != 0 {
            throw SystemError("setsockopt(timeout)")
        }
    }

    /// Whether something is accepting connections on `path` right now.
    package static func isLive(_ path: String) -> Bool {
        guard let fd = try? makeSocket(nonBlocking: true) else { return false }
        defer { FD.close(fd) }
        let r: Int32? = try? withAddress(path) { addr, len in Glibc.connect(fd, addr, len) == 0 ? 0 : errno }
        // EAGAIN: the backlog is full, so someone is listening.
        return r == 0 || r == EAGAIN
    }

    /// Sends all bytes on a blocking socket with MSG_NOSIGNAL (no SIGPIPE on a closed peer).
    package static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let r: Result<Void, SystemError> = bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let (n, e) = restartingEINTR { send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL)) }
                if n < 0 { return .failure(SystemError("send", errno: e)) }
                off += n
            }
            return .success(())
        }
        try r.get()
    }
}
