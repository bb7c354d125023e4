import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var metricsCommand: CLICommand {
        Command(
            name: "metrics",
            abstract: "The whole mesh's metrics as Prometheus text (or OpenMetrics), once or kept in a textfile.",
            usage: "metrics [--openmetrics] [--textfile DIR [--every DURATION]] [--backups DIR]",
            options: [
                OptionSpec(
                    ["--openmetrics"],
                    "OpenMetrics 1.0 (counters named without _total, ending # EOF) instead of Prometheus text."
                ),
                OptionSpec(
                    ["--textfile"],
                    value: "DIR",
                    "Write DIR/liaison.prom (atomically: a new file renamed) for node_exporter."
                ),
                OptionSpec(
                    ["--every"],
                    value: "DURATION",
                    "With --textfile: keep it up to date every DURATION (15s, 500ms, 1m)."
                ),
                OptionSpec(
                    ["--backups"],
                    value: "DIR",
                    "Where backups are, for liaison_backup_last_success_timestamp_seconds (default: the mesh file's "
                        + "backup.dir, else HOME/backups)."
                ),
            ],
            discussion:
                "Each service and the supervisor answer service.metrics; their families are merged with a service "
                + "label. A target that does not answer shows as liaison_scrape_up{target=…} 0."
        ) { args, ctx in
            let open = args.has("--openmetrics")
            let backups = try args.value("--backups").map(Paths.absolute) ?? backupRoot(args, ctx, option: "--backups")
            guard let dir = args.value("--textfile") else {
                ctx.write(MetricsText.render(try collectMetrics(ctx, backups: backups), openMetrics: open))
                return ExitCode.ok
            }
            let every = try args.value("--every").map(parseDuration)
            while true {
                try writeTextfile(
                    MetricsText.render(try collectMetrics(ctx, backups: backups), openMetrics: open),
                    dir: dir
                )
                guard let every else { return ExitCode.ok }
                usleep(UInt32(min(every, 3_600_000)) * 1000)
            }
        }
    }

    /// `15s`, `500ms`, `1m`, `2h` in milliseconds.
    static func parseDuration(_ s: String) throws -> Int {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (u, f) in units where s.hasSuffix(u) {
            if let n = Int(s.dropLast(u.count)), n > 0, n <= 86_400_000 / f { return n * f }
        }
        throw UsageError("--every takes a duration such as 15s, 500ms or 1m, not '\(s)'")
    }

    /// Every family of the supervisor and the services, each sample labelled with its service.
    static func collectMetrics(_ ctx: CLIContext, backups: String? = nil) throws -> [MetricFamily] {
        let mesh = try ctx.mesh()
        var out: [MetricFamily] = []
        var up = MetricFamily("liaison_scrape_up", .gauge, "1 when the target answered service.metrics, else 0.")
        let targets =
            [("supervisor", mesh.config.supervisor.socket)] + mesh.config.services.map { ($0.name, $0.socket) }
        for (name, socket) in targets {
            do {
                let answer = try WireClient(path: socket, timeoutMs: 2000).call(
                    ServiceAPI.metrics,
                    NoParams(),
                    timeoutMs: 5000
                )
                for var f in answer.families {
                    f.samples = f.samples.map { s in
                        var s = s
                        if s.labels["service"] == nil { s.labels["service"] = name }
                        return s
                    }
                    out.append(f)
                }
                up.samples.append(MetricSample(["target": name], 1))
            } catch {
                up.samples.append(MetricSample(["target": name], 0))
            }
        }
        return out + [up, try lastBackup(ctx, root: backups)]
    }

    /// When the newest backup with a manifest was taken (0 when there is none): what an alert on
    /// a backup too old compares with `time()`.
    static func lastBackup(_ ctx: CLIContext, root given: String?) throws -> MetricFamily {
        var f = MetricFamily(
            "liaison_backup_last_success_timestamp_seconds",
            .gauge,
            "When the newest backup (one with a manifest) was taken, in seconds since 1970; 0 when there is none."
        )
        let root = try given ?? ctx.mesh().config.backup?.dir ?? ctx.home + "/backups"
        let iso = ISO8601DateFormatter(), plain = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var newest = 0.0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let path = root + "/" + name + "/" + BackupManifest.fileName
            guard let data = FileManager.default.contents(atPath: path),
                let m = try? JSONDecoding.decode(BackupManifest.self, from: Array(data))
            else { continue }
            guard let at = iso.date(from: m.takenAt) ?? plain.date(from: m.takenAt) else { continue }
            newest = max(newest, at.timeIntervalSince1970)
        }
        f.samples.append(MetricSample([:], newest.rounded()))
        return f
    }

    /// Writes `text` to DIR/liaison.prom through a temporary file renamed over it.
    static func writeTextfile(_ text: String, dir: String) throws {
        let path = dir + "/liaison.prom", tmp = dir + "/.liaison.prom.\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: tmp,
                contents: Data(text.utf8),
                attributes: [.posixPermissions: 0o644]
            )
        else {
            throw CLIError(ExitCode.failure, "cannot write \(tmp)")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw CLIError(ExitCode.failure, "cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
