import Foundation

/// How a line of a service's output is kept in its log file: logfmt throughout. A line the
/// service wrote as logfmt (its own `ts=` first) is kept as it is — one timestamp, not two; any
/// other line (a crash's message, a script's echo) gets the time it was read, its service and
/// stream, and itself as `msg`.
package enum LogLineFormat {
    package static func fileLine(millis: Int64, service: String, stream: String, text: String) -> String {
        String(
            decoding: fileLine(millis: millis, service: service, stream: stream, bytes: Array(text.utf8)),
            as: UTF8.self
        )
    }

    /// The same on bytes, as the supervisor writes each line it reads (its loop reads the
    /// children's output: this must stay cheap).
    package static func fileLine(millis: Int64, service: String, stream: String, bytes line: [UInt8]) -> [UInt8] {
        if line.starts(with: tsPrefix) { return line }
        var out = Array("ts=\(Timestamp.rfc3339(millis: millis)) service=\(service) stream=\(stream) msg=".utf8)
        out.reserveCapacity(out.count + line.count + 2)
        let plain =
            !line.isEmpty && !line.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F }
        if plain { return out + line }
        out.append(0x22)
        for b in line {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20, 0x7F: out += Array("\\u{\(String(b, radix: 16))}".utf8)
            default: out.append(b)
            }
        }
        out.append(0x22)
        return out
    }

    private static let tsPrefix = Array("ts=".utf8)

    /// A logfmt value, quoted when it must be.
    package static func quoted(_ v: String) -> String { Logger.quote(v) }

    /// The time a logfmt line starts with (`ts=2026-12-05T01:02:03.456Z`), in milliseconds.
    package static func millis(of line: String) -> Int64? {
        guard line.hasPrefix("ts=") else { return nil }
        let value = line.dropFirst(3).prefix { $0 != " " }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = iso.date(from: String(value)) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        iso.formatOptions = [.withInternetDateTime]
        return iso.date(from: String(value)).map { Int64($0.timeIntervalSince1970 * 1000) }
    }

    /// The `stream=` of a line the supervisor wrapped (nil for a service's own logfmt line).
    package static func stream(of line: String) -> String? {
        guard let r = line.range(of: " stream=") else { return nil }
        return String(line[r.upperBound...].prefix { $0 != " " })
    }
}
