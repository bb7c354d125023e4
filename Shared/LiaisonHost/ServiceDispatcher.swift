import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonSync
import LiaisonWire

/// Routes calls to their methods: inline ones on the loop, the rest on a worker pool — control
/// calls (`service.*`, `supervisor.*`) on threads of their own, so a health check never waits
/// behind client work, and event deliveries on theirs, at the loop's priority, so that a flood
/// of client writes slows the writers rather than the events they cause; checks who may connect;
/// keeps call stats; drops calls whose caller has already stopped waiting.
package final class ServiceDispatcher: CallDispatcher {
    private let table: MethodTable
    private let workers: WorkerPool
    private let controlWorkers: WorkerPool
    private let deliveryWorkers: WorkerPool?
    private let log: Logger
    private let stats: CallStats
    private let policy: AccessPolicy
    /// Denied connections, said once per caller every 10 s.
    private let denials = RepeatedLines()

    package init(
        table: MethodTable,
        workers: WorkerPool,
        controlWorkers: WorkerPool,
        deliveryWorkers: WorkerPool? = nil,
        log: Logger,
        stats: CallStats,
        policy: AccessPolicy
    ) {
        self.table = table
        self.workers = workers
        self.controlWorkers = controlWorkers
        self.deliveryWorkers = deliveryWorkers
        self.log = log
        self.stats = stats
        self.policy = policy
    }

    package func admit(_ peer: PeerCredentials) -> ServiceError? {
        if policy.admits(peer) { return nil }
        // Once per caller every 10 s, with how many were not logged since (a flood of them
        // pushed everything else out of the supervisor's ring).
        if let held = denials.admit(String(peer.uid), nowNanos: monotonicNanos()) {
            log.warning(
                "connection.denied",
                [
                    "peer.uid": String(peer.uid), "peer.gid": String(peer.gid), "peer.pid": String(peer.pid),
                    "repeated": String(held),
                ]
            )
        }
        return ServiceError(
            .permissionDenied,
            "\(AccessPolicy.who(peer)) may not connect to \(log.service): no rule of the mesh file's access (or "
                + "allowed_uids/allowed_gids) lets it in",
            retryable: false
        )
    }

    package func dispatch(_ call: IncomingCall, _ responder: Responder) {
        guard let spec = table[call.method] else {
            let near = table.suggestions(for: call.method)
            var msg = "no method \(call.method) on \(log.service)"
            if !near.isEmpty { msg += "; methods of that family: \(near.joined(separator: ", "))" }
            msg += " (service.describe lists them all)"
            finish(
                call,
                responder,
                .failure(ServiceError(.methodNotFound, msg, retryable: false)),
                statsKey: "(unknown method)"
            )
            return
        }
        guard policy.allows(call.peer, spec.access) else {
            finish(call, responder, .failure(policy.refusal(call.peer, method: call.method, spec.access, log: log)))
            return
        }
        switch spec.execution {
        case .inline, .deferred:
            spec.run(call.params, CallContext(call: call, log: log)) { [self] r in finish(call, responder, r) }
        case .worker:
            // Reads take turns between the processes calling (a flood of checks from one waits
            // behind its own share); writes are not held back: their group commits want them all.
            let caller = spec.access == .read && call.peer.pid > 0 ? UInt64(call.peer.pid) : nil
            pool(for: call.method).submit(caller: caller) { [self] in
                if let t = call.timeoutMs, t > 0, monotonicNanos() - call.receivedNanos > UInt64(t) * 1_000_000 {
                    finish(
                        call,
                        responder,
                        .failure(
                            ServiceError(
                                .timeout,
                                "\(call.method) waited longer than its timeout_ms (\(t)) before it could run; not run",
                                retryable: true
                            )
                        )
                    )
                    return
                }
                spec.run(call.params, CallContext(call: call, log: log)) { [self] r in finish(call, responder, r) }
            }
        }
    }

    private func pool(for method: String) -> WorkerPool {
        if lane(of: method) == .control { return controlWorkers }
        if method == "events.deliver", let deliveryWorkers { return deliveryWorkers }
        return workers
    }

    private func finish(
        _ call: IncomingCall,
        _ responder: Responder,
        _ result: Result<JSONValue, ServiceError>,
        statsKey: String? = nil
    ) {
        let method = statsKey ?? call.method
        let micros = (monotonicNanos() - call.receivedNanos) / 1000
        switch result {
        case .success(let v):
            stats.record(method: method, micros: micros, error: nil)
            responder.reply(v)
        case .failure(let e):
            stats.record(method: method, micros: micros, error: e.code)
            responder.fail(e)
        }
    }
}
