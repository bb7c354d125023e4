import CLiaisonShims
import Glibc
import LiaisonRuntime
import LiaisonWire

/// Options for running a supervisor.
package struct SupervisorOptions: Sendable {
    /// Echo children's output, prefixed `[service]`, on our stdout.
    package var echo = true
    package init() {}
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

    package init(meshPath: String, options: SupervisorOptions = SupervisorOptions()) throws {
        self.meshPath = meshPath
        mesh = try Mesh.load(meshPath)
        log = Logger(service: "supervisor")
        self.options = options
        loop = try EventLoop()
    }

    /// Runs until stopped by SIGTERM/SIGINT; returns the process exit code.
    package func run() throws -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        _ = liaison_set_child_subreaper()
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&mask, s) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        let sigfd = signalfd(-1, &mask, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard sigfd >= 0 else { throw SystemError("signalfd") }

        let control = try Listener.bind(path: mesh.config.supervisor.socket)
        controlListener = control
        try Listener.makeDirectories(mesh.config.supervisor.logDir, mode: 0o750)
        for entry in try mesh.startOrder() { try addSlot(entry) }

        loop.register(sigfd, .readable) { [unowned self] _ in self.signals(sigfd) }
        let server = WireServer(listenFD: control.fd, loop: loop, limits: ServerLimits(), dispatcher: SupervisorControl(self)) { [log] e, f in
            log.log(.debug, e, pairs: f)
        }
        server.start()
        self.control = server
        log.info("supervisor.started", ["pid": String(getpid()), "mesh": meshPath, "socket": control.path, "services": order.joined(separator: ",")])
        bootPending = order
        loop.schedule(afterMs: 0) { [unowned self] in self.bootNext() }
        loop.run()
        return exitCode
    }

    /// Closes a service's socket while it is down on purpose: callers are then told at once that
    /// nothing is there instead of waiting in a backlog nobody will serve.
    func releaseSocket(_ slot: ServiceSlot) {
        slot.listener?.close()
        slot.listener = nil
    }

    /// Binds the service's socket (held while it is wanted) and prepares its slot.
    func addSlot(_ entry: ServiceEntry) throws {
        let listener = try Listener.bind(path: entry.socket)
        let output = ChildOutput(name: entry.name, logDir: mesh.config.supervisor.logDir, maxBytes: mesh.config.supervisor.logMaxBytes,
                                 files: mesh.config.supervisor.logFiles, echo: options.echo)
        slots[entry.name] = ServiceSlot(entry: entry, listener: listener, output: output)
        order.append(entry.name)
    }

    // MARK: boot order

    /// Starts the next service whose dependencies are ready; each waits for the one before.
    func bootNext() {
        guard !shuttingDown else { return }
        while let name = bootPending.first {
            guard let slot = slots[name] else { bootPending.removeFirst(); continue }
            let depsReady = slot.entry.dependsOn.allSatisfy { slots[$0]?.state == .running }
            if !depsReady {
                let failedDep = slot.entry.dependsOn.first { [.failed, .stopped].contains(slots[$0]?.state) }
                if let failedDep {
                    slot.reason = "waiting for \(failedDep), which is \(slots[failedDep]!.state.rawValue)"
                    bootPending.removeFirst()
                    continue
                }
                return  // a dependency is still starting; its readiness calls us again
            }
            bootPending.removeFirst()
            if slot.state == .stopped && slot.wanted {
                slot.readyWaiters.append { [unowned self] _ in self.bootNext() }
                launch(slot)
                return
            }
        }
        if bootPending.isEmpty && order.allSatisfy({ slots[$0]!.state != .starting }) && meshReadyMicros == nil {
            meshReadyMicros = (monotonicNanos() - startedNanos) / 1000
            log.info("mesh.ready", ["services": order.map { "\($0):\(slots[$0]!.state.rawValue)" }.joined(separator: ","),
                                    "after_ms": String(meshReadyMicros! / 1000)])
        }
    }

    // MARK: starting a child

    func launch(_ slot: ServiceSlot) {
        guard !shuttingDown, slot.wanted else { return }
        cancelTimer(&slot.retryTimer)
        slot.retryAtNanos = nil
        slot.retryAtMillis = nil
        if slot.listener == nil {
            do { slot.listener = try Listener.bind(path: slot.entry.socket) } catch {
                slot.reason = "cannot bind \(slot.entry.socket): \(error)"
                slot.output.note(slot.reason!)
                log.error("service.bind_failed", ["service": slot.name, "error": "\(error)"])
                scheduleRetry(slot, afterMs: slot.backoff.next(jitter: jitter()))
                return
            }
        }
        guard let listenFD = slot.listener?.fd else { return }
        guard let exe = Spawner.resolve(slot.entry.executable) else {
            slot.reason = "executable \(slot.entry.executable) not found (beside the supervisor or on PATH)"
            slot.output.note(slot.reason!)
            log.error("service.spawn_failed", ["service": slot.name, "reason": slot.reason!])
            scheduleRetry(slot, afterMs: slot.backoff.next(jitter: jitter()))
            return
        }
        var ready: [Int32] = [-1, -1], out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard liaison_pipe2(&ready, 0) == 0, liaison_pipe2(&out, 0) == 0, liaison_pipe2(&err, 0) == 0 else {
            for fd in ready + out + err where fd >= 0 { FD.close(fd) }
            slot.reason = "cannot create pipes: \(SystemError("pipe2"))"
            scheduleRetry(slot, afterMs: slot.backoff.next(jitter: jitter()))
            return
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
            executable: exe, arguments: [exe, "--mesh", meshPath, "--name", slot.name] + slot.entry.args, environment: env,
            fds: [-1, out[1], err[1], listenFD, ready[1]], setListenPID: true, workingDirectory: slot.entry.dataDir)
        try? Listener.makeDirectories(slot.entry.dataDir, mode: 0o700)
        let pid: Int32
        do { pid = try Spawner.spawn(request) } catch {
            for fd in ready + out + err { FD.close(fd) }
            slot.reason = "cannot start \(exe): \(error)"
            slot.output.note(slot.reason!)
            log.error("service.spawn_failed", ["service": slot.name, "error": "\(error)"])
            scheduleRetry(slot, afterMs: slot.backoff.next(jitter: jitter()))
            return
        }
        FD.close(ready[1]); FD.close(out[1]); FD.close(err[1])
        slot.pid = pid
        slot.state = .starting
        slot.spawnedNanos = monotonicNanos()
        slot.readyNanos = nil
        slot.healthMisses = 0
        slot.reason = nil
        slot.readyFD = ready[0]
        watchOutput(slot, fd: out[0], stream: "out")
        watchOutput(slot, fd: err[0], stream: "err")
        try? FD.setNonBlocking(ready[0])
        loop.register(ready[0], [.readable, .hangup]) { [unowned self] _ in self.readyPipe(slot, fd: ready[0]) }
        slot.startTimer = loop.schedule(afterMs: slot.entry.startTimeoutMs) { [unowned self] in
            slot.startTimer = nil
            guard slot.state == .starting, let pid = slot.pid else { return }
            slot.reason = "not ready within \(slot.entry.startTimeoutMs) ms; killed"
            slot.output.note(slot.reason!)
            log.warning("service.start_timeout", ["service": slot.name, "pid": String(pid)])
            kill(-pid, SIGKILL)
        }
        log.info("service.spawned", ["service": slot.name, "pid": String(pid), "restarts": String(slot.restarts)])
    }

    private func watchOutput(_ slot: ServiceSlot, fd: Int32, stream: String) {
        try? FD.setNonBlocking(fd)
        loop.register(fd, [.readable, .hangup]) { [unowned self] _ in
            var buf = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 { slot.output.take(buf[0..<n], stream: stream); continue }
                if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
                slot.output.finish(stream: stream)
                loop.unregister(fd)
                FD.close(fd)
                return
            }
        }
    }

    private func readyPipe(_ slot: ServiceSlot, fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 64)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        loop.unregister(fd)
        FD.close(fd)
        if slot.readyFD == fd { slot.readyFD = nil }
        guard n > 0, String(decoding: buf[0..<n], as: UTF8.self).hasPrefix("READY"), slot.state == .starting else { return }
        becameReady(slot)
    }

    func becameReady(_ slot: ServiceSlot) {
        cancelTimer(&slot.startTimer)
        slot.state = .running
        slot.readyNanos = monotonicNanos()
        if let exit = slot.exitNoticedNanos, let spawned = slot.spawnedNanos, spawned >= exit {
            slot.lastRestart = ((spawned - exit) / 1000, (slot.readyNanos! - exit) / 1000)
        }
        slot.exitNoticedNanos = nil
        slot.reason = nil
        let ms = (slot.readyNanos! - slot.spawnedNanos!) / 1000
        log.info("service.ready", ["service": slot.name, "pid": String(slot.pid ?? 0), "start_us": String(ms)])
        scheduleHealth(slot)
        let waiters = slot.readyWaiters
        slot.readyWaiters = []
        for w in waiters { w(slot) }
    }

    // MARK: liveness

    func scheduleHealth(_ slot: ServiceSlot) {
        cancelTimer(&slot.healthTimer)
        slot.healthTimer = loop.schedule(afterMs: mesh.config.supervisor.healthIntervalMs) { [unowned self] in
            slot.healthTimer = nil
            guard slot.state == .running, let pid = slot.pid else { return }
            HealthProbe.run(loop: loop, path: slot.entry.socket, timeoutMs: mesh.config.supervisor.healthTimeoutMs) { [unowned self] result in
                guard slot.state == .running, slot.pid == pid else { return }
                switch result {
                case .healthy(let h):
                    slot.healthMisses = 0
                    slot.lastHealth = h
                    if slot.readyNanos.map({ monotonicNanos() - $0 >= RestartRules.resetAfterHealthyMs * 1_000_000 }) == true {
                        slot.backoff.reset()
                    }
                case .unhealthy(let why):
                    slot.healthMisses += 1
                    log.warning("service.health_missed", ["service": slot.name, "misses": String(slot.healthMisses), "reason": why])
                    if slot.healthMisses >= mesh.config.supervisor.healthMisses {
                        slot.reason = "\(slot.healthMisses) health checks missed (last: \(why)); restarting"
                        slot.output.note(slot.reason!)
                        terminate(slot, restart: true)
                        return
                    }
                }
                scheduleHealth(slot)
            }
        }
    }

    // MARK: helpers

    func cancelTimer(_ t: inout EventLoop.TimerID?) {
        if let id = t { loop.cancel(id) }
        t = nil
    }

    func jitter() -> Double { Double.random(in: -1...1) }

    func scheduleRetry(_ slot: ServiceSlot, afterMs ms: Int) {
        slot.state = .backoff
        slot.pid = nil
        slot.retryAtNanos = monotonicNanos() + UInt64(ms) * 1_000_000
        slot.retryAtMillis = wallClockMillis() + Int64(ms)
        cancelTimer(&slot.retryTimer)
        slot.retryTimer = loop.schedule(afterMs: ms) { [unowned self] in
            slot.retryTimer = nil
            guard slot.state == .backoff, slot.wanted, !shuttingDown else { return }
            slot.restarts += 1
            launch(slot)
        }
        log.notice("service.backoff", ["service": slot.name, "retry_in_ms": String(ms), "reason": slot.reason ?? ""])
        // Anyone waiting for readiness learns that this attempt failed.
        let waiters = slot.readyWaiters
        slot.readyWaiters = []
        for w in waiters { w(slot) }
    }
}
