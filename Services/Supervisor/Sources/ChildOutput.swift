import Glibc
import LiaisonProcess
import LiaisonWire

/// One line a child wrote, as kept in memory.
struct LogLine: Sendable {
    var millis: Int64
    var stream: String  // "out" or "err"
    var text: String
}

/// A child's stdout and stderr: split into lines, echoed with a `[service]` prefix, written to the
/// rotating file, and the most recent lines kept in a ring.
final class ChildOutput {
    let name: String
    let file: RotatingFile
    private var ring: [LogLine] = []
    private var ringStart = 0
    let ringSize: Int
    private var partial: [String: [UInt8]] = [:]
    let echo: Bool

    init(name: String, logDir: String, maxBytes: Int, files: Int, ringSize: Int = 500, echo: Bool) {
        self.name = name
        file = RotatingFile(path: "\(logDir)/\(name).log", maxBytes: maxBytes, files: files)
        self.ringSize = ringSize
        self.echo = echo
    }

    /// Takes bytes read from the child's stream; complete lines are recorded.
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

    private func record(_ line: [UInt8], stream: String) {
        let text = String(decoding: line, as: UTF8.self)
        let entry = LogLine(millis: wallClockMillis(), stream: stream, text: text)
        if ring.count < ringSize {
            ring.append(entry)
        } else {
            ring[ringStart] = entry
            ringStart = (ringStart + 1) % ringSize
        }
        var out = Array("[\(name)] ".utf8)
        out.append(contentsOf: line)
        out.append(0x0A)
        if echo { try? FD.writeAll(1, out) }
        var fileLine = Array("\(Timestamp.rfc3339(millis: entry.millis)) \(stream) ".utf8)
        fileLine.append(contentsOf: line)
        fileLine.append(0x0A)
        file.append(fileLine)
    }

    /// The last `n` lines, oldest first, optionally only one stream.
    func recent(_ n: Int, stream: String? = nil) -> [LogLine] {
        let ordered = Array(ring[ringStart...] + ring[..<ringStart])
        let filtered = stream.map { s in ordered.filter { $0.stream == s } } ?? ordered
        return Array(filtered.suffix(n))
    }
}
