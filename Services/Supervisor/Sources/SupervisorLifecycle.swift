import CLiaisonShims
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
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
            if alertExited(pid, ChildExit(waitStatus: status)) { continue }
            if backupExited(pid, ChildExit(waitStatus: status)) { continue }
            if let slot = slots.values.first(where: { $0.pid == pid }) {
                exited(slot, ChildExit(waitStatus: status))
            } else {
                log.debug("orphan.reaped", ["pid": String(pid), "status": ChildExit(waitStatus: status).description])
            }
        }
    }

    func exited(_ slot: ServiceSlot, _ status: ChildExit) {
        guard let child = slot.state.child else { return }
        let now = monotonicNanos()
        slot.exitNoticedNanos = now
        kill(-child.pid, SIGKILL)  // anything left in its process group goes with it
        var readyMs: UInt64? = nil
        var after = AfterStop.stay
        switch slot.state {
        case .starting(_, let fd, let timer):
            loop.cancel(timer)
            closeReadyPipe(fd)
        case .running(_, let ready, let timer, _):
            if let timer { loop.cancel(timer) }
            readyMs = (now - ready) / 1_000_000
        case .stopping(_, let timer, let then):
            loop.cancel(timer)
            after = then
        default: break
        }
        slot.lastExit = ExitRecord(
            status: status,
            atMillis: wallClockMillis(),
            ranMs: (now - child.spawnedNanos) / 1_000_000,
            wasReady: readyMs != nil
        )
        let expected = !slot.wanted || shuttingDown || after == .restart
        slot.output.note("exited: \(status)")
        log.log(
            expected ? .info : .warning,
            "service.exited",
            pairs: [("child", slot.name), ("pid", String(child.pid)), ("status", status.description)]
        )

        if shuttingDown || !slot.wanted {
            slot.state = .stopped(reason: shuttingDown ? nil : "stopped by an operator")
            if !shuttingDown { releaseSocket(slot) }
            finishStop(slot)
            return
        }
        if after == .restart {
            slot.state = .stopped(reason: nil)
            slot.restarts += 1
            finishStop(slot)
            launch(slot)
            return
        }
        let decision = RestartRules.decide(
            status: status,
            policy: slot.entry.restart,
            readyMs: readyMs,
            restarts: slot.restarts,
            maxRestarts: slot.entry.maxRestarts,
            backoff: &slot.backoff,
            jitter: jitter()
        )
        switch decision {
        case .restartNow:
            slot.earlyExits = 0
            slot.state = .stopped(reason: "restarted after \(status)")
            slot.restarts += 1
            launch(slot)
        case .restartAfter(let ms):
            let when = slot.lastExit!.wasReady ? "soon after becoming ready" : "before becoming ready"
            scheduleRetry(slot, reason: "\(status) \(when); crash loop backoff", afterMs: ms)
            exitedEarly(slot, reason: "\(status) \(when)")
        case .stay(let why):
            slot.state = .stopped(reason: why)
            finishStop(slot)
            bootNext()
        case .fail(let why):
            slot.state = .failed(reason: why)
            releaseSocket(slot)
            slot.output.note(why)
            log.error("service.failed", ["child": slot.name, "reason": why])
            alert(slot, .failed, reason: why)
            finishStop(slot)
            slot.notifyReadyWaiters()
            bootNext()
        }
    }

    private func finishStop(_ slot: ServiceSlot) {
        slot.notifyStopWaiters()
        if shuttingDown { continueShutdown() }
    }

    // MARK: stopping

    /// Sends SIGTERM to the service's process group and SIGKILL at its stop timeout; `then`
    /// says whether it starts again once it has exited.
    func terminate(_ slot: ServiceSlot, then: AfterStop) {
        guard let child = slot.state.child else { return }
        switch slot.state {
        case .starting(_, let fd, let timer):
            loop.cancel(timer)
            closeReadyPipe(fd)
        case .running(_, _, let timer, _):
            if let timer { loop.cancel(timer) }
        case .stopping(_, let timer, _):
            loop.cancel(timer)
        default: break
        }
        kill(-child.pid, SIGTERM)
        let timer = loop.schedule(afterMs: slot.entry.stopTimeoutMs) { [unowned self] in
            guard slot.pid == child.pid else { return }
            log.warning(
                "service.kill",
                ["child": slot.name, "pid": String(child.pid), "after_ms": String(slot.entry.stopTimeoutMs)]
            )
            slot.output.note("did not stop within \(slot.entry.stopTimeoutMs) ms of SIGTERM; SIGKILL")
            kill(-child.pid, SIGKILL)
        }
        slot.state = .stopping(child, killTimer: timer, then: then)
    }

    /// Operator stop: the service stays down until started again. `done` runs once it is down.
    func stopService(_ slot: ServiceSlot, _ done: @escaping (ServiceSlot) -> Void) {
        slot.wanted = false
        bootPending.removeAll { $0 == slot.name }
        switch slot.state {
        case .starting, .running:
            slot.stopWaiters.append(done)
            terminate(slot, then: .stay)
        case .stopping(let child, let timer, _):
            slot.stopWaiters.append(done)
            slot.state = .stopping(child, killTimer: timer, then: .stay)
        case .backoff(_, _, _, let timer):
            loop.cancel(timer)
            slot.state = .stopped(reason: "stopped by an operator")
            releaseSocket(slot)
            done(slot)
        case .stopped, .failed:
            releaseSocket(slot)
            done(slot)
        }
    }

    /// Operator start: clears a failure or crash loop and starts now; `done` runs when it is ready
    /// (or when this attempt fails).
    func startService(_ slot: ServiceSlot, _ done: @escaping (ServiceSlot) -> Void) {
        slot.wanted = true
        slot.earlyExits = 0  // an operator's start begins a new count (and a new alert)
        switch slot.state {
        case .running: done(slot)
        case .starting: slot.readyWaiters.append(done)
        case .stopping(let child, let timer, _):
            slot.state = .stopping(child, killTimer: timer, then: .restart)
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
        slot.earlyExits = 0
        switch slot.state {
        case .running, .starting:
            slot.readyWaiters.append(done)
            terminate(slot, then: .restart)
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
            if case .backoff(_, _, _, let timer) = slot.state {
                loop.cancel(timer)
                slot.state = .stopped(reason: nil)
            }
        }
        continueShutdown()
    }

    /// Stops the last running service in start order; called again as each one exits.
    func continueShutdown() {
        for name in order.reversed() {
            guard let slot = slots[name], slot.pid != nil else { continue }
            if case .stopping(_, _, .stay) = slot.state {} else { terminate(slot, then: .stay) }
            return
        }
        for slot in slots.values { releaseSocket(slot) }
        controlListener?.close()
        controlListener = nil
        unlink(mesh.config.supervisor.pidFile)
        log.info("supervisor.stopped", ["uptime_s": String((monotonicNanos() - startedNanos) / 1_000_000_000)])
        loop.stop()
    }
}
