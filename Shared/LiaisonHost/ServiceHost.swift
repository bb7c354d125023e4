import LiaisonBuild
import CLiaisonShims
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Runs a service process from start to exit: arguments, mesh file, socket (inherited or bound),
/// readiness, the `service.*` methods, components started in order and stopped in reverse,
/// signals and graceful stop.
package enum ServiceHost {
    /// Runs the service named `kind` (or `--name`); never returns.
    package static func main(
        kind: String,
        summary: String,
        _ factory: @escaping (ServiceContext) throws -> ServiceDefinition
    ) -> Never {
        let started = monotonicNanos()
        let readyFDProblem = Readiness.claimReadyFD()  // before anything is opened
        signal(SIGPIPE, SIG_IGN)
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, s) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)  // before any thread exists, so all inherit it

        let root = Command<Void>(
            name: "liaison-\(kind)",
            abstract: "liaison-\(kind) — \(summary)",
            usage: "--mesh FILE [--name NAME]",
            options: [
                OptionSpec(
                    ["--mesh"],
                    value: "FILE",
                    "The mesh file (or LIAISON_MESH). Names this service's socket, data dir and settings."
                ),
                OptionSpec(["--name"], value: "NAME", "This service's entry in the mesh file (default: \(kind))."),
                OptionSpec(
                    ["--check"],
                    "Check the configuration as a start would (mesh entry, settings, data dir) and exit: 0, or 78 and "
                        + "why."
                ),
            ],
            discussion:
                "Serves length-prefixed JSON on its Unix socket; takes an inherited socket (LISTEN_FDS) when given "
                + "one. --version prints the version."
        ) { args, _ in
            let name = args.value("--name") ?? kind
            if let readyFDProblem {
                Logger(service: name).warning("service.ready_fd_ignored", ["reason": readyFDProblem])
            }
            return run(
                kind: kind,
                name: name,
                meshPath: args.value("--mesh") ?? environment("LIAISON_MESH"),
                started: started,
                check: args.has("--check"),
                factory
            )
        }
        let tool = CommandLineTool(program: "liaison-\(kind)", root: root, version: BuildInfo.description) { _ in }
        exit(tool.main(Array(CommandLine.arguments.dropFirst())))
    }

    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static func run(
        kind: String,
        name: String,
        meshPath: String?,
        started: UInt64,
        check: Bool = false,
        _ factory: (ServiceContext) throws -> ServiceDefinition
    ) -> Int32 {
        let log = Logger(service: name)
        if check { return ConfigCheck.run(name: name, meshPath: meshPath, log: log, factory) }
        guardParent(log)
        ResourceLimits.raiseOpenFiles()
        ResourceLimits.limitMallocArenas()
        guard let meshPath else {
            log.error("config.invalid", ["reason": "no mesh file: pass --mesh FILE or set LIAISON_MESH"])
            return ExitCode.config
        }
        let mesh: Mesh
        do { mesh = try Mesh.load(meshPath) } catch {
            log.error("config.invalid", ["reason": "\(error)"])
            return ExitCode.config
        }
        guard let entry = mesh.service(name) else {
            log.error("config.invalid", ["reason": "mesh file \(meshPath) has no service named \(name)"])
            return ExitCode.config
        }
        do {
            try Listener.makeDirectories(entry.dataDir, mode: 0o700)
        } catch {
            log.error("config.invalid", ["reason": "data_dir \(entry.dataDir): \(error)"])
            return ExitCode.config
        }
        let context = ServiceContext(name: name, mesh: mesh, entry: entry, log: log, startedNanos: started)
        let definition: ServiceDefinition
        do { definition = try factory(context) } catch {
            log.error("service.init_failed", ["error": "\(error)"])
            return error is MeshError ? ExitCode.config : ExitCode.failure
        }
        do {
            try serve(context: context, definition: definition)
        } catch {
            // A setting found wrong only now (settings.workers) is a configuration error: the
            // supervisor gives up on it with the reason instead of restarting it forever.
            log.error(error is MeshError ? "config.invalid" : "service.failed", ["error": "\(error)"])
            return error is MeshError ? ExitCode.config : ExitCode.failure
        }
        return ExitCode.ok
    }

    /// Under our supervisor: die with it (PR_SET_PDEATHSIG), and exit at once if it is already gone.
    static func guardParent(_ log: Logger) {
        guard let text = environment("LIAISON_SUPERVISOR_PID"), let pid = Int32(text) else { return }
        _ = liaison_set_parent_death_signal(SIGTERM)
        if getppid() != pid {
            log.warning("service.orphaned", ["supervisor.pid": text])
            exit(ExitCode.ok)
        }
    }

    static func serve(context: ServiceContext, definition: ServiceDefinition) throws {
        let log = context.log
        let entry = context.entry
        let listener = try Listener.acquire(path: entry.socket)
        let loop = try EventLoop()
        // Threads for blocking work; many, since a write mostly waits for its group's commit and
        // every waiting write makes the next group (one fsync) larger.
        let threads = try ConfigCheck.workers(entry)
        let workers = try WorkerPool(name: "\(context.name)-w", threads: threads, niceness: 5)
        let state = HostState()
        let limits = entry.serverLimits
        let introspection = ServiceIntrospection(
            name: context.name,
            startedNanos: context.startedNanos,
            definition: definition,
            stats: CallStats(),
            limits: limits,
            connections: { state.connections },
            stopping: { state.stopping }
        )
        var table = definition.methods
        introspection.register(&table)
        let controlWorkers = try WorkerPool(name: "\(context.name)-c", threads: 2)
        // One batch in flight per producer: two threads let two producers' batches share a commit.
        let deliveryWorkers =
            table["events.deliver"] == nil ? nil : try WorkerPool(name: "\(context.name)-e", threads: 2)
        let dispatcher = ServiceDispatcher(
            table: table,
            workers: workers,
            controlWorkers: controlWorkers,
            deliveryWorkers: deliveryWorkers,
            log: log,
            stats: introspection.stats,
            policy: AccessPolicy(mesh: context.mesh.config, name: context.name)
        )
        let server = WireServer(listenFD: listener.fd, loop: loop, limits: limits, dispatcher: dispatcher) {
            event,
            fields in
            log.log(.info, event, pairs: fields)
        }
        for end in definition.atEndOfLoopRound { loop.atEndOfEachRound(end) }
        server.start()
        state.server = server
        let components = Components(definition.components, log: log)

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
                let deadlineMs = max(entry.stopTimeoutMs - 1000, 500)
                let deadline = monotonicNanos() + UInt64(deadlineMs) * 1_000_000
                server.shutdown(deadlineMs: deadlineMs) {
                    components.stop(deadline: deadline)
                    workers.stop()
                    controlWorkers.stop()
                    deliveryWorkers?.stop()
                    loop.stop()
                }
            }
        }

        try components.start()
        let watchdog = Watchdog.start(loop: loop, introspection: introspection, log: log)
        let how = Readiness.notifyReady()
        log.info(
            "service.ready",
            [
                "socket": entry.socket, "inherited": String(listener.inherited), "pid": String(getpid()),
                "version": liaisonVersion, "commit": BuildInfo.commit, "notified": how.joined(separator: ","),
            ]
        )
        loop.run()
        _ = watchdog?.stop(timeoutMs: 1000)
        if !listener.inherited { listener.close() }
        log.info("service.stopped", ["uptime_s": String((monotonicNanos() - context.startedNanos) / 1_000_000_000)])
    }
}

/// State the host's handlers share. `@unchecked Sendable`: `server` is set once before the loop
/// runs; `stopping` is written on the loop thread and only read for reporting elsewhere.
final class HostState: @unchecked Sendable {
    var server: WireServer?
    var stopping = false
    var connections: Int { server?.connectionCount ?? 0 }
}
