import Testing
import LiaisonProcess
@testable import LiaisonCLI

/// `liaison logs --since/--level/--grep`, and the files' logfmt lines (issue 29, item 3).
@Suite struct LogFilterTests {
    @Test func sinceTakesADurationBackOrATime() throws {
        let now: Int64 = 1_796_400_000_000
        #expect(try LogFilter.since("10m", nowMs: now) == now - 600_000)
        #expect(try LogFilter.since("2h", nowMs: now) == now - 7_200_000)
        #expect(try LogFilter.since("2026-12-05T14:00", nowMs: now) == 1_796_479_200_000)
        #expect(try LogFilter.since("2026-12-05", nowMs: now) == 1_796_428_800_000)
        #expect(throws: UsageError.self) { try LogFilter.since("yesterday", nowMs: now) }
    }

    @Test func levelsAreReadFromTheLineAndBareStderrIsAnError() throws {
        let warn = try LogFilter.level("warn")
        let f = LogFilter(level: warn)
        #expect(f.admits(text: "ts=x level=warning event=a", stream: "err", tsMs: 0))
        #expect(f.admits(text: "ts=x level=error event=a", stream: "err", tsMs: 0))
        #expect(!f.admits(text: "ts=x level=info event=a", stream: "err", tsMs: 0))
        #expect(f.admits(text: "Fatal error: index out of range", stream: "err", tsMs: 0), "a crash's message")
        #expect(!f.admits(text: "burst 1", stream: "out", tsMs: 0))
        #expect(throws: UsageError.self) { try LogFilter.level("loud") }
        let g = LogFilter(sinceMs: 10, text: "READY")
        #expect(g.admits(text: "event=service.ready", stream: "err", tsMs: 10) && !g.admits(text: "event=service.ready", stream: "err", tsMs: 9))
    }

    @Test func fileLinesAreLogfmtWithOneTimestamp() {
        let own = "ts=2026-12-05T01:02:03.456Z level=info service=delegations event=service.ready"
        #expect(LogLineFormat.fileLine(millis: 0, service: "delegations", stream: "err", text: own) == own)
        let wrapped = LogLineFormat.fileLine(millis: 1_796_400_000_000, service: "chatty", stream: "out", text: "burst \"1\"")
        #expect(wrapped == "ts=2026-12-04T16:00:00.000Z service=chatty stream=out msg=\"burst \\\"1\\\"\"")
        #expect(LogLineFormat.millis(of: wrapped) == 1_796_400_000_000)
        #expect(LogLineFormat.stream(of: wrapped) == "out" && LogLineFormat.stream(of: own) == nil)
    }
}
