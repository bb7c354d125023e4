import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Which log lines to show: since a time, at a level or above, containing a text.
package struct LogFilter: Sendable {
    package var sinceMs: Int64?
    /// The lowest level shown (`debug` < `info` < `notice` < `warning` < `error`).
    package var level: Int?
    package var text: String?

    package static let levels = ["debug", "info", "notice", "warning", "error"]

    package init(sinceMs: Int64? = nil, level: Int? = nil, text: String? = nil) {
        (self.sinceMs, self.level, self.text) = (sinceMs, level, text)
    }

    /// `--since` as a duration back from `nowMs` (`10m`, `2h`, `3d`, `90s`) or a time
    /// (`2026-12-05T14:00`, with or without seconds and `Z`; a bare date is its midnight, UTC).
    package static func since(_ s: String, nowMs: Int64) throws -> Int64 {
        let units: [(String, Int64)] = [("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (u, f) in units where s.hasSuffix(u) {
            if let n = Int64(s.dropLast()), n >= 0, n <= 3650 * 86_400_000 / f { return nowMs - n * f }
        }
        let iso = ISO8601DateFormatter()
        var text = s
        if text.count == 10 { text += "T00:00" }
        if text.count == 16 { text += ":00" }
        if !text.hasSuffix("Z") && !text.contains("+") { text += "Z" }
        iso.formatOptions = [.withInternetDateTime]
        if let d = iso.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = iso.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        throw UsageError(
            "--since takes a duration back from now (90s, 10m, 2h, 3d) or a time (2026-12-05T14:00, UTC), not '\(s)'"
        )
    }

    /// `--level`: one of `levels` (or `warn`, `err`).
    package static func level(_ s: String) throws -> Int {
        let name = ["warn": "warning", "err": "error"][s.lowercased()] ?? s.lowercased()
        guard let i = levels.firstIndex(of: name) else {
            throw UsageError("--level takes one of \(levels.joined(separator: ", ")), not '\(s)'")
        }
        return i
    }

    /// A line's level: its logfmt `level=` field; a line without one is `info`, or `error` on
    /// standard error when it is not logfmt (a crash's message).
    static func level(of text: String, stream: String) -> Int {
        if let r = text.range(of: "level=") {
            let word = text[r.upperBound...].prefix { $0.isLetter }
            if let i = levels.firstIndex(of: String(word)) { return i }
        }
        return stream == "err" && !text.hasPrefix("ts=") ? 4 : 1
    }

    package func admits(text: String, stream: String, tsMs: Int64) -> Bool {
        if let s = sinceMs, tsMs < s { return false }
        if let l = level, Self.level(of: text, stream: stream) < l { return false }
        if let t = text.isEmpty ? nil : self.text, !text.localizedCaseInsensitiveContains(t) { return false }
        return true
    }

    var isEmpty: Bool { sinceMs == nil && level == nil && text == nil }
}

extension CLI {
    static var logsCommand: CLICommand {
        Command(
            name: "logs",
            abstract: "Show a service's (or the supervisor's) recent output; -f keeps following it.",
            usage:
                "logs SERVICE|supervisor [-n N] [-f] [--stream out|err|supervisor|alert] [--since WHEN] "
                + "[--level LEVEL] [--grep TEXT]",
            arguments: [("SERVICE", "A service of the mesh, or supervisor.")],
            options: [
                OptionSpec(["-n", "--lines"], value: "N", "How many lines (default 50, at most 1000)."),
                OptionSpec(["-f", "--follow"], "Keep printing new lines, each once and in order, until interrupted."),
                OptionSpec(
                    ["--stream"],
                    oneOf: ["out", "err", "supervisor", "alert"],
                    value: "STREAM",
                    "Only these lines."
                ),
                OptionSpec(
                    ["--since"],
                    value: "WHEN",
                    "Only lines since then: 10m, 2h, 3d back, or 2026-12-05T14:00 (UTC)."
                ),
                OptionSpec(
                    ["--level"],
                    oneOf: LogFilter.levels,
                    value: "LEVEL",
                    "Only lines at this level or above (a line's level= field)."
                ),
                OptionSpec(["--grep"], value: "TEXT", "Only lines containing TEXT (case does not matter)."),
            ],
            discussion:
                "With the supervisor stopped, the lines come from its log file (supervisor.log_dir, rotated by size); "
                + "-f then follows the file."
        ) { args, ctx in
            let service = try args.positional(0, "SERVICE")
            let n = try args.int("-n", default: 50, in: 1...1000)
            let filter = LogFilter(
                sinceMs: try args.value("--since").map { try LogFilter.since($0, nowMs: wallClockMillis()) },
                level: try args.value("--level").map(LogFilter.level),
                text: args.value("--grep")
            )
            let deployment = try ctx.deployment()
            if deployment == .systemd { return try journal(service, lines: n, follow: args.has("-f"), ctx) }
            // With a filter, the last 1,000 lines are looked through for the last N that match.
            var params = LogsParams(service: service, lines: filter.isEmpty ? n : 1000, stream: args.value("--stream"))
            var r: LogsResult
            do { r = try ctx.call(SupervisorAPI.logs, params) } catch let e as CLIError
                where e.exitCode == ExitCode.unavailable
            {
                // The supervisor is not running: its file, if there is one.
                let follow = args.has("-f")
                guard
                    let code = try fromFile(
                        service,
                        lines: n,
                        filter: filter,
                        follow: follow,
                        stream: params.stream,
                        ctx
                    )
                else { throw e }
                return code
            }
            printLogLines(
                Array(r.lines.filter { filter.admits(text: $0.text, stream: $0.stream, tsMs: $0.tsMs) }.suffix(n)),
                ctx
            )
            guard args.has("-f") else { return ExitCode.ok }
            // Follow by number: each line once, in order; the supervisor answers as soon as there
            // is one (or after 10 s with none). The next page starts after the last line printed.
            var after = r.lastSeq
            (params.lines, params.waitMs) = (1000, 10_000)
            while true {
                params.afterSeq = Int64(after)
                r = try ctx.call(SupervisorAPI.logs, params, timeoutMs: 30_000)
                if r.missed > 0 { ctx.note("… \(r.missed) lines no longer in memory (they are in \(r.logFile))") }
                printLogLines(r.lines.filter { filter.admits(text: $0.text, stream: $0.stream, tsMs: $0.tsMs) }, ctx)
                after = r.lines.last?.seq ?? max(after, r.lastSeq)
            }
        }
    }

    /// A line as the files hold it: logfmt as the service wrote it (its own `ts=` first), else
    /// the supervisor's time and stream before the text.
    static func printLogLines(_ lines: [LogEntry], _ ctx: CLIContext) {
        for l in lines {
            if ctx.json {
                ctx.print(JSONWriter.string(JSONEncoding.encode(l)))
            } else if l.text.hasPrefix("ts=") {
                ctx.print(l.text)
            } else {
                ctx.print("ts=\(l.ts) stream=\(l.stream) msg=\(LogLineFormat.quoted(l.text))")
            }
        }
    }

    /// The supervisor is not running: the last lines of its file for `service` (nil when there
    /// is no such file); `follow` keeps reading what is appended.
    static func fromFile(
        _ service: String,
        lines n: Int,
        filter: LogFilter,
        follow: Bool,
        stream: String?,
        _ ctx: CLIContext
    ) throws -> Int32? {
        let path = try ctx.mesh().config.supervisor.logDir + "/\(service).log"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        ctx.note("the supervisor is not running: lines from \(path)")
        func shown(_ line: Substring) -> Bool {
            let text = String(line)
            let ms = LogLineFormat.millis(of: text) ?? 0
            let s = LogLineFormat.stream(of: text) ?? "err"
            return (stream == nil || s == stream) && filter.admits(text: text, stream: s, tsMs: ms)
        }
        var offset = data.count
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").filter(shown).suffix(n) {
            ctx.print(String(line))
        }
        guard follow else { return ExitCode.ok }
        var rest = ""
        while true {
            usleep(250_000)
            guard let h = FileHandle(forReadingAtPath: path) else { continue }
            let size = Int((try? h.seekToEnd()) ?? 0)
            if size < offset { offset = 0 }  // rotated: the new file from its start
            try? h.seek(toOffset: UInt64(offset))
            let more = h.readDataToEndOfFile()
            try? h.close()
            offset += more.count
            rest += String(decoding: more, as: UTF8.self)
            while let nl = rest.firstIndex(of: "\n") {
                let line = rest[..<nl]
                if shown(line) { ctx.print(String(line)) }
                rest = String(rest[rest.index(after: nl)...])
            }
        }
    }
}
