import Testing
import LiaisonProcess
@testable import Supervisor

@Suite struct RestartRulesTests {
    func decide(_ status: ChildExit, policy: RestartPolicy = .always, readyMs: UInt64? = nil, restarts: Int = 0, max: Int? = nil,
                backoff: inout Backoff) -> RestartDecision {
        RestartRules.decide(status: status, policy: policy, readyMs: readyMs, restarts: restarts, maxRestarts: max, backoff: &backoff, jitter: 0)
    }

    @Test func backoffDoublesFrom250msTo30s() {
        var b = Backoff()
        var delays: [Int] = []
        for _ in 0..<10 { delays.append(b.next(jitter: 0)) }
        #expect(delays == [250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
        b.reset()
        #expect(b.next(jitter: 0) == 250)
    }

    @Test func jitterStaysWithinTwentyPercent() {
        var b = Backoff()
        #expect(b.next(jitter: 1) == 300)
        #expect(b.next(jitter: -1) == 400)
        #expect(b.next(jitter: 5) == 1200, "jitter is clamped")
    }

    @Test func exit78IsPermanent() {
        var b = Backoff()
        guard case .fail(let why) = decide(.exited(78), backoff: &b) else { Issue.record("not failed"); return }
        #expect(why.contains("EX_CONFIG"))
    }

    @Test func readyForASecondRestartsAtOnce() {
        var b = Backoff()
        #expect(decide(.signaled(9), readyMs: 1500, backoff: &b) == .restartNow)
        #expect(decide(.signaled(9), readyMs: 200, backoff: &b) == .restartAfter(250))
        #expect(decide(.exited(1), readyMs: nil, backoff: &b) == .restartAfter(500))
    }

    @Test func sixtySecondsHealthyResetsTheBackoff() {
        var b = Backoff()
        _ = b.next(jitter: 0); _ = b.next(jitter: 0); _ = b.next(jitter: 0)
        #expect(decide(.exited(1), readyMs: 61_000, backoff: &b) == .restartNow)
        #expect(decide(.exited(1), readyMs: nil, backoff: &b) == .restartAfter(250))
    }

    @Test func policiesAndMaxRestarts() {
        var b = Backoff()
        if case .stay = decide(.exited(1), policy: .never, backoff: &b) {} else { Issue.record("never restarted") }
        if case .stay = decide(.exited(0), policy: .onFailure, backoff: &b) {} else { Issue.record("on-failure after exit 0") }
        #expect(decide(.exited(2), policy: .onFailure, readyMs: 5000, backoff: &b) == .restartNow)
        if case .fail = decide(.exited(1), restarts: 3, max: 3, backoff: &b) {} else { Issue.record("max_restarts ignored") }
    }

    @Test func readsWaitStatuses() {
        #expect(ChildExit(waitStatus: 78 << 8) == .exited(78))
        #expect(ChildExit(waitStatus: 9) == .signaled(9))
        #expect(ChildExit.signaled(15).description == "signal SIGTERM")
    }
}
