import Glibc

/// A failed system call: which call, and errno.
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed, e.g. "bind(/run/x.sock)".
    package var call: String
    /// errno after the call.
    package var errno: Int32

    package init(_ call: String, errno: Int32 = Glibc.errno) { (self.call, self.errno) = (call, errno) }

    package var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Runs `body`, a system call that returns -1 and sets errno when it fails, again for as long
/// as it fails with EINTR — the one place an interrupted call is restarted. Returns its result
/// and the errno of a failure (0 when it succeeded).
@inline(__always)
package func restartingEINTR<T: BinaryInteger>(_ body: () -> T) -> (value: T, errno: Int32) {
    while true {
        let r = body()
        if r >= 0 { return (r, 0) }
        let e = errno
        if e != EINTR { return (r, e) }
    }
}

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC).
package func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Wall-clock time in milliseconds since the Unix epoch.
package func wallClockMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// File-descriptor helpers that name the call they wrap.
package enum FD {
    /// Sets or clears O_NONBLOCK (fcntl F_SETFL).
    package static func setNonBlocking(_ fd: Int32, _ on: Bool = true) throws(SystemError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw SystemError("fcntl(F_GETFL)") }
        let new = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if new != flags && fcntl(fd, F_SETFL, new) != 0 { throw SystemError("fcntl(F_SETFL)") }
    }

    /// Sets FD_CLOEXEC (fcntl F_SETFD).
    package static func setCloseOnExec(_ fd: Int32) throws(SystemError) {
        if fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 { throw SystemError("fcntl(F_SETFD)") }
    }

    /// Writes all of `bytes` to a blocking descriptor (write(2) in a loop, EINTR retried).
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var off = 0
        while off < bytes.count {
            let (n, e) = restartingEINTR { write(fd, bytes.baseAddress! + off, bytes.count - off) }
            if n < 0 { throw SystemError("write", errno: e) }
            off += n
        }
    }

    /// Writes all of `bytes` to a blocking descriptor.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let r: Result<Void, SystemError> = bytes.withUnsafeBytes { b in
            Result { () throws(SystemError) in try writeAll(fd, b) }
        }
        try r.get()
    }

    /// close(2), ignoring EINTR (on Linux the descriptor is released either way). A descriptor
    /// that is not open means it was closed twice: by then its number may belong to someone else,
    /// so debug builds stop there (tests run side by side in one process and would see another
    /// test's connection cut). Where a number may rightly be closed already, use `closeIfOpen`.
    package static func close(_ fd: Int32) {
        let r = Glibc.close(fd)
        assert(r == 0 || errno != EBADF, "close(\(fd)): the descriptor is not open (closed twice?)")
    }

    /// close(2) of a number that may not be open (one another process said it passed on).
    package static func closeIfOpen(_ fd: Int32) { _ = Glibc.close(fd) }
}
