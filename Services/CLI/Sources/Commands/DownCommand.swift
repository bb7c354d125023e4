import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    /// `liaison down`: the whole mesh stopped, as `liaison up`'s Ctrl-C does, from anywhere.
    static var downCommand: CLICommand {
        Command(
            name: "down",
            abstract: "Stop the whole mesh: every service in reverse start order, then the supervisor; waits for them.",
            usage: "down [--home DIR]",
            discussion: """
                Under the supervisor: SIGTERM to it (its pid from supervisor.status, or from supervisor.pid beside \
                its socket when that does not answer); each service drains and stops, then the supervisor. Under \
                systemd: systemctl stop liaison.target. Nothing running is not an error.
                """
        ) { _, ctx in
            let mesh = try ctx.mesh()
            switch try ctx.deployment() {
            case .systemd:
                try systemctl(["stop", "liaison.target"])
                ctx.print("liaison.target stopped")
                return ExitCode.ok
            case .supervised, .down:
                break
            }
            let pidFile = mesh.config.supervisor.pidFile
            let answered = (try? ctx.call(SupervisorAPI.status, NoParams(), timeoutMs: 3000))?.supervisor.pid
            let written = (try? String(contentsOfFile: pidFile, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard let pid = answered ?? written.flatMap({ alive($0) ? $0 : nil }) else {
                ctx.print("nothing runs (no supervisor at \(mesh.config.supervisor.socket))")
                return ExitCode.ok
            }
            let t0 = monotonicNanos()
            guard kill(pid, SIGTERM) == 0 else {
                throw CLIError(
                    errno == EPERM ? ExitCode.noPermission : ExitCode.failure,
                    "cannot signal the supervisor (pid \(pid)): \(String(cString: strerror(errno)))"
                )
            }
            let limit = (mesh.config.services.map(\.stopTimeoutMs).reduce(0, +) + 10_000)
            while alive(pid) {
                guard monotonicNanos() - t0 < UInt64(limit) * 1_000_000 else {
                    throw CLIError(
                        ExitCode.tempFail,
                        "the supervisor (pid \(pid)) is still stopping after \(limit / 1000) s",
                        hint: "liaison status shows what is left"
                    )
                }
                usleep(20_000)
            }
            ctx.print(
                String(format: "mesh stopped in %.1f s (supervisor pid %d)", Double(monotonicNanos() - t0) / 1e9, pid)
            )
            return ExitCode.ok
        }
    }

    /// Whether `pid` runs (a zombie does not: it has exited, only its parent has not looked).
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return true }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
