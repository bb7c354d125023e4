import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// One line a child (or the supervisor) wrote, as kept in memory, numbered.
struct LogLine: Sendable {
    /// 1, 2, 3… per service since the supervisor started: `logs -f` follows by it.
    var seq: UInt64
    var millis: Int64
    var stream: String  // "out", "err" or "supervisor"
    var text: String
}

/// A child's stdout and stderr: split into lines, echoed with a `[service]` prefix, written to the
/// rotating file, and the most recent lines kept in a ring, numbered, for `supervisor.logs`
/// (which may wait for the next ones).
///
/// `@unchecked Sendable`: the partial lines are the loop's; the ring and the waiters are behind
/// `state` (the supervisor's own log lines arrive from any thread).
final class ChildOutput: @unchecked Sendable {
    let name: String
    /// Where the lines go on disk.
    let logFile: String
    let ringSize: Int
    let echo: Bool
    private var partial: [String: [UInt8]] = [:]

    private struct Ring {
        var lines: [LogLine] = []
        var start = 0
        var nextSeq: UInt64 = 1
        var waiters: [@Sendable () -> Void] = []
    }
    private let state = Locked(Ring())
    /// The file, and the echo to stdout, one line at a time.
    private let file: Locked<RotatingFile>

    init(name: String, logDir: String, maxBytes: Int, files: Int, ringSize: Int = 20_000, echo: Bool) {
        self.name = name
        logFile = "\(logDir)/\(name).log"
        file = Locked(RotatingFile(path: logFile, maxBytes: maxBytes, files: files))
        self.ringSize = ringSize
        self.echo = echo
    }

    /// New rotation limits for the file (`supervisor.reload`).
    func limit(maxBytes: Int, files: Int) { file.withLock { $0.limit(maxBytes: maxBytes, files: files) } }

    /// Takes bytes read from the child's stream; complete lines are recorded. Loop thread.
    func take(_ bytes: ArraySlice<UInt8>, stream: String) {
        var buf = partial[stream] ?? []
        buf.append(contentsOf: bytes)
        var start = buf.startIndex
        while let nl = buf[start...].firstIndex(of: 0x0A) {
            record(Array(buf[start..<nl]), stream: stream)
            start = nl + 1
        }
        var rest = Array(buf[start...])
        if rest.count > 64 * 1024 {  // a very long line without a newline: cut it
            record(rest, stream: stream)
            rest = []
        }
        partial[stream] = rest
    }

    /// Flushes a trailing partial line (the stream closed).
    func finish(stream: String) {
        if let rest = partial[stream], !rest.isEmpty { record(rest, stream: stream) }
        partial[stream] = []
    }

    /// Records a line the supervisor itself says about this child.
    func note(_ text: String) { record(Array(text.utf8), stream: "supervisor") }

    /// Records one line: numbered into the ring, echoed, written to the file; wakes whoever waits.
    func record(_ line: [UInt8], stream: String) {
        let millis = wallClockMillis()
        let text = String(decoding: line, as: UTF8.self)
        let waiters = state.withLock { r -> [@Sendable () -> Void] in
            let entry = LogLine(seq: r.nextSeq, millis: millis, stream: stream, text: text)
            r.nextSeq += 1
            if r.lines.count < ringSize {
                r.lines.append(entry)
            } else {
                r.lines[r.start] = entry
                r.start = (r.start + 1) % ringSize
            }
            defer { r.waiters = [] }
            return r.waiters
        }
        file.withLock { file in
            if echo {
                var out = Array("[\(name)] ".utf8)
                out.append(contentsOf: line)
                out.append(0x0A)
                try? FD.writeAll(1, out)
            }
            // logfmt throughout: the service's own line as it is, anything else wrapped.
            var fileLine = LogLineFormat.fileLine(millis: millis, service: name, stream: stream, bytes: line)
            fileLine.append(0x0A)
            file.append(fileLine)
        }
        for w in waiters { w() }
    }

    /// The last `n` lines, oldest first, optionally only one stream.
    func recent(_ n: Int, stream: String? = nil) -> [LogLine] {
        let ordered = state.withLock { r in Array(r.lines[r.start...] + r.lines[..<r.start]) }
        let filtered = stream.map { s in ordered.filter { $0.stream == s } } ?? ordered
        return Array(filtered.suffix(n))
    }

    /// Up to `limit` lines after `seq` (optionally one stream), and how many lines after `seq`
    /// the ring no longer holds (it wrapped); `lastSeq` is the newest line's number.
    func after(_ seq: UInt64, limit: Int, stream: String? = nil) -> (lines: [LogLine], missed: UInt64, lastSeq: UInt64)
    {
        state.withLock { r in
            let ordered = r.lines[r.start...] + r.lines[..<r.start]
            let oldest = ordered.first?.seq ?? r.nextSeq
            let missed = oldest > seq + 1 ? oldest - seq - 1 : 0
            var out: [LogLine] = []
            for l in ordered where l.seq > seq && (stream == nil || l.stream == stream) {
                out.append(l)
                if out.count == limit { break }
            }
            return (out, missed, r.nextSeq - 1)
        }
    }

    /// Calls `wake` (once) when the next line is recorded.
    func onNextLine(_ wake: @escaping @Sendable () -> Void) { state.withLock { $0.waiters.append(wake) } }
}
