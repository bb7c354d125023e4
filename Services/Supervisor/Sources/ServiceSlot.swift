import LiaisonRuntime
import LiaisonWire

/// Where a supervised service is in its life.
package enum SlotState: String, Sendable {
    /// Not running and not meant to be (never started, stopped by an operator, or policy).
    case stopped
    /// Spawned, waiting for READY.
    case starting
    /// Ready and serving.
    case running
    /// SIGTERM sent, waiting for it to exit.
    case stopping
    /// Exited early; waiting out the backoff before the next start (a crash loop shows here).
    case backoff
    /// Down for good until an operator starts it (exit 78, max_restarts).
    case failed
}

/// The last exit of a service, for `liaison status`.
struct ExitRecord {
    var status: ChildExit
    var atMillis: Int64
    var ranMs: UInt64
    var wasReady: Bool
}

/// Everything the supervisor knows about one service. Loop thread only.
final class ServiceSlot {
    var entry: ServiceEntry
    /// The service's listening socket, held by us while the service is wanted (so restarts never
    /// refuse a caller); closed when an operator stops it or it fails for good.
    var listener: Listener?
    let output: ChildOutput
    var state: SlotState = .stopped
    /// Whether the service should be running (false after an operator's stop or at shutdown).
    var wanted = true
    var pid: Int32?
    var spawnedNanos: UInt64?
    var readyNanos: UInt64?
    var restarts = 0
    var lastExit: ExitRecord?
    var backoff = Backoff()
    var retryAtNanos: UInt64?
    var retryAtMillis: Int64?
    var reason: String?
    var restartRequested = false
    var healthMisses = 0
    var lastHealth: JSONValue?
    var startTimer: EventLoop.TimerID?
    var killTimer: EventLoop.TimerID?
    var retryTimer: EventLoop.TimerID?
    var healthTimer: EventLoop.TimerID?
    var readyFD: Int32?
    /// When the last exit was noticed (monotonic), to measure exit → respawn → ready.
    var exitNoticedNanos: UInt64?
    /// The last restart: exit noticed → new process spawned (µs) and → ready (µs).
    var lastRestart: (spawnMicros: UInt64, readyMicros: UInt64)?
    /// Calls waiting for this service to become ready (or to fail trying).
    var readyWaiters: [(ServiceSlot) -> Void] = []
    /// Calls waiting for this service to stop.
    var stopWaiters: [(ServiceSlot) -> Void] = []

    init(entry: ServiceEntry, listener: Listener?, output: ChildOutput) {
        self.entry = entry
        self.listener = listener
        self.output = output
    }

    var name: String { entry.name }

    /// The status row for `supervisor.status`.
    func status(now: UInt64) -> JSONValue {
        var o: JSONObject = [
            "name": .string(name), "state": .string(state.rawValue), "socket": .string(entry.socket),
            "restarts": .int(Int64(restarts)), "restart_policy": .string(entry.restart.rawValue),
        ]
        if let pid { o["pid"] = .int(Int64(pid)) }
        if let spawnedNanos, pid != nil { o["uptime_s"] = .double(Double((now - spawnedNanos) / 1_000_000) / 1000) }
        if let readyNanos, state == .running { o["ready_for_s"] = .double(Double((now - readyNanos) / 1_000_000) / 1000) }
        if let e = lastExit {
            var x: JSONObject = ["at": .string(Logger.timestamp(millis: e.atMillis)), "ran_ms": .int(Int64(e.ranMs)), "was_ready": .bool(e.wasReady),
                                 "description": .string(e.status.description)]
            switch e.status {
            case .exited(let c): x["code"] = .int(Int64(c))
            case .signaled(let s): x["signal"] = .string(ChildExit.signalName(s))
            }
            o["last_exit"] = .object(x)
        }
        if let reason { o["reason"] = .string(reason) }
        if state == .backoff, let retryAtNanos, let retryAtMillis {
            o["next_retry_in_ms"] = .int(Int64(retryAtNanos > now ? (retryAtNanos - now) / 1_000_000 : 0))
            o["next_retry_at"] = .string(Logger.timestamp(millis: retryAtMillis))
        }
        if state != .running {
            o["last_stderr"] = .array(output.recent(10, stream: "err").map { .string($0.text) })
        }
        if state == .running { o["health_misses"] = .int(Int64(healthMisses)) }
        if let r = lastRestart { o["last_restart"] = ["exit_to_spawn_us": .int(Int64(r.spawnMicros)), "exit_to_ready_us": .int(Int64(r.readyMicros))] }
        return .object(o)
    }
}
