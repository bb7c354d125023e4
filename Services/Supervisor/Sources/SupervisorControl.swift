import Glibc
import LiaisonRuntime
import LiaisonWire

/// The supervisor's control methods, answered on its loop (so they see its state directly and
/// answer in microseconds). start/stop/restart answer once the service is ready or down.
final class SupervisorControl: CallDispatcher, @unchecked Sendable {
    // `@unchecked Sendable`: dispatch is only ever called on the supervisor's loop thread.
    unowned let sup: Supervisor
    let stats = CallStats()

    init(_ sup: Supervisor) { self.sup = sup }

    static let methods: [(String, String, Schema, Schema)] = [
        ("supervisor.status", "Every service: state, pid, uptime, restarts, last exit, next retry, recent stderr when down.",
         .object([]), .object([.req("supervisor", .any), .req("services", .array(.any))])),
        ("supervisor.start", "Starts a service (clearing a failure or crash loop); answers when it is ready or the attempt failed.",
         .object([.req("service", .string())]), .any),
        ("supervisor.stop", "Stops a service (SIGTERM to its process group, SIGKILL at its stop timeout); it stays down.",
         .object([.req("service", .string())]), .any),
        ("supervisor.restart", "Restarts a service while its socket stays open; answers when the new process is ready.",
         .object([.req("service", .string())]), .any),
        ("supervisor.logs", "Recent output lines of a service (from memory), optionally only those after a sequence number.",
         .object([.req("service", .string()), .opt("lines", .integer(minimum: 1, maximum: 500)), .opt("stream", .string(values: ["out", "err", "supervisor"]))]),
         .object([.req("lines", .array(.any))])),
        ("supervisor.reload", "Re-reads the mesh file: starts new services, stops removed ones, restarts changed ones.",
         .object([]), .object([.req("added", .array(.string())), .req("removed", .array(.string())), .req("restarted", .array(.string()))])),
        ("service.health", "The supervisor's own health.", .object([]), .any),
        ("service.ping", "Answers at once.", .object([]), .object([.req("pong", .boolean)])),
        ("service.describe", "These methods with their params and results.", .object([]), .any),
        ("service.stats", "Control calls and their latency.", .object([]), .any),
    ]

    func admit(_ peer: PeerCredentials) -> ServiceError? {
        if peer.uid == 0 || peer.uid == getuid() { return nil }
        return ServiceError(.permissionDenied, "uid \(peer.uid) may not control this supervisor", retryable: false)
    }

    func dispatch(_ call: IncomingCall, _ responder: Responder) {
        let started = call.receivedNanos
        let finish: (Result<JSONValue, ServiceError>) -> Void = { [stats] r in
            let us = (monotonicNanos() - started) / 1000
            switch r {
            case .success(let v): stats.record(method: call.method, micros: us, error: nil); responder.reply(v)
            case .failure(let e): stats.record(method: call.method, micros: us, error: e.code); responder.fail(e)
            }
        }
        switch call.method {
        case "supervisor.status": finish(.success(status()))
        case "supervisor.start", "supervisor.stop", "supervisor.restart":
            guard let slot = slot(call, finish) else { return }
            let reply: (ServiceSlot) -> Void = { s in finish(.success(s.status(now: monotonicNanos()))) }
            if sup.shuttingDown { finish(.failure(ServiceError(.unavailable, "the supervisor is shutting down"))); return }
            switch call.method {
            case "supervisor.start": sup.startService(slot, reply)
            case "supervisor.stop": sup.stopService(slot, reply)
            default: sup.restartService(slot, reply)
            }
        case "supervisor.logs":
            guard let slot = slot(call, finish) else { return }
            let n = Int(call.params["lines"]?.intValue ?? 100)
            guard n >= 1 && n <= 500 else { finish(.failure(.invalidParams(field: "lines", "must be 1 to 500"))); return }
            let stream = call.params["stream"]?.stringValue
            let lines: [JSONValue] = slot.output.recent(n, stream: stream).map {
                ["ts": .string(Logger.timestamp(millis: $0.millis)), "ts_ms": .int($0.millis), "stream": .string($0.stream), "text": .string($0.text)]
            }
            finish(.success(["service": .string(slot.name), "lines": .array(lines), "log_file": .string(slot.output.file.path)]))
        case "supervisor.reload": finish(sup.reload())
        case "service.ping": finish(.success(["pong": true]))
        case "service.health":
            finish(.success(["service": "supervisor", "version": .string(liaisonVersion), "pid": .int(Int64(getpid())),
                             "uptime_s": .double(Double((monotonicNanos() - sup.startedNanos) / 1_000_000) / 1000),
                             "status": .string(sup.shuttingDown ? "stopping" : "ok")]))
        case "service.stats": finish(.success(stats.snapshot()))
        case "service.describe":
            finish(.success([
                "service": "supervisor", "version": .string(liaisonVersion), "protocol": .int(protocolVersion),
                "methods": .array(Self.methods.map { ["name": .string($0.0), "summary": .string($0.1), "params": $0.2.json, "result": $0.3.json] }),
                "events": ["emits": [], "consumes": []],
            ]))
        default:
            finish(.failure(ServiceError(.methodNotFound, "no method \(call.method) on the supervisor (service.describe lists them)", retryable: false)))
        }
    }

    private func slot(_ call: IncomingCall, _ finish: (Result<JSONValue, ServiceError>) -> Void) -> ServiceSlot? {
        guard case .string(let name)? = call.params["service"] else {
            finish(.failure(.invalidParams(field: "service", "required: the name of a service in the mesh")))
            return nil
        }
        guard let s = sup.slots[name] else {
            finish(.failure(ServiceError(.notFound, "no service named \(name); the mesh has \(sup.order.joined(separator: ", "))", retryable: false,
                                         details: ["service": .string(name)])))
            return nil
        }
        return s
    }

    func status() -> JSONValue {
        let now = monotonicNanos()
        return [
            "supervisor": ["pid": .int(Int64(getpid())), "uptime_s": .double(Double((now - sup.startedNanos) / 1_000_000) / 1000),
                           "mesh": .string(sup.meshPath), "version": .string(liaisonVersion), "stopping": .bool(sup.shuttingDown),
                           "mesh_ready_after_ms": sup.meshReadyMicros.map { .double(Double($0) / 1000) } ?? .null],
            "services": .array(sup.order.compactMap { sup.slots[$0]?.status(now: now) }),
        ]
    }
}
