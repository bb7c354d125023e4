import Foundation
import Glibc
import LiaisonSync
import Synchronization
import Testing
@testable import LiaisonWire
import LiaisonProcess

@Suite(.serialized, .timeLimit(.minutes(6))) struct ServerTests {
    @Test func answersCallsAndReusesTheConnection() throws {
        let s = try TestServer()
        let c = try WireClient(path: s.path)
        for i in 0..<100 {
            #expect(try c.call("echo", ["i": .int(Int64(i))]) == ["i": .int(Int64(i))])
        }
    }

    @Test func pipelinedCallsMayBeAnsweredOutOfOrder() throws {
        let s = try TestServer()
        let c = try WireClient(path: s.path)
        let slow = try c.send("slow", ["ms": 200])
        let fast = try c.send("echo", ["x": 1])
        let first = try c.receiveMessage(deadline: monotonicNanos() + 2_000_000_000)
        #expect(first.id == fast, "the fast answer overtakes the slow one")
        #expect(try c.receive(id: slow)["slept"] == 200)
    }

    @Test func servesManyConnectionsAtOnce() throws {
        let s = try TestServer()
        let ok = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        for t in 0..<32 {
            try OwnedThread.start(name: "client") {
                defer { done.wrappingAdd(1, ordering: .relaxed) }
                guard let c = try? WireClient(path: s.path) else { return }
                for i in 0..<50 where (try? c.call("echo", ["t": .int(Int64(t)), "i": .int(Int64(i))]))?["i"] == .int(Int64(i)) {
                    ok.wrappingAdd(1, ordering: .relaxed)
                }
            }
        }
        while done.load(ordering: .relaxed) < 32 { usleep(2000) }
        #expect(ok.load(ordering: .relaxed) == 32 * 50)
    }

    @Test func unknownMethodIsNamed() throws {
        let s = try TestServer()
        let c = try WireClient(path: s.path)
        #expect(throws: ServiceError(.methodNotFound, "no method nope")) { try c.call("nope") }
    }

    @Test func badFramesAreAnsweredAndClosedWhileOthersKeepWorking() throws {
        let s = try TestServer {
            $0.frameDeadlineMs = 300
        }
        let bystander = try WireClient(path: s.path)

        let zero = try RawPeer(s.path)
        zero.send([0, 0, 0, 0])
        #expect(zero.read()?.error?.code == .invalidRequest)
        #expect(zero.closedByPeer())

        let big = try RawPeer(s.path)
        big.send([0, 0x10, 0, 1])
        let bigError = big.read()?.error
        #expect(bigError?.code == .frameTooLarge)
        #expect(bigError?.message == "frame length 1048577 is over the limit of 1048576 bytes")
        #expect(big.closedByPeer())

        let huge = try RawPeer(s.path)
        huge.send([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(huge.read()?.error?.code == .frameTooLarge)
        #expect(huge.closedByPeer())

        let stalled = try RawPeer(s.path)
        stalled.send([0, 0, 0, 50] + Array("{\"v\":1".utf8))
        #expect(stalled.read(ms: 3000)?.error?.code == .timeout)
        #expect(stalled.closedByPeer())

        #expect(try bystander.call("echo", ["still": true]) == ["still": true])
    }

    @Test func badMessagesGetStructuredErrorsOnAConnectionThatStaysOpen() throws {
        let s = try TestServer()
        let p = try RawPeer(s.path)
        let cases: [(String, ErrorCode)] = [
            ("not json", .parseError),
            ("[1,2]", .invalidRequest),
            ("\"str\"", .invalidRequest),
            (#"{"kind":"call","id":"a","method":"echo"}"#, .invalidRequest),
            (#"{"v":1,"id":"a","method":"echo"}"#, .invalidRequest),
            (#"{"v":1,"kind":"call","method":"echo"}"#, .invalidRequest),
            (#"{"v":1,"kind":"call","id":7,"method":"echo"}"#, .invalidRequest),
            (#"{"v":1,"kind":"call","id":"a"}"#, .invalidRequest),
            (#"{"v":1,"kind":"call","id":"a","method":["echo"]}"#, .invalidRequest),
            (#"{"v":1,"kind":"call","id":"a","method":"missing"}"#, .methodNotFound),
        ]
        for (text, code) in cases {
            p.sendFrame(text)
            let m = p.read()
            #expect(m?.kind == .error, "\(text)")
            #expect(m?.error?.code == code, "\(text)")
        }
        p.send(FrameEncoder.frame([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
        #expect(p.read()?.error?.code == .parseError)
        p.sendFrame(#"{"v":1,"kind":"call","id":"ok","method":"echo","params":{"a":1}}"#)
        let ok = p.read()
        #expect(ok?.id == "ok" && ok?.result == ["a": 1])
    }

    @Test func onewayCallsGetNoAnswer() throws {
        let d = TestDispatcher()
        let s = try TestServer(dispatcher: d)
        let p = try RawPeer(s.path)
        p.sendFrame(#"{"v":1,"kind":"call","id":"o","method":"echo","oneway":true}"#)
        p.sendFrame(#"{"v":1,"kind":"call","id":"x","method":"echo"}"#)
        #expect(p.read()?.id == "x")
        #expect(d.seen.withLock { $0 } == ["echo", "echo"])
    }

    @Test func refusesConnectionsOverTheCapWithBusy() throws {
        let s = try TestServer {
            $0.maxConnections = 2
            $0.reservedConnections = 0
        }
        let a = try WireClient(path: s.path)
        let b = try WireClient(path: s.path)
        _ = try a.call("echo")
        _ = try b.call("echo")
        let third = try RawPeer(s.path)
        let m = third.read()
        #expect(m?.error?.code == .busy)
        #expect(m?.error?.details?["retry_after_ms"] != nil)
        #expect(third.closedByPeer())
        a.close()
        usleep(50_000)
        #expect(try WireClient(path: s.path).call("echo", ["n": 3]) == ["n": 3])
    }

    @Test func shutdownFinishesCallsInFlight() throws {
        let s = try TestServer()
        let c = try WireClient(path: s.path)
        let id = try c.send("slow", ["ms": 300])
        usleep(50_000)
        let done = Locked(false)
        s.loop.execute { [server = s.server] in server.shutdown(deadlineMs: 2000) { done.withLock { $0 = true } } }
        #expect(try c.receive(id: id)["slept"] == 300)
        for _ in 0..<200 where !done.withLock({ $0 }) { usleep(5000) }
        #expect(done.withLock { $0 })
    }
}

/// The test server's own clean-up. Tests run side by side in one process, so a descriptor
/// closed twice can close another test's connection (a supervisor call failed in CI with
/// "recv: Bad file descriptor" just after a test that stopped its server and let it go).
@Suite struct TestServerTests {
    @Test func aServerStoppedTwiceClosesItsDescriptorsOnce() throws {
        let s = try TestServer()
        s.stop()
        // The numbers its listener and lock held are free; the files opened next take them.
        let held = (0..<4).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { for fd in held where fd >= 0 { close(fd) } }
        s.stop()
        for fd in held { #expect(fd >= 0 && fcntl(fd, F_GETFD) >= 0, "fd \(fd) was closed by the second stop") }
    }
}

@Suite struct ListenerTests {
    @Test func replacesAStaleSocketButNeverALiveOne() throws {
        let dir = TempDir()
        let path = dir.sub("run/a.sock")
        let first = try Listener.bind(path: path)
        #expect(throws: (any Error).self) { try Listener.bind(path: path) }
        first.close()
        // A crashed owner leaves its socket file behind: bound, never unlinked, nobody listening.
        // (A fresh path: in a process that other tests fork from, a just-released lock can linger
        // in a child between fork and exec; the real crash case runs in StandaloneServiceTests.)
        let stale = dir.sub("run/b.sock")
        let fd = try UnixSocket.makeSocket()
        let rc: Int32 = try UnixSocket.withAddress(stale) { a, l in bind(fd, a, l) }
        #expect(rc == 0)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: stale))
        let second = try Listener.bind(path: stale)
        defer { second.close() }
        #expect(try WireClient(path: stale, timeoutMs: 500).isOpen, "the new socket accepts")
        var st = stat()
        stat(stale, &st)
        #expect(st.st_mode & 0o777 == 0o660)
        stat(dir.sub("run"), &st)
        #expect(st.st_mode & 0o777 == 0o750)
    }

    @Test func refusesAPathTooLongWithAClearMessageLeavingNothingBehind() {
        let dir = TempDir()
        let long = dir.sub("run/" + String(repeating: "x", count: 120) + ".sock")
        do {
            _ = try Listener.bind(path: long)
            Issue.record("bound a too-long path")
        } catch {
            #expect("\(error)".contains("Unix sockets allow at most 107"))
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) == [], "no directory, socket or lock file made")
    }

    @Test func refusesToReplaceSomethingThatIsNotASocket() throws {
        let dir = TempDir()
        let path = dir.sub("file.sock")
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        close(fd)
        #expect(throws: (any Error).self) { try Listener.bind(path: path) }
    }

    @Test func clientSaysClearlyWhenNothingListens() {
        let dir = TempDir()
        do {
            _ = try WireClient(path: dir.sub("none.sock"), timeoutMs: 200)
            Issue.record("connected to nothing")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("is the service running?"))
        }
    }
}
