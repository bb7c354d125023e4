import CLiaisonShims
import Glibc

/// A listening Unix socket: inherited (socket activation) or bound here, with the lock that
/// proves we own its path.
package struct Listener: Sendable {
    /// The listening descriptor.
    package var fd: Int32
    /// The path it is bound to (as configured; an inherited socket may not say).
    package var path: String
    /// The lock file's descriptor when this process bound the socket; held for its lifetime.
    package var lockFD: Int32?
    /// Whether the socket came from LISTEN_FDS.
    package var inherited: Bool

    /// The first socket handed over with the systemd convention (LISTEN_FDS, LISTEN_PID, fd 3),
    /// or `nil` when none was. The variables are removed so that our own children do not see them.
    package static func inheritedSocket(path: String) -> Listener? {
        guard let fdsText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int(fdsText), count >= 1
        else { return nil }
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), Int32(pidText) == getpid() else {
            return nil
        }
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
        let fd: Int32 = 3
        try? FD.setCloseOnExec(fd)
        for extra in 1..<count { FD.closeIfOpen(fd + Int32(extra)) }
        return Listener(fd: fd, path: path, lockFD: nil, inherited: true)
    }

    /// The inherited socket if there is one, otherwise one bound at `path`.
    package static func acquire(path: String, backlog: Int32 = 4096) throws -> Listener {
        if let l = inheritedSocket(path: path) { return l }
        return try bind(path: path, backlog: backlog)
    }

    /// Binds and listens at `path`: the directory is created 0750, the socket is 0660. A socket
    /// file left by a crashed run is replaced; a live one (or a held lock) is never taken over.
    /// A live socket whose lock is free belongs to nobody alive that bound it: children of a
    /// supervisor that was killed, draining before they exit. With `waitForQuietMs`, that long
    /// is given for them to go before it counts as in use.
    package static func bind(path: String, backlog: Int32 = 4096, waitForQuietMs: Int = 0) throws -> Listener {
        _ = try UnixSocket.withAddress(path) { _, _ in () }  // a path no socket can take leaves nothing behind
        try makeDirectory(parentOf: path)
        let lockPath = path + ".lock"
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw SystemError("open(\(lockPath))") }
        var done = false
        defer { if !done { FD.close(lockFD) } }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            throw UnixSocket.SetupError("socket \(path) is in use: another process holds \(lockPath)")
        }
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else {
                throw UnixSocket.SetupError("\(path) exists and is not a socket; refusing to replace it")
            }
            let deadline = monotonicNanos() + UInt64(max(waitForQuietMs, 0)) * 1_000_000
            while UnixSocket.isLive(path) {
                guard monotonicNanos() < deadline else {
                    throw UnixSocket.SetupError(
                        "socket \(path) is in use: something is accepting connections on it"
                            + (waitForQuietMs > 0 ? " (still after \(waitForQuietMs) ms)" : "")
                    )
                }
                usleep(50_000)
            }
            if unlink(path) != 0 && errno != ENOENT { throw SystemError("unlink(\(path))") }
        }
        let fd = try UnixSocket.makeSocket()
        do {
            _ = fchmod(fd, 0o660)  // Linux applies the socket inode's mode to the file bind creates.
            let r: Int32 = try UnixSocket.withAddress(path) { addr, len in Glibc.bind(fd, addr, len) == 0 ? 0 : errno }
            if r != 0 { throw SystemError("bind(\(path))", errno: r) }
            if chmod(path, 0o660) != 0 { throw SystemError("chmod(\(path))") }
            if listen(fd, backlog) != 0 { throw SystemError("listen(\(path))") }
        } catch {
            FD.close(fd)
            throw error
        }
        done = true
        return Listener(fd: fd, path: path, lockFD: lockFD, inherited: false)
    }

    /// Closes the socket; when we bound it, removes the file and releases the lock.
    package func close(unlinkPath: Bool = true) {
        FD.close(fd)
        if let lockFD {
            if unlinkPath { unlink(path) }
            FD.close(lockFD)
        }
    }

    /// Creates the directory holding `path` (and its parents) with mode 0750 where missing.
    package static func makeDirectory(parentOf path: String) throws {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        try makeDirectories(String(path[..<slash]), mode: 0o750)
    }

    /// `mkdir -p` with `mode` for the directories it creates.
    package static func makeDirectories(_ dir: String, mode: mode_t) throws {
        var st = stat()
        if stat(dir, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw UnixSocket.SetupError("\(dir) exists and is not a directory")
            }
            return
        }
        if let slash = dir.lastIndex(of: "/"), slash != dir.startIndex {
            try makeDirectories(String(dir[..<slash]), mode: mode)
        }
        if mkdir(dir, mode) != 0 && errno != EEXIST { throw SystemError("mkdir(\(dir))") }
        _ = chmod(dir, mode)
    }
}
