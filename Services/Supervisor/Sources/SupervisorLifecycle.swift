import CLiaisonShims
import Glibc
import LiaisonRuntime
import LiaisonWire

extension Supervisor {
    // MARK: signals and reaping

    func signals(_ sigfd: Int32) {
        var info = signalfd_siginfo()
        while read(sigfd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGCHLD: reap()
            case SIGHUP: _ = reload()
            default:
                log.info("supervisor.stopping", ["signal": ChildExit.signalName(Int32(info.ssi_signo))])
                shutdown()
            }
        }
    }

    /// Reaps every exited child. As a child subreaper we also inherit orphaned grandchildren;
    /// those are reaped too (and logged), so no zombie is left behind.
    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            if let slot = slots.values.first(where: { $0.pid == pid }) {
                exited(slot, ChildExit(waitStatus: status))
            } else {
                log.debug("orphan.reaped", ["pid": String(pid), "status": ChildExit(waitStatus: status).description])
            }
        }
    }

    func exited(_ slot: ServiceSlot, _ status: ChildExit) {
        let now = monotonicNanos()
        slot.exitNoticedNanos = now
        let pid = slot.pid ?? 0
        kill(-pid, SIGKILL)  // anything left in its process group goes with it
        cancelTimer(&slot.startTimer)
        cancelTimer(&slot.killTimer)
        cancelTimer(&slot.healthTimer)
        if let fd = slot.readyFD {
            loop.unregister(fd)
            FD.close(fd)
            slot.readyFD = nil
        }
        let readyMs = slot.readyNanos.map { (now - $0) / 1_000_000 }
        slot.lastExit = ExitRecord(status: status, atMillis: wallClockMillis(), ranMs: (now - (slot.spawnedNanos ?? now)) / 1_000_000,
                                   wasReady: slot.readyNanos != nil)
        slot.pid = nil
        slot.readyNanos = nil
        let expected = !slot.wanted || shuttingDown || slot.restartRequested
        slot.output.note("exited: \(status)")
        log.log(expected ? .info : .warning, "service.exited", pairs: [("service", slot.name), ("pid", String(pid)), ("status", status.description)])

        if shuttingDown || !slot.wanted {
            slot.state = .stopped
            if !shuttingDown { releaseSocket(slot) }
            finishStop(slot)
            return
        }
        if slot.restartRequested {
            slot.restartRequested = false
            slot.restarts += 1
            finishStop(slot)
            launch(slot)
            return
        }
        let decision = RestartRules.decide(status: status, policy: slot.entry.restart, readyMs: readyMs, restarts: slot.restarts,
                                           maxRestarts: slot.entry.maxRestarts, backoff: &slot.backoff, jitter: jitter())
        switch decision {
        case .restartNow:
            slot.restarts += 1
            slot.reason = "restarted after \(status)"
            launch(slot)
        case .restartAfter(let ms):
            slot.reason = "\(status) \(slot.lastExit!.wasReady ? "soon after becoming ready" : "before becoming ready"); crash loop backoff"
            scheduleRetry(slot, afterMs: ms)
        case .stay(let why):
            slot.state = .stopped
            slot.reason = why
            finishStop(slot)
            bootNext()
        case .fail(let why):
            slot.state = .failed
            slot.reason = why
            releaseSocket(slot)
            slot.output.note(why)
            log.error("service.failed", ["service": slot.name, "reason": why])
            finishStop(slot)
            let waiters = slot.readyWaiters
            slot.readyWaiters = []
            for w in waiters { w(slot) }
            bootNext()
        }
    }

    private func finishStop(_ slot: ServiceSlot) {
        let waiters = slot.stopWaiters
        slot.stopWaiters = []
        for w in waiters { w(slot) }
        if shuttingDown { continueShutdown() }
    }

    // MARK: stopping

    /// Sends SIGTERM to the service's process group and SIGKILL at its stop timeout.
    func terminate(_ slot: ServiceSlot, restart: Bool) {
        guard let pid = slot.pid else { return }
        slot.restartRequested = restart
        slot.state = .stopping
        cancelTimer(&slot.healthTimer)
        kill(-pid, SIGTERM)
        cancelTimer(&slot.killTimer)
        slot.killTimer = loop.schedule(afterMs: slot.entry.stopTimeoutMs) { [unowned self] in
            slot.killTimer = nil
            guard slot.pid == pid else { return }
            log.warning("service.kill", ["service": slot.name, "pid": String(pid), "after_ms": String(slot.entry.stopTimeoutMs)])
            slot.output.note("did not stop within \(slot.entry.stopTimeoutMs) ms of SIGTERM; SIGKILL")
            kill(-pid, SIGKILL)
        }
    }

    /// Operator stop: the service stays down until started again. `done` runs once it is down.
    func stopService(_ slot: ServiceSlot, _ done: @escaping (ServiceSlot) -> Void) {
        slot.wanted = false
        bootPending.removeAll { $0 == slot.name }
        switch slot.state {
        case .starting, .running, .stopping:
            slot.stopWaiters.append(done)
            if slot.state != .stopping || slot.restartRequested { terminate(slot, restart: false) }
        case .backoff:
            cancelTimer(&slot.retryTimer)
            slot.state = .stopped
            slot.reason = "stopped by an operator"
            releaseSocket(slot)
            done(slot)
        case .stopped, .failed:
            releaseSocket(slot)
            done(slot)
        }
        if slot.state == .stopping || slot.state == .stopped { slot.reason = "stopped by an operator" }
    }

    /// Operator start: clears a failure or crash loop and starts now; `done` runs when it is ready
    /// (or when this attempt fails).
    func startService(_ slot: ServiceSlot, _ done: @escaping (ServiceSlot) -> Void) {
        slot.wanted = true
        switch slot.state {
        case .running: done(slot)
        case .starting: slot.readyWaiters.append(done)
        case .stopping:
            slot.restartRequested = true
            slot.readyWaiters.append(done)
        case .stopped, .failed, .backoff:
            slot.backoff.reset()
            slot.readyWaiters.append(done)
            launch(slot)
        }
    }

    /// Operator restart: a running service is stopped gracefully and started at once (its socket
    /// stays open meanwhile, so callers wait in the backlog); `done` runs when the new one is ready.
    func restartService(_ slot: ServiceSlot, _ done: @escaping (ServiceSlot) -> Void) {
        slot.wanted = true
        switch slot.state {
        case .running, .starting:
            slot.readyWaiters.append(done)
            terminate(slot, restart: true)
        default:
            startService(slot, done)
        }
    }

    /// Stops every service in reverse start order, then the loop.
    func shutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        bootPending = []
        control?.shutdown(deadlineMs: 200) {}
        for slot in slots.values {
            cancelTimer(&slot.retryTimer)
            if slot.state == .backoff { slot.state = .stopped }
        }
        continueShutdown()
    }

    /// Stops the last running service in start order; called again as each one exits.
    func continueShutdown() {
        for name in order.reversed() {
            guard let slot = slots[name] else { continue }
            if slot.pid != nil {
                if slot.state != .stopping || slot.restartRequested { terminate(slot, restart: false) }
                return
            }
        }
        for slot in slots.values { releaseSocket(slot) }
        controlListener?.close()
        log.info("supervisor.stopped", ["uptime_s": String((monotonicNanos() - startedNanos) / 1_000_000_000)])
        loop.stop()
    }

    // MARK: reload

    /// Re-reads the mesh file: new services start, removed ones stop, changed ones restart, the
    /// rest are left alone. Returns what changed.
    func reload() -> Result<JSONValue, ServiceError> {
        let fresh: Mesh
        do { fresh = try Mesh.load(meshPath) } catch {
            log.error("reload.failed", ["error": "\(error)"])
            return .failure(ServiceError(.invalidParams, "mesh file not reloaded: \(error)", retryable: false))
        }
        var added: [String] = [], removed: [String] = [], changed: [String] = []
        let newNames = Set(fresh.config.services.map(\.name))
        for name in order where !newNames.contains(name) {
            removed.append(name)
            let slot = slots[name]!
            stopService(slot) { [unowned self] s in
                self.releaseSocket(s)
                slots.removeValue(forKey: s.name)
                order.removeAll { $0 == s.name }
            }
        }
        mesh = fresh
        let newOrder = (try? fresh.startOrder()) ?? fresh.config.services
        for entry in newOrder {
            if let slot = slots[entry.name], !removed.contains(entry.name) {
                guard slot.entry != entry else { continue }
                if slot.entry.socket != entry.socket {
                    // A new socket path: bind it anew; callers of the old path are cut over.
                    changed.append(entry.name)
                    stopService(slot) { [unowned self] s in
                        self.releaseSocket(s)
                        slots.removeValue(forKey: s.name)
                        order.removeAll { $0 == s.name }
                        do { try addSlot(entry); startService(slots[entry.name]!) { _ in } } catch {
                            log.error("reload.bind_failed", ["service": entry.name, "error": "\(error)"])
                        }
                    }
                    continue
                }
                changed.append(entry.name)
                slot.entry = entry
                if slot.wanted && slot.pid != nil { restartService(slot) { _ in } }
            } else if slots[entry.name] == nil {
                do {
                    try addSlot(entry)
                    added.append(entry.name)
                    startService(slots[entry.name]!) { _ in }
                } catch {
                    log.error("reload.bind_failed", ["service": entry.name, "error": "\(error)"])
                }
            }
        }
        log.info("supervisor.reloaded", ["added": added.joined(separator: ","), "removed": removed.joined(separator: ","), "changed": changed.joined(separator: ",")])
        return .success(["added": .array(added.map { .string($0) }), "removed": .array(removed.map { .string($0) }),
                         "restarted": .array(changed.map { .string($0) })])
    }
}
