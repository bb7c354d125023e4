import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonWire

extension SupervisorMethods {
    /// `supervisor.logs`: recent lines of a service (or the supervisor's own), or the lines after
    /// a sequence number — waiting up to `wait_ms` for the next ones, so that `logs -f` follows
    /// without polling, repeating or losing lines (and says when the ring wrapped past it).
    static func registerLogs(_ t: inout MethodTable, _ box: Unowned) {
        t.addDeferred(
            "supervisor.logs",
            "Output lines of a service (or 'supervisor'), from memory: the last N, or those after after_seq (waiting up to wait_ms for "
                + "new ones); missed counts lines after after_seq the ring no longer holds."
        ) { (p: LogsParams, _, answer: @escaping @Sendable (Result<LogsResult, ServiceError>) -> Void) in
            let sup = box.sup
            let output = p.service == "supervisor" ? sup.ownOutput : try sup.slot(p.service).output
            guard let after = p.afterSeq else {
                let lines = output.recent(p.lines ?? 100, stream: p.stream)
                let last = output.after(UInt64.max - 1, limit: 0).lastSeq
                return answer(.success(LogsResult(service: p.service, lines: lines, missed: 0, lastSeq: last, logFile: output.file.path)))
            }
            let limit = p.lines ?? 1000
            let answered = Locked(false)
            let loop = sup.loop
            @Sendable func reply() {
                guard
                    answered.withLock({ done in
                        defer { done = true }; return !done
                    })
                else { return }
                let (lines, missed, last) = output.after(UInt64(after), limit: limit, stream: p.stream)
                answer(.success(LogsResult(service: p.service, lines: lines, missed: missed, lastSeq: last, logFile: output.file.path)))
            }
            let waitMs = p.waitMs ?? 0
            if waitMs == 0 { return reply() }
            // Wait for the next line (registered first, so that none slips in between), unless
            // there are lines already; at most wait_ms.
            output.onNextLine { loop.execute { reply() } }
            if !output.after(UInt64(after), limit: 1, stream: p.stream).lines.isEmpty { return reply() }
            loop.schedule(afterMs: waitMs) { reply() }
        }
    }
}

struct LogsParams: Codable, Sendable, Schematic {
    var service: String
    var lines: Int?
    var stream: String?
    var afterSeq: Int64?
    var waitMs: Int?
    enum CodingKeys: String, CodingKey { case service, lines, stream, afterSeq = "after_seq", waitMs = "wait_ms" }
    static var schema: Schema {
        .object([
            .req("service", .string(maxLength: 32), "A service of the mesh, or 'supervisor'."),
            .opt("lines", .integer(minimum: 1, maximum: 1000), "How many (default: the last 100; with after_seq, up to 1000)."),
            .opt("stream", .string(values: ["out", "err", "supervisor", "alert"]), "alert: what on_failure commands printed."),
            .opt("after_seq", .integer(minimum: 0, maximum: Int64(Int32.max) * 1_000_000), "Only lines after this one (seq)."),
            .opt("wait_ms", .integer(minimum: 0, maximum: 60_000), "With after_seq: wait this long for a line if none is there yet."),
        ])
    }
}

struct LogsResult: Encodable, Sendable, Schematic {
    var service: String
    var lines: [LogLine]
    var missed: UInt64
    var lastSeq: UInt64
    var logFile: String
    enum CodingKeys: String, CodingKey { case service, lines, missed, lastSeq = "last_seq", logFile = "log_file" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(service, forKey: .service)
        try c.encode(
            lines.map { l -> JSONValue in
                [
                    "seq": .int(Int64(l.seq)), "ts": .string(Timestamp.rfc3339(millis: l.millis)), "ts_ms": .int(l.millis),
                    "stream": .string(l.stream), "text": .string(l.text),
                ]
            }, forKey: .lines)
        try c.encode(missed, forKey: .missed)
        try c.encode(lastSeq, forKey: .lastSeq)
        try c.encode(logFile, forKey: .logFile)
    }

    static var schema: Schema {
        .object([
            .req("service", .string()),
            .req(
                "lines",
                .array(
                    .object([
                        .req("seq", .integer()), .req("ts", .string(format: "date-time")), .req("ts_ms", .integer()),
                        .req("stream", .string(values: ["out", "err", "supervisor"])), .req("text", .string()),
                    ]))),
            .req("missed", .integer(), "Lines after after_seq no longer in memory (the ring wrapped): the file has them."),
            .req("last_seq", .integer(), "The newest line's number: give it as after_seq to follow."),
            .req("log_file", .string()),
        ])
    }
}
