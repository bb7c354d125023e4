import Glibc
import LiaisonRuntime
import LiaisonWire

/// A rotating log file: appends lines, and at `maxBytes` shifts `name.log` → `name.log.1` → …
/// so that at most `files` files exist (the current one and `files - 1` older), bounding the
/// space to `maxBytes × files`.
final class RotatingFile {
    let path: String
    let maxBytes: Int
    let files: Int
    private var fd: Int32 = -1
    private var size = 0

    init(path: String, maxBytes: Int, files: Int) {
        self.path = path
        self.maxBytes = max(maxBytes, 4096)
        self.files = max(files, 1)
        open()
    }

    deinit { if fd >= 0 { FD.close(fd) } }

    private func open() {
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        var st = stat()
        size = fd >= 0 && fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    func append(_ bytes: [UInt8]) {
        if size + bytes.count > maxBytes && size > 0 { rotate() }
        guard fd >= 0 else { return }
        if (try? FD.writeAll(fd, bytes)) != nil { size += bytes.count }
    }

    private func rotate() {
        if fd >= 0 { FD.close(fd) }
        for i in stride(from: files - 1, through: 1, by: -1) { rename("\(path).\(i)", "\(path).\(i + 1)") }
        unlink("\(path).\(files)")
        rename(path, "\(path).1")
        open()
    }
}

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
        if ring.count < ringSize { ring.append(entry) } else {
            ring[ringStart] = entry
            ringStart = (ringStart + 1) % ringSize
        }
        var out = Array("[\(name)] ".utf8)
        out.append(contentsOf: line)
        out.append(0x0A)
        if echo { try? FD.writeAll(1, out) }
        var fileLine = Array("\(Logger.timestamp(millis: entry.millis)) \(stream) ".utf8)
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
