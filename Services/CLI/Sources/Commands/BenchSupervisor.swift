import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var benchRestart: CLICommand {
        Command(
            name: "restart", abstract: "Kill a service N times and measure exit → respawn → ready as the supervisor sees it.",
            usage: "bench restart [--service S] [--count N] [--json]",
            options: [
                OptionSpec(["--service"], value: "S", "Which service (default agreements)."),
                OptionSpec(["--count", "-n"], value: "N", "Kills (default 10)."),
            ]
        ) { args, ctx in
            let service = args.value("--service") ?? "agreements"
            let n = try args.int("--count", default: 10, in: 1...1000)
            func row() throws -> JSONValue? {
                try ctx.call("supervisor", "supervisor.status")["services"]?.arrayValue?.first { $0["name"]?.stringValue == service }
            }
            var spawn: [Int64] = [], ready: [Int64] = []
            for _ in 0..<n {
                // Ready for over a second, so the supervisor restarts it at once (no backoff).
                var r = try row()
                while (r?["ready_for_s"]?.doubleValue ?? 0) < 1.1 { usleep(100_000); r = try row() }
                guard let pid = r?["pid"]?.intValue else { throw CLIError(ExitCode.failure, "\(service) is not running") }
                kill(pid_t(pid), SIGKILL)
                var after = try row()
                while after?["pid"]?.intValue == pid || after?["state"]?.stringValue != "running" { usleep(2000); after = try row() }
                if let lr = after?["last_restart"] {
                    spawn.append(lr["exit_to_spawn_us"]?.intValue ?? 0)
                    ready.append(lr["exit_to_ready_us"]?.intValue ?? 0)
                }
            }
            func median(_ a: [Int64]) -> Int64 { a.isEmpty ? 0 : a.sorted()[a.count / 2] }
            let out: JSONValue = [
                "service": .string(service), "kills": .int(Int64(n)), "exit_to_spawn_median_us": .int(median(spawn)),
                "exit_to_ready_median_us": .int(median(ready)), "exit_to_ready_max_us": .int(ready.max() ?? 0),
            ]
            ctx.show(out) {
                "\(service): \(n) kills; exit → respawn median \(median(spawn)) µs; exit → ready median "
                    + "\(String(format: "%.1f", Double(median(ready)) / 1000)) ms (max "
                    + "\(String(format: "%.1f", Double(ready.max() ?? 0) / 1000)) ms)"
            }
            return ExitCode.ok
        }
    }

    static var benchIdle: CLICommand {
        Command(
            name: "idle", abstract: "CPU time and wake-ups (context switches) of every mesh process over an idle period.",
            usage: "bench idle [--seconds N] [--json]", options: [OptionSpec(["--seconds"], value: "N", "How long to watch (default 60).")]
        ) { args, ctx in
            let seconds = try args.int("--seconds", default: 60, in: 1...3600)
            let st = try ctx.call("supervisor", "supervisor.status")
            var pids: [(String, Int32)] = [("supervisor", Int32(st["supervisor"]?["pid"]?.intValue ?? 0))]
            for s in st["services"]?.arrayValue ?? [] { if let p = s["pid"]?.intValue { pids.append((s["name"]!.stringValue!, Int32(p))) } }
            func sample(_ pid: Int32) -> (ticks: Int64, switches: Int64) {
                var ticks: Int64 = 0, switches: Int64 = 0
                let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
                for t in tasks {
                    if let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/stat", encoding: .utf8),
                        let close = stat.lastIndex(of: ")")
                    {
                        let f = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
                        ticks += (Int64(f[11]) ?? 0) + (Int64(f[12]) ?? 0)
                    }
                    if let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/status", encoding: .utf8) {
                        for line in status.split(separator: "\n")
                        where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                            switches += Int64(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                        }
                    }
                }
                return (ticks, switches)
            }
            let before = pids.map { sample($0.1) }
            sleep(UInt32(seconds))
            let after = pids.map { sample($0.1) }
            let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
            var rows: [JSONValue] = []
            for (i, (name, pid)) in pids.enumerated() {
                let cpu = Double(after[i].ticks - before[i].ticks) / hz
                let wakes = after[i].switches - before[i].switches
                rows.append([
                    "process": .string(name), "pid": .int(Int64(pid)), "cpu_s": .double(cpu),
                    "cpu_pct": .double((cpu / Double(seconds) * 10000).rounded() / 100),
                    "wakeups": .int(wakes), "wakeups_per_s": .double((Double(wakes) / Double(seconds) * 100).rounded() / 100),
                ])
            }
            if ctx.json { ctx.printJSON(["seconds": .int(Int64(seconds)), "processes": .array(rows)]); return ExitCode.ok }
            var t = Table(["PROCESS", "PID", "CPU", "WAKE-UPS", "PER SECOND"])
            for r in rows {
                t.add([
                    r["process"]!.stringValue!, String(r["pid"]!.intValue!), String(format: "%.3f s", r["cpu_s"]!.doubleValue!),
                    String(r["wakeups"]!.intValue!),
                    String(format: "%.2f", r["wakeups_per_s"]!.doubleValue!),
                ])
            }
            ctx.print("over \(seconds) s of idle:")
            ctx.print(t.render())
            return ExitCode.ok
        }
    }
}
