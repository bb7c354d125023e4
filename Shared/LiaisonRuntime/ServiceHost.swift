import CLiaisonShims
import Foundation
import Glibc
import LiaisonStore
import LiaisonWire

/// The version every Liaison binary reports.
package let liaisonVersion = "0.1.0"

/// What a service's factory gets to build itself.
package struct ServiceContext: Sendable {
    /// The service's name in the mesh.
    package let name: String
    /// The whole mesh (to find subscribers, other sockets).
    package let mesh: Mesh
    /// This service's entry.
    package let entry: ServiceEntry
    /// The service's logger.
    package let log: Logger
    /// When the process started (monotonic nanoseconds).
    package let startedNanos: UInt64

    package init(name: String, mesh: Mesh, entry: ServiceEntry, log: Logger, startedNanos: UInt64 = monotonicNanos()) {
        self.name = name
        self.mesh = mesh
        self.entry = entry
        self.log = log
        self.startedNanos = startedNanos
    }
}

/// A service's own part: its methods, the events it emits, its health, its background work.
package protocol ServiceModule: AnyObject, Sendable {
    /// Adds the service's methods.
    func register(_ table: inout MethodTable)
    /// Event types this service emits.
    var emits: [String] { get }
    /// Health details merged into `service.health`; `ok: false` makes the status `degraded`.
    func health() -> (ok: Bool, fields: JSONObject)
    /// Starts background work once the socket is being served.
    func start()
    /// Stops background work; called after calls in flight have finished.
    func stop()
}

extension ServiceModule {
    package func health() -> (ok: Bool, fields: JSONObject) { (true, [:]) }
    package func start() {}
    package func stop() {}
}

/// Exit codes (sysexits.h) the supervisor understands.
package enum ExitCode {
    package static let ok: Int32 = 0
    package static let failure: Int32 = 1
    package static let usage: Int32 = 64
    /// EX_CONFIG: a permanent failure; restarting will not help.
    package static let config: Int32 = 78
}

/// Runs a service process from start to exit: arguments, mesh file, socket (inherited or bound),
/// readiness, the `service.*` methods, signals and graceful stop.
package enum ServiceHost {
    /// Runs the service named `kind` (or `--name`); never returns.
    package static func main(kind: String, summary: String, _ factory: (ServiceContext) throws -> any ServiceModule) -> Never {
        let started = monotonicNanos()
        signal(SIGPIPE, SIG_IGN)
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, s) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)  // before any thread exists, so all inherit it

        var args = Array(CommandLine.arguments.dropFirst())
        var meshPath = getenv("LIAISON_MESH").map { String(cString: $0) }
        var name = kind
        while !args.isEmpty {
            let a = args.removeFirst()
            switch a {
            case "--mesh" where !args.isEmpty: meshPath = args.removeFirst()
            case "--name" where !args.isEmpty: name = args.removeFirst()
            case "-h", "--help":
                print("""
                OVERVIEW: liaison-\(kind) — \(summary)

                USAGE: liaison-\(kind) --mesh FILE [--name NAME]

                OPTIONS:
                  --mesh FILE   The mesh file (or LIAISON_MESH). Names this service's socket, data dir and settings.
                  --name NAME   This service's entry in the mesh file (default: \(kind)).
                  --version     Print the version.
                  -h, --help    Show this help.

                Serves length-prefixed JSON on its Unix socket; takes an inherited socket (LISTEN_FDS) when given one.
                """)
                exit(ExitCode.ok)
            case "--version":
                print(liaisonVersion)
                exit(ExitCode.ok)
            default:
                FileHandle.standardError.write(Data("Error: unknown argument '\(a)'\nHint: liaison-\(kind) --help\n".utf8))
                exit(ExitCode.usage)
            }
        }
        let log = Logger(service: name)
        guardParent(log)
        guard let meshPath else {
            log.error("config.invalid", ["reason": "no mesh file: pass --mesh FILE or set LIAISON_MESH"])
            exit(ExitCode.config)
        }
        let mesh: Mesh
        do { mesh = try Mesh.load(meshPath) } catch {
            log.error("config.invalid", ["reason": "\(error)"])
            exit(ExitCode.config)
        }
        guard let entry = mesh.service(name) else {
            log.error("config.invalid", ["reason": "mesh file \(meshPath) has no service named \(name)"])
            exit(ExitCode.config)
        }
        do {
            try Listener.makeDirectories(entry.dataDir, mode: 0o700)
        } catch {
            log.error("config.invalid", ["reason": "data_dir \(entry.dataDir): \(error)"])
            exit(ExitCode.config)
        }
        let context = ServiceContext(name: name, mesh: mesh, entry: entry, log: log, startedNanos: started)
        let module: any ServiceModule
        do { module = try factory(context) } catch {
            log.error("service.init_failed", ["error": "\(error)"])
            exit(error is MeshError ? ExitCode.config : ExitCode.failure)
        }
        do {
            try serve(context: context, module: module)
        } catch {
            log.error("service.failed", ["error": "\(error)"])
            exit(ExitCode.failure)
        }
        exit(ExitCode.ok)
    }

    /// Under our supervisor: die with it (PR_SET_PDEATHSIG), and exit at once if it is already gone.
    static func guardParent(_ log: Logger) {
        guard let text = getenv("LIAISON_SUPERVISOR_PID").map({ String(cString: $0) }), let pid = Int32(text) else { return }
        _ = liaison_set_parent_death_signal(SIGTERM)
        if getppid() != pid {
            log.warning("service.orphaned", ["supervisor.pid": text])
            exit(ExitCode.ok)
        }
    }

    static func serve(context: ServiceContext, module: any ServiceModule) throws {
        let log = context.log
        let entry = context.entry
        let listener = try Listener.acquire(path: entry.socket)
        let loop = try EventLoop()
        let stats = CallStats()
        // Threads for blocking work; many, since a write mostly waits for its group's commit and
        // every waiting write makes the next group (one fsync) larger.
        let threads = Int(entry.settings["workers"]?.intValue ?? 64)
        guard (1...256).contains(threads) else { throw MeshError("services[\(context.name)].settings.workers: must be 1 to 256") }
        let workers = try WorkerPool(name: "\(context.name)-w", threads: threads)
        let state = HostState()

        var table = MethodTable()
        registerServiceMethods(&table, context: context, module: module, stats: stats, state: state)
        module.register(&table)
        let relay = try wireEvents(&table, context: context, module: module, state: state)
        state.table = table
        let dispatcher = ServiceDispatcher(table: table, workers: workers, log: log, stats: stats,
                                           allowedUIDs: entry.allowedUids, allowedGIDs: entry.allowedGids)
        var limits = ServerLimits()
        limits.maxFrame = entry.maxFrameBytes
        limits.maxConnections = entry.maxConnections
        let server = WireServer(listenFD: listener.fd, loop: loop, limits: limits, dispatcher: dispatcher) { event, fields in
            log.log(.info, event, pairs: fields)
        }
        server.start()
        state.server = server

        var mask = sigset_t()
        sigemptyset(&mask)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, s) }
        let sigfd = signalfd(-1, &mask, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard sigfd >= 0 else { throw SystemError("signalfd") }
        loop.register(sigfd, .readable) { _ in
            var info = signalfd_siginfo()
            while read(sigfd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
                let sig = Int32(info.ssi_signo)
                if sig == SIGHUP { log.info("signal.ignored", ["signal": "HUP"]); continue }
                guard !state.stopping else { continue }
                state.stopping = true
                log.info("service.stopping", ["signal": sig == SIGTERM ? "TERM" : "INT"])
                Readiness.notifyStopping()
                let deadline = max(entry.stopTimeoutMs - 1000, 500)
                server.shutdown(deadlineMs: deadline) {
                    relay?.stop()
                    module.stop()
                    workers.stop()
                    loop.stop()
                }
            }
        }

        module.start()
        try relay?.start()
        if let p = module as? any EventParticipant, !entry.consumes.isEmpty {
            let keep = (try? EventSettings.from(entry.settings))?.keepInboxIdsMs ?? EventSettings().keepInboxIdsMs
            schedulePrune(loop: loop, workers: workers, store: p.eventStore, keepMs: keep, log: log)
        }
        let how = Readiness.notifyReady()
        log.info("service.ready", ["socket": entry.socket, "inherited": String(listener.inherited), "pid": String(getpid()),
                                   "version": liaisonVersion, "notified": how.joined(separator: ",")])
        loop.run()
        if !listener.inherited { listener.close() }
        log.info("service.stopped", ["uptime_s": String((monotonicNanos() - context.startedNanos) / 1_000_000_000)])
    }

    /// For a service taking part in events: the relay (producers) and the events.* methods.
    static func wireEvents(_ table: inout MethodTable, context: ServiceContext, module: any ServiceModule, state: HostState) throws -> EventRelay? {
        guard let participant = module as? any EventParticipant else { return nil }
        let settings = try EventSettings.from(context.entry.settings)
        var relay: EventRelay? = nil
        if !module.emits.isEmpty {
            var subs: [String: EventRelay.Subscriber] = [:]
            for s in context.mesh.config.services where s.name != context.name && module.emits.contains(where: { s.consumes(type: $0) }) {
                subs[s.name] = EventRelay.Subscriber(socket: s.socket, maxFrame: s.maxFrameBytes)
            }
            let r = EventRelay(store: participant.eventStore, source: context.name, subscribers: subs, settings: settings, log: context.log)
            EventMethods.registerProducer(&table, store: participant.eventStore, source: context.name, relay: r)
            relay = r
            state.relay = r
        }
        if !context.entry.consumes.isEmpty {
            EventMethods.registerConsumer(&table, participant: participant, log: context.log)
        }
        state.eventStore = participant.eventStore
        return relay
    }

    /// Prunes old inbox ids hourly (and once soon after start), on a worker.
    static func schedulePrune(loop: EventLoop, workers: WorkerPool, store: Store, keepMs: Int64, log: Logger) {
        loop.schedule(afterMs: 60_000) {
            workers.submit {
                do {
                    let n = try Inbox.prune(store: store, keepMs: keepMs)
                    if n > 0 { log.info("inbox.pruned", ["rows": String(n)]) }
                } catch { log.error("inbox.prune_failed", ["error": "\(error)"]) }
            }
            loop.schedule(afterMs: 3_540_000) { schedulePrune(loop: loop, workers: workers, store: store, keepMs: keepMs, log: log) }
        }
    }

    /// `service.health`, `service.describe`, `service.stats`, `service.ping`.
    static func registerServiceMethods(_ table: inout MethodTable, context: ServiceContext, module: any ServiceModule, stats: CallStats, state: HostState) {
        let uptime: @Sendable () -> Double = { Double((monotonicNanos() - context.startedNanos) / 1_000_000) / 1000 }
        table.add(MethodSpec(
            name: "service.health", summary: "Whether the service is up and working: status, version, pid, uptime, and the service's own checks.",
            params: .object([]), result: HealthResult.schema, execution: .worker
        ) { _, _ in
            var (ok, fields) = module.health()
            if let store = state.eventStore {
                if var outbox = try? store.read({ db in try Outbox.summary(db) }), state.relay != nil {
                    outbox["relay"] = .object(state.relay!.health())
                    fields["outbox"] = .object(outbox)
                }
                let c = store.commitCounters
                fields["commits"] = ["transactions": .int(Int64(c.commits)), "writes": .int(Int64(c.writes)),
                                     "work_ms": .double(Double(c.workNanos / 1000) / 1000), "commit_ms": .double(Double(c.commitNanos / 1000) / 1000),
                                     "wal_restarts": .int(Int64(c.walRestarts))]
                if !store.isHealthy() { ok = false; fields["database"] = "failing" } else if fields["database"] == nil { fields["database"] = "ok" }
            }
            var o: JSONObject = [
                "service": .string(context.name), "version": .string(liaisonVersion), "pid": .int(Int64(getpid())),
                "uptime_s": .double(uptime()), "status": .string(state.stopping ? "stopping" : ok ? "ok" : "degraded"),
            ]
            for m in fields.members { o[m.key] = m.value }
            return .object(o)
        })
        table.add(MethodSpec(
            name: "service.ping", summary: "Answers at once from the event loop; for latency checks.",
            params: .object([]), result: .object([.req("pong", .boolean)]), execution: .inline
        ) { _, _ in ["pong": true] })
        table.add(MethodSpec(
            name: "service.stats", summary: "Calls and errors per method with latency p50/p99/max, and open connections.",
            params: .object([]), result: .object([.req("calls", .integer()), .req("errors", .integer()), .req("methods", .map(.any))]),
            execution: .inline
        ) { _, _ in
            guard case .object(var o) = stats.snapshot() else { return .null }
            o["service"] = .string(context.name)
            o["uptime_s"] = .double(uptime())
            o["connections"] = .int(Int64(state.server?.connectionCount ?? 0))
            if let store = state.eventStore {
                let top = store.sqlProfile().prefix(15)
                if !top.isEmpty {
                    o["sql_profile"] = .array(top.map { ["sql": .string(String($0.sql.prefix(160))), "count": .int(Int64($0.count)), "ms": .double($0.ms)] })
                }
            }
            return .object(o)
        })
        let consumes = context.entry.consumes
        table.add(MethodSpec(
            name: "service.describe", summary: "Every method with its params and result (JSON Schema), and the events emitted and consumed.",
            params: .object([]), result: .object([.req("service", .string()), .req("methods", .array(.any)), .req("events", .any)]),
            execution: .inline
        ) { _, _ in
            let methods: [JSONValue] = (state.table?.all ?? []).map { m in
                ["name": .string(m.name), "summary": .string(m.summary), "params": m.params.json, "result": m.result.json]
            }
            return [
                "service": .string(context.name), "version": .string(liaisonVersion), "protocol": .int(protocolVersion),
                "methods": .array(methods),
                "events": ["emits": .array(module.emits.map { .string($0) }), "consumes": .array(consumes.map { .string($0) })],
                "errors": .array(ErrorCode.all.map { .string($0.rawValue) }),
            ]
        })
    }
}

/// State the host's handlers share. `@unchecked Sendable`: `server`, `table`, `relay` and `eventStore` are set once before the loop
/// runs; `stopping` is written on the loop thread and only read for reporting elsewhere.
final class HostState: @unchecked Sendable {
    var server: WireServer?
    var table: MethodTable?
    var relay: EventRelay?
    var eventStore: Store?
    var stopping = false
}

/// The documented shape of `service.health`.
enum HealthResult {
    static var schema: Schema {
        .object([
            .req("service", .string()), .req("version", .string()), .req("pid", .integer()), .req("uptime_s", .number),
            .req("status", .string(values: ["ok", "degraded", "stopping"])),
        ])
    }
}
