import Glibc
import LiaisonWire

/// Tells whoever started us that we can serve: `READY\n` to the fd in LIAISON_READY_FD (our
/// supervisor, s6-style), and `READY=1` to NOTIFY_SOCKET (systemd `Type=notify`).
package enum Readiness {
    /// Sends the ready notifications that the environment asks for; returns what was done.
    @discardableResult
    package static func notifyReady() -> [String] {
        var done: [String] = []
        if let fdText = getenv("LIAISON_READY_FD").map({ String(cString: $0) }), let fd = Int32(fdText), fd >= 0 {
            let line = Array("READY\n".utf8)
            if (try? FD.writeAll(fd, line)) != nil { done.append("ready_fd") }
            FD.close(fd)
            unsetenv("LIAISON_READY_FD")
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
