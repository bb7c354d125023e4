import CLiaisonShims
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// An `on_failure` command while it runs.
struct RunningAlert {
    var service: String
    var kind: FailureKind
    var killTimer: EventLoop.TimerID
}

/// `on_failure`, like systemd's `OnFailure=`: when a service enters a crash loop or fails, the
/// supervisor runs the service's command (else the mesh's, `supervisor.on_failure`) with what
/// happened in its environment. Its output goes to the supervisor's own log (stream `alert`).
extension Supervisor {
    /// Exits before being ready (for a second) in a row that make a crash loop.
    static let crashLoopExits = 3
    /// An alert still running after this long is killed.
    static let alertTimeoutMs = 60_000
    /// Lines of the service's output handed to the command.
    static let alertLines = 20

    /// Counts an exit before readiness; the third in a row (once per loop) runs the alert.
    func exitedEarly(_ slot: ServiceSlot, reason: String) {
        slot.earlyExits += 1
        if slot.earlyExits == Self.crashLoopExits { alert(slot, .crashLoop, reason: reason) }
    }

    /// Runs the service's `on_failure` (or the mesh's), unless the last one for it still runs.
    func alert(_ slot: ServiceSlot, _ kind: FailureKind, reason: String) {
        guard let command = slot.entry.onFailure ?? mesh.config.supervisor.onFailure else { return }
        func say(_ level: LogLevel, _ event: String, _ extra: [(String, String)]) {
            log.log(level, event, pairs: [("child", slot.name), ("state", kind.rawValue)] + extra)
        }
        if alerts.values.contains(where: { $0.service == slot.name }) {
            say(.warning, "alert.skipped", [("why", "the previous on_failure for it still runs")])
            return
        }
        let argv = command.argv
        guard let exe = Executables.resolve(argv[0]) else {
            say(.error, "alert.failed", [("why", "\(argv[0]) is not an executable file")])
            return
        }
        var env = Subprocess.currentEnvironment()
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        let lines = slot.output.recent(Self.alertLines).map { "\($0.stream) \($0.text)" }
        env["LIAISON_SERVICE"] = slot.name
        env["LIAISON_STATE"] = kind.rawValue
        env["LIAISON_REASON"] = reason
        env["LIAISON_RESTARTS"] = String(slot.restarts)
        env["LIAISON_LAST_EXIT"] = slot.lastExit?.status.description ?? ""
        env["LIAISON_LAST_LINES"] = lines.joined(separator: "\n")
        env["LIAISON_MESH"] = meshPath
        env["LIAISON_HOST"] = Self.hostName()
        var pipe: [Int32] = [-1, -1]
        guard liaison_pipe2(&pipe, 0) == 0 else {
            say(.error, "alert.failed", [("why", "\(SystemError("pipe2"))")])
            return
        }
        let pid: Int32
        do {
            pid = try Subprocess.spawn(
                exe,
                arguments: [exe] + argv.dropFirst(),
                environment: env,
                fds: [-1, pipe[1], pipe[1]],
                workingDirectory: mesh.home
            )
        } catch {
            FD.close(pipe[0]); FD.close(pipe[1])
            say(.error, "alert.failed", [("why", "\(error)")])
            return
        }
        FD.close(pipe[1])
        watchOutput(ownOutput, fd: pipe[0], stream: "alert")
        let timer = loop.schedule(afterMs: Self.alertTimeoutMs) { [unowned self] in
            guard alerts[pid] != nil else { return }
            log.warning(
                "alert.kill",
                ["child": slot.name, "pid": String(pid), "after_ms": String(Self.alertTimeoutMs)]
            )
            kill(-pid, SIGKILL)
        }
        alerts[pid] = RunningAlert(service: slot.name, kind: kind, killTimer: timer)
        say(.notice, "alert.started", [("pid", String(pid)), ("command", command.text)])
    }

    /// Whether `pid` was an alert (now reaped); logs how it ended.
    func alertExited(_ pid: Int32, _ status: ChildExit) -> Bool {
        guard let a = alerts.removeValue(forKey: pid) else { return false }
        loop.cancel(a.killTimer)
        log.log(
            status == .exited(0) ? .info : .warning,
            "alert.exited",
            pairs: [
                ("child", a.service), ("state", a.kind.rawValue), ("pid", String(pid)), ("status", status.description),
            ]
        )
        return true
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
