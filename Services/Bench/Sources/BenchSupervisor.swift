import LiaisonCLI
import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Bench {
    static var benchRestart: CLICommand {
        Command(
            name: "restart",
            abstract: "Kill a service N times and measure exit → respawn → ready as the supervisor sees it.",
            usage: "bench restart [--service S] [--count N] [--json]",
            options: [
                OptionSpec(["--service"], value: "S", "Which service (default agreements)."),
                OptionSpec(["--count", "-n"], value: "N", "Kills (default 10)."),
            ]
        ) { args, ctx in
            let service = args.value("--service") ?? "agreements"
            let n = try args.int("--count", default: 10, in: 1...1000)
            func row() throws -> JSONValue? {
                try ctx.callRaw("supervisor", "supervisor.status", [:])["services"]?.arrayValue?.first {
                    $0["name"]?.stringValue == service
                }
            }
            var spawn: [Int64] = [], ready: [Int64] = []
            let progress = BenchProgress(
                ctx,
                "bench restart: killing \(service) \(n) times, each after a second of readiness"
            )
            defer { progress.done() }
            for k in 0..<n {
                progress.update("kill \(k + 1) of \(n)")
                // Ready for over a second, so the supervisor restarts it at once (no backoff).
                var r = try row()
                while (r?["ready_for_s"]?.doubleValue ?? 0) < 1.1 { usleep(100_000); r = try row() }
                guard let pid = r?["pid"]?.intValue else {
                    throw CLIError(ExitCode.failure, "\(service) is not running")
                }
                kill(pid_t(pid), SIGKILL)
                var after = try row()
                while after?["pid"]?.intValue == pid || after?["state"]?.stringValue != "running" {
                    usleep(2000); after = try row()
                }
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
                "\(service): \(n) kills; exit → respawn median \(latencyText(micros: Double(median(spawn)))); exit → "
                    + "ready median \(latencyText(micros: Double(median(ready)))) (max "
                    + "\(latencyText(micros: Double(ready.max() ?? 0))))"
            }
            return ExitCode.ok
        }
    }

    static var benchIdle: CLICommand {
        Command(
            name: "idle",
            abstract: "CPU time and wake-ups (context switches) of every mesh process over an idle period.",
            usage: "bench idle [--seconds N] [--json]",
            options: [OptionSpec(["--seconds"], value: "N", "How long to watch (default 60).")],
            discussion:
                "Each process counts for itself (getrusage: every thread, those that exited included) and answers "
                + "service.metrics; the cost of asking is measured and taken off."
        ) { args, ctx in
            let seconds = try args.int("--seconds", default: 60, in: 1...3600)
            let mesh = try ctx.mesh()
            let targets =
                [("supervisor", mesh.config.supervisor.socket)] + mesh.config.services.map { ($0.name, $0.socket) }
            let st = try ctx.callRaw("supervisor", "supervisor.status", [:])
            var pids = ["supervisor": st["supervisor"]?["pid"]?.intValue ?? 0]
            for s in st["services"]?.arrayValue ?? [] { pids[s["name"]?.stringValue ?? ""] = s["pid"]?.intValue }
            let progress = BenchProgress(ctx, "bench idle: watching \(targets.count) processes for \(seconds) s")
            // Two samples back to back tell what one sample costs; the third ends the period.
            let first = targets.map { processCounters($0.1) }
            let before = targets.map { processCounters($0.1) }
            let end = monotonicNanos() + UInt64(seconds) * 1_000_000_000
            while monotonicNanos() < end {
                let left = (end - monotonicNanos()) / 1_000_000_000
                progress.update("\(seconds - Int(left)) of \(seconds) s")
                usleep(UInt32(min(200_000, (end - monotonicNanos()) / 1000 + 1)))
            }
            progress.done()
            let after = targets.map { processCounters($0.1) }
            var rows: [JSONValue] = []
            for (i, (name, _)) in targets.enumerated() {
                guard let a = first[i], let b = before[i], let c = after[i], abs(b.started - c.started) < 1 else {
                    let why = before[i] == nil || after[i] == nil ? "not answering" : "restarted while watched"
                    rows.append(["process": .string(name), "error": .string(why)])
                    continue
                }
                let cpu = max(0, (c.cpu - b.cpu) - (b.cpu - a.cpu))
                let wakes = max(0, (c.switches - b.switches) - (b.switches - a.switches))
                rows.append([
                    "process": .string(name), "pid": pids[name].map(JSONValue.int) ?? .null, "cpu_s": .double(cpu),
                    "cpu_pct": .double((cpu / Double(seconds) * 10000).rounded() / 100),
                    "wakeups": .int(Int64(wakes)),
                    "wakeups_per_s": .double((wakes / Double(seconds) * 100).rounded() / 100),
                ])
            }
            if ctx.json {
                ctx.printJSON(JSONValue.object(["seconds": .int(Int64(seconds)), "processes": .array(rows)]));
                return ExitCode.ok
            }
            var t = Table(["PROCESS", "PID", "CPU", "WAKE-UPS", "PER SECOND"])
            for r in rows {
                guard let cpu = r["cpu_s"]?.doubleValue else {
                    t.add([r["process"]!.stringValue!, "-", r["error"]?.stringValue ?? "", "", ""])
                    continue
                }
                t.add([
                    r["process"]!.stringValue!, r["pid"]?.intValue.map { String($0) } ?? "-",
                    latencyText(micros: cpu * 1e6),
                    String(r["wakeups"]!.intValue!), threeSignificant(r["wakeups_per_s"]!.doubleValue!),
                ])
            }
            ctx.print("over \(seconds) s of idle:")
            ctx.print(t.render())
            return ExitCode.ok
        }
    }

    /// A process's own count of its CPU time and context switches, from its service.metrics.
    static func processCounters(_ socket: String) -> (cpu: Double, switches: Double, started: Double)? {
        guard let raw = try? WireClient(path: socket, timeoutMs: 2000).call("service.metrics", timeoutMs: 5000),
            let answer = try? JSONDecoding.decode(MetricsAnswer.self, from: raw)
        else { return nil }
        func value(_ name: String) -> Double? { answer.families.first { $0.name == name }?.samples.first?.value }
        guard let cpu = value("liaison_process_cpu_seconds"), let sw = value("liaison_process_context_switches") else {
            return nil
        }
        return (cpu, sw, value("liaison_process_start_time_seconds") ?? 0)
    }
}
