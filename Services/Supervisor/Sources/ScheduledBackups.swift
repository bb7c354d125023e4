import CLiaisonShims
import Glibc
import LiaisonProcess
import LiaisonWire

/// The mesh file's `backup`: the supervisor runs `liaison backup --keep N` every `every_s`
/// (the first one `every_s` after it starts), its output in the supervisor's own log. One at a
/// time; one still running after an hour is killed.
extension Supervisor {
    static let backupTimeoutMs = 3_600_000

    func scheduleBackups() {
        guard let b = mesh.config.backup else { return }
        loop.schedule(afterMs: b.everyS * 1000) { [unowned self] in
            runBackup()
            scheduleBackups()
        }
    }

    func runBackup() {
        guard let b = mesh.config.backup else { return }
        if backupPid != nil {
            log.warning("backup.skipped", ["why": "the previous backup still runs"])
            return
        }
        guard let exe = Executables.resolve("liaison") else {
            log.error("backup.failed", ["why": "no liaison beside liaison-supervisor or on PATH"])
            return
        }
        var env = Subprocess.currentEnvironment()
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        var pipe: [Int32] = [-1, -1]
        guard liaison_pipe2(&pipe, 0) == 0 else {
            log.error("backup.failed", ["why": "\(SystemError("pipe2"))"])
            return
        }
        do {
            let pid = try Subprocess.spawn(
                exe,
                arguments: [exe, "backup", "--mesh", meshPath, "--keep", String(b.keep)],
                environment: env,
                fds: [-1, pipe[1], pipe[1]],
                workingDirectory: mesh.home
            )
            FD.close(pipe[1])
            watchOutput(ownOutput, fd: pipe[0], stream: "supervisor")
            backupPid = pid
            backupStartedNanos = monotonicNanos()
            loop.schedule(afterMs: Self.backupTimeoutMs) { [unowned self] in
                guard backupPid == pid else { return }
                log.warning("backup.kill", ["pid": String(pid), "after_ms": String(Self.backupTimeoutMs)])
                kill(-pid, SIGKILL)
            }
            log.info("backup.started", ["pid": String(pid), "dir": b.dir, "keep": String(b.keep)])
        } catch {
            FD.close(pipe[0])
            FD.close(pipe[1])
            log.error("backup.failed", ["why": "\(error)"])
        }
    }

    /// Whether `pid` was the scheduled backup (now reaped); logs how it ended.
    func backupExited(_ pid: Int32, _ status: ChildExit) -> Bool {
        guard pid == backupPid else { return false }
        backupPid = nil
        let ms = (monotonicNanos() - backupStartedNanos) / 1_000_000
        log.log(
            status == .exited(0) ? .info : .error,
            status == .exited(0) ? "backup.done" : "backup.failed",
            pairs: [("pid", String(pid)), ("status", status.description), ("ms", String(ms))]
        )
        return true
    }
}
