import Glibc
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
/// thread, `crash` answers internal; anything else is method_not_found.
final class TestDispatcher: CallDispatcher {
    let seen = Mutex<[String]>([])
    func admit(_ peer: PeerCredentials) -> ServiceError? { nil }
    func dispatch(_ call: IncomingCall, _ responder: Responder) {
        seen.withLock { $0.append(call.method) }
        switch call.method {
        case "echo": responder.reply(call.params)
        case "slow":
            let ms = Int(call.params["ms"]?.intValue ?? 100)
            try! OwnedThread.start(name: "slow") {
                usleep(UInt32(ms * 1000))
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
    let stopped = Mutex(false)

    init(dir: TempDir, limits: ServerLimits = ServerLimits(), dispatcher: any CallDispatcher = TestDispatcher()) throws {
        path = dir.sub("s.sock")
        listener = try Listener.bind(path: path)
        loop = try EventLoop()
        server = WireServer(listenFD: listener.fd, loop: loop, limits: limits, dispatcher: dispatcher)
        server.start()
        let loop = self.loop
        try OwnedThread.start(name: "test-loop") { loop.run() }
    }

    func stop() {
        let done = Mutex(false)
        loop.execute { [server] in server.shutdown(deadlineMs: 2000) { done.withLock { $0 = true } } }
        for _ in 0..<400 where !done.withLock({ $0 }) { usleep(5000) }
        loop.stop()
        listener.close()
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
