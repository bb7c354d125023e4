import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// systemd's watchdog (`WatchdogSec=`): `WATCHDOG=1` at half the interval for as long as the
/// service really works — its event loop turns (a task put on it runs) and its own checks in
/// `service.health` pass (the database answers). A hung loop or a failing database stops the
/// pings, and systemd restarts the service. Checks of other services (a subscriber down) do not
/// count: restarting this one would not help.
enum Watchdog {
    /// Starts the pings when systemd asked for them; nil otherwise.
    static func start(loop: EventLoop, introspection: ServiceIntrospection, log: Logger) -> BackgroundLoop? {
        guard let usec = Readiness.watchdogMicros else { return nil }
        let every = Int64(max(usec / 2_000, 50))
        let pinger = BackgroundLoop(name: "watchdog") { _ in
            if let why = problem(loop: loop, introspection: introspection, waitMs: Int(every / 2)) {
                log.warning("watchdog.withheld", ["reason": why])
            } else {
                Readiness.notifyWatchdog()
            }
            return .atMost(ms: every)
        }
        do { try pinger.start() } catch {
            log.error("watchdog.failed", ["error": "\(error)"])
            return nil
        }
        log.info("watchdog.armed", ["every_ms": String(every)])
        return pinger
    }

    /// What is wrong, or nil when the loop turns and the service's own checks pass.
    static func problem(loop: EventLoop, introspection: ServiceIntrospection, waitMs: Int) -> String? {
        let turned = Locked(false)
        loop.execute { turned.withLock { $0 = true } }
        let deadline = monotonicNanos() + UInt64(waitMs) * 1_000_000
        while !turned.withLock({ $0 }) {
            if monotonicNanos() > deadline { return "the event loop did not run a task within \(waitMs) ms" }
            usleep(1000)
        }
        let health = introspection.health()
        if let db = health["database"], db != "ok" { return "database \(db)" }
        return nil
    }
}
