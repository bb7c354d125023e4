import Glibc
import LiaisonJSON
import LiaisonWire
import Synchronization

/// How much a log line matters (swift-log's levels, fewer of them).
package enum LogLevel: Int, Comparable, Sendable {
    case debug = 0, info, notice, warning, error

    package static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The syslog priority journald reads from a `<N>` prefix.
    var priority: Int {
        switch self {
        case .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        }
    }

    var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// The level named in LIAISON_LOG_LEVEL, info by default.
    package static var fromEnvironment: LogLevel {
        switch getenv("LIAISON_LOG_LEVEL").map({ String(cString: $0) }) {
        case "debug": .debug
        case "notice": .notice
        case "warning": .warning
        case "error": .error
        default: .info
        }
    }
}

/// Structured logs: one line per event on stderr, `key=value` pairs with stable keys, the event
/// name constant and the data in fields (`ts=… level=info service=delegations event=server.ready socket=…`).
package struct Logger: Sendable {
    /// Who is logging (the `service` key).
    package let service: String
    /// Lines below this level are dropped.
    package let minimum: LogLevel
    private let sink: @Sendable (String) -> Void
    /// Lines for journald: a `<N>` priority prefix and no `ts=` (the journal stamps each line).
    private let journald: Bool

    /// A logger writing to stderr — in journald's form when stderr is the journal.
    package init(service: String, minimum: LogLevel = .fromEnvironment) {
        self.init(service: service, minimum: minimum, journald: Self.stderrIsJournal) { line in
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
    }

    /// A logger writing lines to `sink` (tests, the supervisor's own output).
    package init(
        service: String,
        minimum: LogLevel = .info,
        journald: Bool = false,
        sink: @escaping @Sendable (String) -> Void
    ) {
        self.service = service
        self.minimum = minimum
        self.journald = journald
        self.sink = sink
    }

    /// Whether stderr is the stream systemd connected to the journal: `JOURNAL_STREAM` names its
    /// device and inode (a child whose stderr is a pipe to the supervisor inherits the variable
    /// but not the stream).
    package static let stderrIsJournal: Bool = {
        guard let v = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = v.split(separator: ":")
        var st = stat()
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]), fstat(2, &st) == 0 else {
            return false
        }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }()

    package func debug(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.debug, event, fields) }
    package func info(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.info, event, fields) }
    package func notice(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.notice, event, fields) }
    package func warning(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warning, event, fields)
    }
    package func error(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.error, event, fields) }

    /// Logs with fields given as an array (for callers that build them).
    package func log(_ level: LogLevel, _ event: String, pairs: [(String, String)]) {
        guard level >= minimum else { return }
        var line = journald ? "<\(level.priority)>" : "ts=\(Timestamp.rfc3339()) "
        line += "level=\(level.name) service=\(Self.quote(service)) event=\(Self.quote(event))"
        for (k, v) in pairs { line += " \(k)=\(Self.quote(v))" }
        sink(line)
    }

    package func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, String>) {
        guard level >= minimum else { return }
        log(level, event, pairs: fields.map { ($0.key, $0.value) })
    }

    /// Quotes a value when it holds spaces, quotes, `=` or control characters.
    static func quote(_ v: String) -> String {
        if v.isEmpty { return "\"\"" }
        let needs = v.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F }
        guard needs else { return v }
        var out = "\""
        for ch in v.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 || ch.value == 0x7F {
                    out += "\\u{\(String(ch.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }
}
