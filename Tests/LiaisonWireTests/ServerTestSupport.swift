import Glibc
import LiaisonSync
import Synchronization
@testable import LiaisonWire
import LiaisonProcess

/// A short temp directory (socket paths must fit in 108 bytes), removed with its contents.
final class TempDir {
    let path: String
    init() {
        var template = Array("/tmp/lzw-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { _ = system("rm -rf '\(path)'") }
    func sub(_ name: String) -> String { path + "/" + name }
}

/// A dispatcher for tests: `echo` answers its params, `slow` answers after `ms` on another
/// thread (counting how many are running at once), `big` answers `n` bytes of text,
/// `service.ping` answers pong; anything else is method_not_found.
final class TestDispatcher: CallDispatcher, @unchecked Sendable {
    let seen = Locked<[String]>([])
    let running = Atomic<Int>(0)
    let mostRunning = Atomic<Int>(0)
    func admit(_ peer: PeerCredentials) -> ServiceError? { nil }
    func dispatch(_ call: IncomingCall, _ responder: Responder) {
        seen.withLock { $0.append(call.method) }
        switch call.method {
        case "echo": responder.reply(call.params)
        case "service.ping": responder.reply(["pong": true])
        case "big": responder.reply(.string(String(repeating: "x", count: Int(call.params["n"]?.intValue ?? 0))))
        case "slow":
            let ms = Int(call.params["ms"]?.intValue ?? 100)
            let now = running.wrappingAdd(1, ordering: .relaxed).newValue
            var most = mostRunning.load(ordering: .relaxed)
            while now > most, !mostRunning.compareExchange(expected: most, desired: now, ordering: .relaxed).exchanged {
                most = mostRunning.load(ordering: .relaxed)
            }
            try! OwnedThread.start(name: "slow") { [self] in
                usleep(UInt32(ms * 1000))
                running.wrappingAdd(-1, ordering: .relaxed)
                responder.reply(["slept": .int(Int64(ms))])
            }
        default: responder.fail(ServiceError(.methodNotFound, "no method \(call.method)"))
        }
    }
}

/// A server on its own loop thread at `dir/s.sock`.
final class TestServer: @unchecked Sendable {
    let loop: EventLoop
    let server: WireServer
    let listener: Listener
    let path: String
    let stopped = Locked(false)
    /// The events the server logged, in order.
    let events = Locked<[String]>([])
    /// The directory the socket is in (removed when the last holder lets go).
    let dir: TempDir

    /// A server on `dir` (a new one by default) with the default limits changed by `limits`.
    init(
        dir: TempDir = TempDir(), dispatcher: any CallDispatcher = TestDispatcher(), limits edit: (inout ServerLimits) -> Void = { _ in }
    ) throws {
        self.dir = dir
        var limits = ServerLimits()
        edit(&limits)
        path = dir.sub("s.sock")
        listener = try Listener.bind(path: path)
        loop = try EventLoop()
        let events = self.events
        server = WireServer(listenFD: listener.fd, loop: loop, limits: limits, dispatcher: dispatcher) { event, _ in
            events.withLock { $0.append(event) }
        }
        server.start()
        let loop = self.loop
        try OwnedThread.start(name: "test-loop") { loop.run() }
    }

    /// Stops the server the way a service does (drain, then close); waits until it is done. Only
    /// the first call does anything: the deinit stops it too, and a second close of the
    /// listener's numbers would close whatever another test opened under them since.
    func stop() {
        let first = stopped.withLock { was in
            defer { was = true }
            return !was
        }
        guard first else { return }
        let done = Locked(false)
        loop.execute { [server] in server.shutdown(deadlineMs: 2000) { done.withLock { $0 = true } } }
        for _ in 0..<400 where !done.withLock({ $0 }) { usleep(5000) }
        loop.stop()
        listener.close()
    }

    /// Starts the drain without waiting for it.
    func beginStop(deadlineMs: Int = 5000) {
        loop.execute { [server] in server.shutdown(deadlineMs: deadlineMs) {} }
    }

    /// Open connections, as the loop counts them.
    func connections() -> Int {
        let n = Locked(-1)
        loop.execute { [server] in n.withLock { $0 = server.connectionCount } }
        for _ in 0..<200 where n.withLock({ $0 }) < 0 { usleep(2000) }
        return n.withLock { $0 }
    }

    deinit { stop() }
}

/// A raw connection for sending arbitrary bytes and reading frames back.
final class RawPeer {
    let fd: Int32
    var decoder = FrameDecoder(maxFrame: FrameLimits.hardCap)
    init(_ path: String) throws { fd = try UnixSocket.connect(path, timeoutMs: 2000) }
    deinit { close(fd) }

    func send(_ bytes: [UInt8]) { _ = try? UnixSocket.sendAll(fd, bytes) }
    func sendFrame(_ text: String) { send(FrameEncoder.frame(Array(text.utf8))) }

    /// The next message, or nil when the peer closed (or nothing came within `ms`).
    func read(ms: Int = 2000) -> Message? {
        let deadline = monotonicNanos() + UInt64(ms) * 1_000_000
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if let f = try? decoder.next() { return try? Message.decode(f) }
            let now = monotonicNanos()
            if now >= deadline { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { return nil }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            decoder.append(Array(buf[0..<n]))
        }
    }

    /// Whether the server closed the connection (EOF within `ms`).
    func closedByPeer(ms: Int = 2000) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(ms)) > 0 else { return false }
        var b: UInt8 = 0
        return recv(fd, &b, 1, Int32(MSG_DONTWAIT)) == 0
    }
}
