import LiaisonBuild
import CLiaisonShims
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Options for running a supervisor.
package struct SupervisorOptions: Sendable {
    /// Echo children's output, prefixed `[service]`, on our stdout.
    package var echo = true
    package init() {}
    /// The version the supervisor reports.
    package static var version: String { BuildInfo.description }
}

/// Runs the mesh on one machine: binds every service's socket and hands it over, starts services
/// in dependency order and waits for their readiness, restarts them by policy, stops them in
/// reverse order, answers control calls. Everything happens on one event loop.
///
/// `@unchecked Sendable`: all state is confined to the loop thread.
package final class Supervisor: @unchecked Sendable {
    let loop: EventLoop
    var mesh: Mesh
    let meshPath: String
    let log: Logger
    let options: SupervisorOptions
    var slots: [String: ServiceSlot] = [:]
    var order: [String] = []
    var control: WireServer?
    var controlListener: Listener?
    var shuttingDown = false
    let startedNanos = monotonicNanos()
    var bootPending: [String] = []
    /// Supervisor start → every service ready (first boot), µs.
    var meshReadyMicros: UInt64?
    var exitCode: Int32 = 0
    /// The supervisor's own log lines (`liaison logs supervisor`).
    let ownOutput: ChildOutput
    /// `on_failure` commands running, by pid.
    var alerts: [Int32: RunningAlert] = [:]
    /// The scheduled backup while it runs, and since when.
    var backupPid: Int32?
    var backupStartedNanos: UInt64 = 0

    package init(meshPath: String, options: SupervisorOptions = SupervisorOptions()) throws {
        self.meshPath = meshPath
        mesh = try Mesh.load(meshPath)
        // Its own lines go to stderr (the journal, when systemd runs it) and to a ring and file of
        // their own: `liaison logs supervisor`.
        try Listener.makeDirectories(mesh.config.supervisor.logDir, mode: 0o750)
        let own = ChildOutput(
            name: "supervisor",
            logDir: mesh.config.supervisor.logDir,
            maxBytes: mesh.config.supervisor.logMaxBytes,
            files: mesh.config.supervisor.logFiles,
            echo: false
        )
        ownOutput = own
        let journald = Logger.stderrIsJournal
        log = Logger(service: "supervisor", minimum: .fromEnvironment, journald: journald) { line in
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            let text = journald ? line.drop { $0 != ">" }.dropFirst() : Substring(line)
            own.record(Array(text.utf8), stream: "supervisor")
        }
        self.options = options
        loop = try EventLoop()
    }

    /// Runs until stopped by SIGTERM/SIGINT; returns the process exit code.
    package func run() throws -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        _ = liaison_set_child_subreaper()
        ResourceLimits.raiseOpenFiles()
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&mask, s) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        let sigfd = signalfd(-1, &mask, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard sigfd >= 0 else { throw SystemError("signalfd") }

        let control = try bindShared(mesh.config.supervisor.socket)
        controlListener = control
        // Its pid beside its socket (`liaison down` finds it there when the socket does not answer).
        try? "\(getpid())\n".write(toFile: mesh.config.supervisor.pidFile, atomically: true, encoding: .utf8)
        try Listener.makeDirectories(mesh.config.supervisor.logDir, mode: 0o750)
        for entry in try mesh.startOrder() { try addSlot(entry) }

        loop.register(sigfd, .readable) { [unowned self] _ in self.signals(sigfd) }
        let server = WireServer(
            listenFD: control.fd,
            loop: loop,
            limits: ServerLimits(),
            dispatcher: try SupervisorMethods.dispatcher(for: self)
        ) {
            [log] e, f in log.log(.debug, e, pairs: f)
        }
        server.start()
        self.control = server
        log.info(
            "supervisor.started",
            [
                "pid": String(getpid()), "mesh": meshPath, "socket": control.path,
                "services": order.joined(separator: ","), "version": BuildInfo.version, "commit": BuildInfo.commit,
            ]
        )
        bootPending = order
        loop.schedule(afterMs: 0) { [unowned self] in self.bootNext() }
        scheduleBackups()
        loop.run()
        return exitCode
    }

    /// Closes a service's socket while it is down on purpose: callers are then told at once that
    /// nothing is there instead of waiting in a backlog nobody will serve.
    func releaseSocket(_ slot: ServiceSlot) {
        slot.listener?.close()
        slot.listener = nil
    }

    /// Binds a socket and gives it to the mesh's socket group. Services of a supervisor that was
    /// killed still answer on their sockets while they drain: they get their stop timeout (and a
    /// second) to go before the socket counts as taken.
    func bindShared(_ path: String) throws -> Listener {
        let drain = (mesh.config.services.map(\.stopTimeoutMs).max() ?? 5000) + 1000
        let l = try Listener.bind(path: path, waitForQuietMs: path == mesh.config.supervisor.socket ? 0 : drain)
        Spawner.share(path, with: mesh.config.socketGroup, log: log)
        return l
    }

    /// Binds the service's socket (held while it is wanted) and prepares its slot.
    func addSlot(_ entry: ServiceEntry) throws {
        let listener = try bindShared(entry.socket)
        let output = ChildOutput(
            name: entry.name,
            logDir: mesh.config.supervisor.logDir,
            maxBytes: mesh.config.supervisor.logMaxBytes,
            files: mesh.config.supervisor.logFiles,
            echo: options.echo
        )
        slots[entry.name] = ServiceSlot(entry: entry, listener: listener, output: output)
        order.append(entry.name)
    }

    // MARK: boot order

    /// Starts the next service whose dependencies are ready; each waits for the one before.
    func bootNext() {
        guard !shuttingDown else { return }
        while let name = bootPending.first {
            guard let slot = slots[name] else { bootPending.removeFirst(); continue }
            let depsReady = slot.entry.dependsOn.allSatisfy {
                if case .running? = slots[$0]?.state { true } else { false }
            }
            if !depsReady {
                let failedDep = slot.entry.dependsOn.first { d in
                    switch slots[d]?.state {
                    case .failed?, .stopped?: true;
                    default: false
                    }
                }
                if let failedDep {
                    slot.state = .stopped(reason: "waiting for \(failedDep), which is \(slots[failedDep]!.state.name)")
                    bootPending.removeFirst()
                    continue
                }
                return  // a dependency is still starting; its readiness calls us again
            }
            bootPending.removeFirst()
            if case .stopped = slot.state, slot.wanted {
                slot.readyWaiters.append { [unowned self] _ in self.bootNext() }
                launch(slot)
                return
            }
        }
        let starting = order.contains { if case .starting? = slots[$0]?.state { true } else { false } }
        if bootPending.isEmpty && !starting && meshReadyMicros == nil {
            meshReadyMicros = (monotonicNanos() - startedNanos) / 1000
            log.info(
                "mesh.ready",
                [
                    "services": order.map { "\($0):\(slots[$0]!.state.name)" }.joined(separator: ","),
                    "after_ms": String(meshReadyMicros! / 1000),
                ]
            )
        }
    }

    // MARK: starting a child

    func launch(_ slot: ServiceSlot) {
        guard !shuttingDown, slot.wanted else { return }
        if case .backoff(_, _, _, let timer) = slot.state { loop.cancel(timer) }
        if slot.listener == nil {
            do { slot.listener = try bindShared(slot.entry.socket) } catch {
                return launchFailed(slot, "cannot bind \(slot.entry.socket): \(error)")
            }
        }
        guard let listenFD = slot.listener?.fd else { return }
        guard let exe = Executables.resolve(slot.entry.executable) else {
            return configFailed(
                slot,
                "services[\(slot.name)].executable: \(slot.entry.executable) not found (beside the supervisor or on "
                    + "PATH)"
            )
        }
        let account: UserAccount?
        switch Spawner.account(for: slot.entry) {
        case .success(let a): account = a
        case .failure(let e): return configFailed(slot, e.description)
        }
        // Its data directory, which it starts in: one that cannot be made (a file in its place)
        // is the mesh file's to fix, not a reason to try again and again.
        do { try Spawner.prepareDataDir(slot.entry, for: account) } catch {
            return configFailed(slot, "data_dir: \(error)")
        }
        var ready: [Int32] = [-1, -1], out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard liaison_pipe2(&ready, 0) == 0, liaison_pipe2(&out, 0) == 0, liaison_pipe2(&err, 0) == 0 else {
            for fd in ready + out + err where fd >= 0 { FD.close(fd) }
            return launchFailed(slot, "cannot create pipes: \(SystemError("pipe2"))")
        }
        var env = Subprocess.currentEnvironment()
        for (k, v) in slot.entry.env { env[k] = v }
        env["LISTEN_FDS"] = "1"
        env["LISTEN_FDNAMES"] = slot.name
        env["LIAISON_READY_FD"] = "4"
        env["LIAISON_SUPERVISOR_PID"] = String(getpid())
        env["LIAISON_MESH"] = meshPath
        env.removeValue(forKey: "NOTIFY_SOCKET")
        let request = SpawnRequest(
            executable: exe,
            arguments: [exe, "--mesh", meshPath, "--name", slot.name] + slot.entry.args,
            environment: env,
            fds: [-1, out[1], err[1], listenFD, ready[1]],
            setListenPID: true,
            workingDirectory: slot.entry.dataDir,
            account: account
        )
        let pid: Int32
        do { pid = try Spawner.spawn(request) } catch {
            for fd in ready + out + err { FD.close(fd) }
            return launchFailed(slot, "cannot start \(exe): \(error)")
        }
        FD.close(ready[1]); FD.close(out[1]); FD.close(err[1])
        let child = Child(pid: pid, spawnedNanos: monotonicNanos())
        watchOutput(slot.output, fd: out[0], stream: "out")
        watchOutput(slot.output, fd: err[0], stream: "err")
        try? FD.setNonBlocking(ready[0])
        loop.register(ready[0], [.readable, .hangup]) { [unowned self] _ in self.readyPipe(slot, fd: ready[0]) }
        let timer = loop.schedule(afterMs: slot.entry.startTimeoutMs) { [unowned self] in
            guard case .starting(let c, _, _) = slot.state else { return }
            slot.output.note("not ready within \(slot.entry.startTimeoutMs) ms; killed")
            log.warning("service.start_timeout", ["child": slot.name, "pid": String(c.pid)])
            kill(-c.pid, SIGKILL)
        }
        slot.state = .starting(child, readyFD: ready[0], startTimer: timer)
        log.info("service.spawned", ["child": slot.name, "pid": String(pid), "restarts": String(slot.restarts)])
    }

    /// A start that failed before a child existed: noted, logged, retried after the backoff.
    /// A start that cannot work until the mesh file is fixed: failed (not retried), with the
    /// reason; `liaison reload` (or start) tries again.
    private func configFailed(_ slot: ServiceSlot, _ why: String) {
        slot.state = .failed(reason: why)
        releaseSocket(slot)
        slot.output.note(why)
        log.error("service.failed", ["child": slot.name, "reason": why])
        alert(slot, .failed, reason: why)
        slot.notifyReadyWaiters()
        bootNext()
    }

    private func launchFailed(_ slot: ServiceSlot, _ why: String) {
        slot.output.note(why)
        log.error("service.spawn_failed", ["child": slot.name, "reason": why])
        exitedEarly(slot, reason: why)
        scheduleRetry(slot, reason: why, afterMs: slot.backoff.next(jitter: jitter()))
    }

    /// Reads a child's stream into `output` line by line until it closes.
    func watchOutput(_ output: ChildOutput, fd: Int32, stream: String) {
        try? FD.setNonBlocking(fd)
        loop.register(fd, [.readable, .hangup]) { [unowned self] _ in
            var buf = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let (n, e) = restartingEINTR { buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
                if n > 0 { output.take(buf[0..<n], stream: stream); continue }
                if n < 0 && e == EAGAIN { return }
                output.finish(stream: stream)
                loop.unregister(fd)
                FD.close(fd)
                return
            }
        }
    }

    private func readyPipe(_ slot: ServiceSlot, fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 64)
        let (n, e) = restartingEINTR { buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        if n < 0 && e == EAGAIN { return }
        closeReadyPipe(fd)
        guard case .starting(let child, let readyFD, let timer) = slot.state, readyFD == fd else { return }
        // Closed: the state no longer names it. Its number is free at once, and the next accept
        // may take it; closing it again when the child's exit is noticed closed a client's
        // connection instead (seen as "connection reset" on supervisor.status).
        slot.state = .starting(child, readyFD: -1, startTimer: timer)
        guard n > 0, String(decoding: buf[0..<n], as: UTF8.self).hasPrefix("READY") else { return }
        loop.cancel(timer)
        becameReady(slot, child)
    }

    /// Stops watching and closes a child's readiness pipe (-1: already closed).
    func closeReadyPipe(_ fd: Int32) {
        guard fd >= 0 else { return }
        loop.unregister(fd)
        FD.close(fd)
    }

    func becameReady(_ slot: ServiceSlot, _ child: Child) {
        let now = monotonicNanos()
        if let exit = slot.exitNoticedNanos, child.spawnedNanos >= exit {
            slot.lastRestart = ((child.spawnedNanos - exit) / 1000, (now - exit) / 1000)
        }
        slot.exitNoticedNanos = nil
        slot.state = .running(child, readyNanos: now, healthTimer: nil, misses: 0)
        log.info(
            "service.ready",
            ["child": slot.name, "pid": String(child.pid), "start_us": String((now - child.spawnedNanos) / 1000)]
        )
        // The first check at once: it also says which release the new process is.
        slot.lastHealth = nil
        scheduleHealth(slot, afterMs: 0)
        slot.notifyReadyWaiters()
    }

    // MARK: liveness

    func scheduleHealth(_ slot: ServiceSlot, afterMs: Int? = nil) {
        guard case .running(let child, let ready, let old, let misses) = slot.state else { return }
        if let old { loop.cancel(old) }
        let timer = loop.schedule(afterMs: afterMs ?? mesh.config.supervisor.healthIntervalMs) { [unowned self] in
            guard case .running(let c, _, _, _) = slot.state, c.pid == child.pid else { return }
            HealthProbe.run(loop: loop, path: slot.entry.socket, timeoutMs: mesh.config.supervisor.healthTimeoutMs) {
                [unowned self] result in
                probed(slot, child, result)
            }
        }
        slot.state = .running(child, readyNanos: ready, healthTimer: timer, misses: misses)
    }

    private func probed(_ slot: ServiceSlot, _ child: Child, _ result: ProbeOutcome) {
        guard case .running(let c, let ready, let timer, let misses) = slot.state, c.pid == child.pid else { return }
        switch result {
        case .healthy(let h):
            slot.lastHealth = h
            if monotonicNanos() - ready >= RestartRules.resetAfterHealthyMs * 1_000_000 { slot.backoff.reset() }
            slot.state = .running(c, readyNanos: ready, healthTimer: timer, misses: 0)
        case .unhealthy(let why):
            let missed = misses + 1
            slot.state = .running(c, readyNanos: ready, healthTimer: timer, misses: missed)
            log.warning("service.health_missed", ["child": slot.name, "misses": String(missed), "reason": why])
            if missed >= mesh.config.supervisor.healthMisses {
                slot.output.note("\(missed) health checks missed (last: \(why)); restarting")
                terminate(slot, then: .restart)
                return
            }
        }
        scheduleHealth(slot)
    }

    // MARK: helpers

    func jitter() -> Double { Double.random(in: -1...1) }

    /// Waits out the backoff before the next start (a crash loop), telling anyone waiting for
    /// readiness that this attempt failed.
    func scheduleRetry(_ slot: ServiceSlot, reason: String, afterMs ms: Int) {
        if case .backoff(_, _, _, let old) = slot.state { loop.cancel(old) }
        let timer = loop.schedule(afterMs: ms) { [unowned self] in
            guard case .backoff = slot.state, slot.wanted, !shuttingDown else { return }
            slot.restarts += 1
            launch(slot)
        }
        slot.state = .backoff(
            reason: reason,
            retryAtNanos: monotonicNanos() + UInt64(ms) * 1_000_000,
            retryAtMillis: wallClockMillis() + Int64(ms),
            timer: timer
        )
        log.notice("service.backoff", ["child": slot.name, "retry_in_ms": String(ms), "reason": reason])
        slot.notifyReadyWaiters()
    }
}
