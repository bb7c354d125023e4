import LiaisonBuild
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// The supervisor's control methods, registered on the same method table as every service's
/// (with the same `service.*` methods). They run on the supervisor's loop, so they see its state
/// directly and answer in microseconds; start, stop and restart answer once the service is ready
/// or down.
enum SupervisorMethods {
    /// The dispatcher of the control socket.
    static func dispatcher(for sup: Supervisor) throws -> ServiceDispatcher {
        var def = ServiceDefinition()
        register(&def.methods, sup)
        let box = Unowned(sup)
        def.metrics.append { box.sup.slotFamiliesFromElsewhere() }
        let intro = ServiceIntrospection(
            name: "supervisor",
            startedNanos: sup.startedNanos,
            definition: def,
            stats: CallStats(),
            connections: { [unowned sup] in sup.control?.connectionCount ?? 0 },
            stopping: { [unowned sup] in sup.shuttingDown }
        )
        var table = def.methods
        intro.register(&table)
        let workers = try WorkerPool(name: "sup-w", threads: 1)
        return ServiceDispatcher(
            table: table,
            workers: workers,
            controlWorkers: workers,
            log: sup.log,
            stats: intro.stats,
            policy: AccessPolicy(mesh: sup.mesh.config, name: "supervisor")
        )
    }

    static func register(_ t: inout MethodTable, _ sup: Supervisor) {
        // `Supervisor` is confined to its loop; these handlers run there (inline or deferred).
        let box = Unowned(sup)
        t.add(SupervisorAPI.status, execution: .inline) { _, _ in box.sup.status() }
        let actions = [SupervisorAPI.start, SupervisorAPI.stop, SupervisorAPI.restart]
        for action in actions {
            t.addDeferred(action) { p, _, answer in
                let sup = box.sup
                let slot = try sup.slot(p.service)
                if sup.shuttingDown { throw ServiceError(.unavailable, "the supervisor is shutting down") }
                let reply: (ServiceSlot) -> Void = { s in answer(.success(s.status(now: monotonicNanos()))) }
                switch action.name {
                case SupervisorAPI.start.name: sup.startService(slot, reply)
                case SupervisorAPI.stop.name: sup.stopService(slot, reply)
                default: sup.restartService(slot, reply)
                }
            }
        }
        t.add(SupervisorAPI.signal, execution: .inline) { p, _ in
            try box.sup.send(p.signal, to: try box.sup.slot(p.service))
        }
        registerLogs(&t, box)
        t.add(SupervisorAPI.reload, execution: .inline) { _, _ in try box.sup.reload().get() }
    }
}

/// A reference to the supervisor for handlers that run only on its loop. `@unchecked Sendable`:
/// it is dereferenced only there.
final class Unowned: @unchecked Sendable {
    unowned let sup: Supervisor
    init(_ sup: Supervisor) { self.sup = sup }
}

extension Supervisor {
    /// The signals `supervisor.signal` sends, by name.
    static let signals: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "TERM": SIGTERM, "CONT": SIGCONT, "STOP": SIGSTOP, "ALRM": SIGALRM, "WINCH": SIGWINCH,
    ]

    /// Sends `name` to the process group of `slot`'s running process; its status after.
    func send(_ name: String, to slot: ServiceSlot) throws -> ServiceStatus {
        guard let number = Self.signals[name] else {
            throw ServiceError.invalidParams(
                field: "signal",
                "expected one of \(SignalParams.names.joined(separator: ", "))"
            )
        }
        guard let pid = slot.pid else {
            throw ServiceError(
                .failedPrecondition,
                "\(slot.name) is not running (\(slot.state.name)): there is no process to signal",
                retryable: false,
                details: ["service": .string(slot.name)]
            )
        }
        guard kill(-pid, number) == 0 else {
            throw ServiceError(.internal, "kill(-\(pid), SIG\(name)): \(String(cString: strerror(errno)))")
        }
        log.info("service.signaled", ["service": slot.name, "signal": "SIG" + name, "pid": String(pid)])
        return slot.status(now: monotonicNanos())
    }

    /// The slot of `name`, or `not_found` naming the services there are.
    func slot(_ name: String) throws -> ServiceSlot {
        guard let s = slots[name] else {
            throw ServiceError(
                .notFound,
                "no service named \(name); the mesh has \(order.joined(separator: ", "))",
                retryable: false,
                details: ["service": .string(name)]
            )
        }
        return s
    }

    /// The `supervisor.status` answer.
    func status() -> SupervisorStatus {
        let now = monotonicNanos()
        var info = SupervisorStatus.Info(
            pid: getpid(),
            uptimeS: Double((now - startedNanos) / 1_000_000) / 1000,
            mesh: meshPath,
            version: BuildInfo.version,
            stopping: shuttingDown,
            meshReadyAfterMs: meshReadyMicros.map { Double($0) / 1000 }
        )
        info.commit = BuildInfo.commit
        return SupervisorStatus(supervisor: info, services: order.compactMap { slots[$0]?.status(now: now) })
    }
}
