import Glibc
import LiaisonJSON
import LiaisonWire
import Synchronization

/// Tells whoever started us that we can serve: `READY\n` to the fd in LIAISON_READY_FD (our
/// supervisor, s6-style), and `READY=1` to NOTIFY_SOCKET (systemd `Type=notify`).
package enum Readiness {
    /// The readiness pipe taken by `claimReadyFD` (-1: none, or already written and closed).
    private static let readyFD = Atomic<Int32>(-1)

    /// Takes the descriptor LIAISON_READY_FD names, at start-up, before this process opens
    /// anything: by the time it is ready, the number may be one of its own files. Only a pipe or
    /// a socket that is open now is taken (close-on-exec from here on). The variable is removed
    /// either way, so no child sees it. Returns why a variable that was set was passed over, so
    /// that the caller can say so once it logs (nil when it was taken, or not set).
    @discardableResult
    package static func claimReadyFD() -> String? {
        guard let raw = getenv("LIAISON_READY_FD").map({ String(cString: $0) }) else { return nil }
        unsetenv("LIAISON_READY_FD")
        guard let fd = Int32(raw), fd > 2 else {
            return "LIAISON_READY_FD=\(raw) is not a descriptor above 2; passed over"
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return "LIAISON_READY_FD=\(raw) is not open; passed over" }
        let type = st.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFSOCK else {
            return "LIAISON_READY_FD=\(raw) is neither a pipe nor a socket; passed over"
        }
        try? FD.setCloseOnExec(fd)
        readyFD.store(fd, ordering: .releasing)
        return nil
    }

    /// Sends the ready notifications: `READY` to the pipe `claimReadyFD` took (then closed), and
    /// NOTIFY_SOCKET's when it is set. Returns what was done.
    @discardableResult
    package static func notifyReady() -> [String] {
        var done: [String] = []
        let fd = readyFD.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 {
            if (try? FD.writeAll(fd, Array("READY\n".utf8))) != nil { done.append("ready_fd") }
            FD.close(fd)
        }
        if sendNotify("READY=1\nMAINPID=\(getpid())") { done.append("notify_socket") }
        return done
    }

    /// Tells systemd we are stopping.
    package static func notifyStopping() { _ = sendNotify("STOPPING=1") }

    /// How often systemd wants `WATCHDOG=1` (`WatchdogSec=`): WATCHDOG_USEC, when it is meant
    /// for this process (WATCHDOG_PID, if set, is our pid); nil when no watchdog is armed.
    package static var watchdogMicros: UInt64? {
        guard let usec = getenv("WATCHDOG_USEC").flatMap({ UInt64(String(cString: $0)) }), usec > 0 else { return nil }
        if let pid = getenv("WATCHDOG_PID").flatMap({ Int32(String(cString: $0)) }), pid != getpid() { return nil }
        return usec
    }

    /// Tells systemd we are alive.
    @discardableResult
    package static func notifyWatchdog() -> Bool { sendNotify("WATCHDOG=1") }

    /// Sends one datagram to NOTIFY_SOCKET (a path, or `@name` for the abstract namespace).
    static func sendNotify(_ text: String) -> Bool {
        guard let raw = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !raw.isEmpty else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { FD.close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(raw.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        guard pathBytes.count <= UnixSocket.maxPathBytes else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: pathBytes) }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let msg = Array(text.utf8)
        let n = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                msg.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, len) }
            }
        }
        return n == msg.count
    }
}
