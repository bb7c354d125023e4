import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire

extension SupervisorMethods {
    /// `supervisor.logs`: recent lines of a service (or the supervisor's own), or the lines after
    /// a sequence number — waiting up to `wait_ms` for the next ones, so that `logs -f` follows
    /// without polling, repeating or losing lines (and says when the ring wrapped past it).
    static func registerLogs(_ t: inout MethodTable, _ box: Unowned) {
        t.addDeferred(SupervisorAPI.logs) { p, _, answer in
            let sup = box.sup
            let output = p.service == "supervisor" ? sup.ownOutput : try sup.slot(p.service).output
            guard let after = p.afterSeq else {
                let lines = output.recent(p.lines ?? 100, stream: p.stream)
                let last = output.after(UInt64.max - 1, limit: 0).lastSeq
                return answer(
                    .success(
                        LogsResult(
                            service: p.service,
                            lines: lines.map(\.entry),
                            missed: 0,
                            lastSeq: last,
                            logFile: output.logFile
                        )
                    )
                )
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
                answer(
                    .success(
                        LogsResult(
                            service: p.service,
                            lines: lines.map(\.entry),
                            missed: missed,
                            lastSeq: last,
                            logFile: output.logFile
                        )
                    )
                )
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

extension LogLine {
    /// The line as `supervisor.logs` answers it.
    var entry: LogEntry { LogEntry(seq: seq, tsMs: millis, stream: stream, text: text) }
}
