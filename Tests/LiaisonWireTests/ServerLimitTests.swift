import Foundation
import Glibc
import LiaisonSync
import Synchronization
import Testing
@testable import LiaisonWire
import LiaisonProcess

/// What keeps one caller from taking the server down or crowding out the others.
@Suite(.serialized, .timeLimit(.minutes(6))) struct ServerLimitTests {
    @Test func anIdleConnectionIsClosedWithANotice() throws {
        let s = try TestServer {
            $0.idleTimeoutMs = 200
        }
        let p = try RawPeer(s.path)
        p.sendFrame(#"{"v":1,"kind":"call","id":"a","method":"echo"}"#)
        #expect(p.read()?.id == "a")
        let notice = p.read(ms: 3000)
        #expect(notice?.id == nil && notice?.error?.code == .unavailable)
        #expect(notice?.error?.details?["not_applied"] == true && notice?.error?.details?["reason"] == "idle")
        #expect(p.closedByPeer())
        // A client that was idle simply connects again for its next call.
        let c = try WireClient(path: s.path)
        usleep(400_000)
        #expect(try c.call("echo", ["n": 1]) == ["n": 1])
    }

    @Test func oneUIDsShareLeavesRoomAndControlCallsUseTheReserve() throws {
        let s = try TestServer {
            $0.maxConnectionsPerUID = 3
            $0.reservedConnections = 1
        }
        let held = try (0..<3).map { _ in try RawPeer(s.path) }
        for (i, p) in held.enumerated() { p.sendFrame(#"{"v":1,"kind":"call","id":"h\#(i)","method":"echo"}"#) }
        #expect(held.allSatisfy { $0.read()?.error == nil })
        // Over the share: a reserved slot, good for control calls only.
        let control = try RawPeer(s.path)
        control.sendFrame(#"{"v":1,"kind":"call","id":"p","method":"service.ping"}"#)
        #expect(control.read()?.result == ["pong": true])
        control.sendFrame(#"{"v":1,"kind":"call","id":"w","method":"echo"}"#)
        #expect(control.read()?.error?.code == .busy)
        #expect(control.closedByPeer())
        // The reserve is taken while a peer holds it; then it is busy.
        let r1 = try RawPeer(s.path)
        let r2 = try RawPeer(s.path)
        #expect(r2.read()?.error?.code == .busy)
        _ = r1
    }

    @Test func oneUIDTakesAtMostAQuarterOfTheReserve() throws {
        let s = try TestServer {
            $0.maxConnectionsPerUID = 1
            $0.reservedConnections = 8
        }
        let peers = try (0..<5).map { _ in try RawPeer(s.path) }
        // One ordinary slot and two reserved ones; the rest are told busy.
        let refused = peers.filter { $0.read(ms: 200)?.error?.code == .busy }
        #expect(refused.count == 2)
        // One log line per caller and reason in 10 s: a flood of refusals does not push
        // everything else out of the logs (issue 26); the rest are counted for later.
        #expect(s.events.withLock { $0.filter { $0 == "connection.refused" }.count } == 1)
        let more = try (0..<200).map { _ in try RawPeer(s.path) }
        #expect(more.filter { $0.read(ms: 200)?.error?.code == .busy }.count == 200)
        #expect(s.events.withLock { $0.filter { $0 == "connection.refused" }.count } == 1)
    }

    @Test func repeatedLinesAreSaidOncePerIntervalWithHowManyWereHeldBack() {
        let r = RepeatedLines(intervalMs: 1000, maxKeys: 2)
        let s: UInt64 = 1_000_000_000
        #expect(r.admit("a", nowNanos: s) == 0, "the first at once")
        #expect(r.admit("a", nowNanos: s + 1) == nil && r.admit("a", fields: [("n", "3")], nowNanos: s + 2) == nil)
        #expect(r.admit("b", nowNanos: s + 3) == 0, "another key is its own")
        #expect(r.due(nowNanos: s + 500_000_000).isEmpty, "not before the interval is over")
        let due = r.due(nowNanos: s + 1_000_000_000)
        #expect(due.count == 1 && due[0].key == "a" && due[0].held == 2 && due[0].fields.first?.1 == "3")
        #expect(r.admit("a", nowNanos: s + 1_000_000_001) == nil, "counted again in the new interval")
        #expect(r.admit("a", nowNanos: s + 2_000_000_001) == 1, "or said with the next line after it")
        #expect(r.admit("c", nowNanos: s + 2_000_000_002) == 0, "a third key: quiet ones forgotten")
    }

    @Test func aReservedConnectionThatSaysNothingIsClosedSoon() throws {
        let s = try TestServer {
            $0.maxConnections = 1
            $0.reservedConnections = 1
            $0.reservedIdleMs = 150
        }
        let a = try RawPeer(s.path)
        let squatter = try RawPeer(s.path)
        let started = monotonicNanos()
        #expect(squatter.read(ms: 2000)?.error?.details?["reason"] == "idle")
        #expect(monotonicNanos() - started < 1_500_000_000)
        let health = try RawPeer(s.path)
        health.sendFrame(#"{"v":1,"kind":"call","id":"h","method":"service.ping"}"#)
        #expect(health.read()?.result == ["pong": true])
        _ = a
    }

    @Test func aConnectionHasAtMostItsShareOfCallsInFlight() throws {
        let d = TestDispatcher()
        let s = try TestServer(dispatcher: d) {
            $0.maxInFlightPerConnection = 4
        }
        let c = try WireClient(path: s.path)
        let ids = try (0..<40).map { _ in try c.send("slow", ["ms": 20]) }
        for id in ids { #expect(try c.receive(id: id)["slept"] == 20) }
        #expect(d.mostRunning.load(ordering: .relaxed) <= 4, "reading paused at the cap; the rest waited in the socket")
    }

    @Test func anAnswerOverTheFrameLimitIsRefusedNotSent() throws {
        let s = try TestServer {
            $0.maxFrame = 4096
        }
        let c = try WireClient(path: s.path)
        #expect(try c.call("big", ["n": 100]).stringValue?.count == 100)
        do {
            _ = try c.call("big", ["n": 10_000])
            Issue.record("a 10 kB answer went out over a 4 kB limit")
        } catch {
            #expect(error.code == .resultTooLarge)
            #expect(error.details?["limit"] == 4096)
        }
        #expect(try c.call("echo", ["still": true]) == ["still": true], "the connection goes on")
    }

    @Test func halfSentFramesShareABudget() throws {
        let s = try TestServer {
            $0.partialFrameBudget = 64 * 1024
            $0.frameDeadlineMs = 600
        }
        // Ten peers each send the first 32 kB of a 48 kB frame: at most the budget (plus one
        // read) is held; the rest wait, and all are cut off at the frame deadline.
        let peers = try (0..<10).map { _ in try RawPeer(s.path) }
        var header = [UInt8]()
        FrameEncoder.appendHeader(48 * 1024, to: &header)
        for p in peers { p.send(header + Array(repeating: 0x20, count: 32 * 1024)) }
        let started = monotonicNanos()
        usleep(150_000)
        let held = Locked(-1)
        s.loop.execute { [server = s.server] in held.withLock { $0 = server.partialTotal } }
        while held.withLock({ $0 }) < 0 { usleep(1000) }
        // The budget, the read that crossed it, and a small read for each of the others.
        let bound = 64 * 1024 + 64 * 1024 + 10 * 4096
        let heldBytes = held.withLock { $0 }
        #expect(heldBytes <= bound, "held \(heldBytes) bytes of half-sent frames")
        #expect(peers.allSatisfy { $0.read(ms: 3000)?.error?.code == .timeout })
        #expect(monotonicNanos() - started < 2_500_000_000)
        // Others are served all along, and after.
        #expect(try WireClient(path: s.path).call("echo", ["n": 2]) == ["n": 2])
    }

    @Test func aStopAnswersEveryCallItReadsAndTellsLateCallsTheyWereNotApplied() throws {
        let s = try TestServer {
            $0.drainGraceMs = 300
        }
        let busy = try WireClient(path: s.path)
        let idle = try RawPeer(s.path)
        idle.sendFrame(#"{"v":1,"kind":"call","id":"i","method":"echo"}"#)
        #expect(idle.read()?.id == "i")
        let slow = try busy.send("slow", ["ms": 200])
        usleep(20_000)
        s.beginStop()
        // The call read before the stop is answered; the idle connection is told to go away.
        #expect(try busy.receive(id: slow)["slept"] == 200)
        let notice = idle.read()
        #expect(notice?.id == nil && notice?.error?.details?["not_applied"] == true)
        // A call that still arrives within the grace is answered, not applied, not dropped.
        idle.sendFrame(#"{"v":1,"kind":"call","id":"late","method":"echo"}"#)
        let late = idle.read()
        #expect(late?.id == "late" && late?.error?.code == .unavailable && late?.error?.details?["not_applied"] == true)
        #expect(idle.closedByPeer(ms: 2000), "closed after the grace")
    }

    @Test func theClientResendsACallTheServiceDidNotApplyOnANewConnection() throws {
        let dir = TempDir()
        let first = try TestServer(dir: dir)
        let c = try WireClient(path: first.path)
        #expect(try c.call("echo", ["n": 1]) == ["n": 1])
        // The service goes away and another answers on the same path.
        first.stop()
        let second = try TestServer(dir: dir)
        #expect(try c.call("echo", ["n": 2]) == ["n": 2], "reconnected and resent")
        _ = second
    }
}
