import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// A running child process of a slot.
struct Child {
    var pid: Int32
    /// When it was spawned (monotonic nanoseconds).
    var spawnedNanos: UInt64
}

/// What happens once a stopping child has exited.
enum AfterStop {
    /// Start it again at once (an operator's restart, missed health checks).
    case restart
    /// Leave it down.
    case stay
}

/// Where a supervised service is in its life, with what is valid in each state.
enum SlotState {
    /// Not running and not meant to be (never started, stopped by an operator, or policy).
    case stopped(reason: String?)
    /// Spawned, waiting for READY on `readyFD` (-1 once it closed); killed if not ready by the start timer.
    case starting(Child, readyFD: Int32, startTimer: EventLoop.TimerID)
    /// Ready and serving, checked every health interval.
    case running(Child, readyNanos: UInt64, healthTimer: EventLoop.TimerID?, misses: Int)
    /// SIGTERM sent, SIGKILL at the kill timer; `then` says what follows its exit.
    case stopping(Child, killTimer: EventLoop.TimerID, then: AfterStop)
    /// Exited early; the next start is at `retryAtNanos` (a crash loop shows here).
    case backoff(reason: String, retryAtNanos: UInt64, retryAtMillis: Int64, timer: EventLoop.TimerID)
    /// Down for good until an operator starts it (exit 78, max_restarts).
    case failed(reason: String)

    /// The state's name as `liaison status` shows it.
    var name: String {
        switch self {
        case .stopped: "stopped"
        case .starting: "starting"
        case .running: "running"
        case .stopping: "stopping"
        case .backoff: "backoff"
        case .failed: "failed"
        }
    }

    /// The child, while there is one.
    var child: Child? {
        switch self {
        case .starting(let c, _, _), .running(let c, _, _, _), .stopping(let c, _, _): c
        default: nil
        }
    }

    /// Why it is down (or waiting), when it is.
    var reason: String? {
        switch self {
        case .stopped(let r): r
        case .backoff(let r, _, _, _), .failed(let r): r
        default: nil
        }
    }
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
    var state: SlotState = .stopped(reason: nil)
    /// Whether the service should be running (false after an operator's stop or at shutdown).
    var wanted = true
    var restarts = 0
    var lastExit: ExitRecord?
    var backoff = Backoff()
    /// Exits before readiness in a row (a crash loop at `Supervisor.crashLoopExits`).
    var earlyExits = 0
    var lastHealth: JSONValue?
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

    /// The child's pid, while there is one.
    var pid: Int32? { state.child?.pid }

    /// Tells everyone waiting for readiness how the attempt ended.
    func notifyReadyWaiters() {
        let waiters = readyWaiters
        readyWaiters = []
        for w in waiters { w(self) }
    }

    /// Tells everyone waiting for the stop.
    func notifyStopWaiters() {
        let waiters = stopWaiters
        stopWaiters = []
        for w in waiters { w(self) }
    }

    /// The status row for `supervisor.status`.
    func status(now: UInt64) -> ServiceStatus {
        var s = ServiceStatus(
            name: name,
            state: ServiceState(rawValue: state.name) ?? .failed,
            socket: entry.socket,
            restarts: restarts,
            restartPolicy: entry.restart
        )
        if let c = state.child {
            s.pid = c.pid
            s.uptimeS = Double((now - c.spawnedNanos) / 1_000_000) / 1000
        }
        if case .running(_, let ready, _, let misses) = state {
            s.readyForS = Double((now - ready) / 1_000_000) / 1000
            s.healthMisses = misses
            // As the running process says (its first health check comes as it is ready).
            s.version = lastHealth?["version"]?.stringValue
            s.commit = lastHealth?["commit"]?.stringValue
        }
        if let e = lastExit {
            var x = ServiceStatus.Exit(
                at: Timestamp.rfc3339(millis: e.atMillis),
                ranMs: Int64(e.ranMs),
                wasReady: e.wasReady,
                description: e.status.description
            )
            switch e.status {
            case .exited(let c): x.code = c
            case .signaled(let sig): x.signal = ChildExit.signalName(sig)
            }
            s.lastExit = x
        }
        s.reason = state.reason
        if case .backoff(_, let at, let atMillis, _) = state {
            s.nextRetryInMs = Int64(at > now ? (at - now) / 1_000_000 : 0)
            s.nextRetryAt = Timestamp.rfc3339(millis: atMillis)
        }
        if case .running = state {} else { s.lastStderr = output.recent(10, stream: "err").map(\.text) }
        if let r = lastRestart {
            s.lastRestart = ServiceStatus.Restart(
                exitToSpawnUs: Int64(r.spawnMicros),
                exitToReadyUs: Int64(r.readyMicros)
            )
        }
        return s
    }
}
