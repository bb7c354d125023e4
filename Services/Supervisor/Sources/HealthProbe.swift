import Glibc
import LiaisonJSON
import LiaisonWire

/// What a health probe found.
enum ProbeOutcome {
    case healthy(JSONValue)
    case unhealthy(String)
}

/// One `service.health` call made without blocking the supervisor's loop: connect, send, wait
/// for the answer on the loop, give up at the timeout.
final class HealthProbe {
    private let loop: EventLoop
    private let fd: Int32
    private var decoder = FrameDecoder(maxFrame: 1 << 20)
    private var timer: EventLoop.TimerID?
    private var completion: ((ProbeOutcome) -> Void)?

    /// Probes the service at `path`; `completion` runs once, on the loop.
    static func run(loop: EventLoop, path: String, timeoutMs: Int, _ completion: @escaping (ProbeOutcome) -> Void) {
        guard let fd = try? UnixSocket.makeSocket(nonBlocking: true) else {
            loop.schedule(afterMs: 0) { completion(.unhealthy("socket() failed")) }
            return
        }
        let probe = HealthProbe(loop: loop, fd: fd, completion: completion)
        probe.begin(path: path, timeoutMs: timeoutMs)
    }

    private init(loop: EventLoop, fd: Int32, completion: @escaping (ProbeOutcome) -> Void) {
        self.loop = loop
        self.fd = fd
        self.completion = completion
    }

    private func begin(path: String, timeoutMs: Int) {
        let rc: Int32 =
            (try? UnixSocket.withAddress(path) { addr, len in connect(fd, addr, len) == 0 ? 0 : errno }) ?? EINVAL
        guard rc == 0 else {
            let reason = rc == EAGAIN ? "listen backlog full" : SystemError("connect", errno: rc).description
            loop.schedule(afterMs: 0) { self.finish(.unhealthy(reason)) }
            return
        }
        let frame = Message.call(id: "health", method: "service.health", timeoutMs: timeoutMs).framed()
        let sent = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        guard sent == frame.count else {
            loop.schedule(afterMs: 0) { self.finish(.unhealthy("send failed")) }
            return
        }
        loop.register(fd, [.readable, .hangup]) { _ in self.readable() }
        timer = loop.schedule(afterMs: timeoutMs) { self.finish(.unhealthy("no answer within \(timeoutMs) ms")) }
    }

    private func readable() {
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        let (n, e) = restartingEINTR {
            buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        }
        if n < 0 && e == EAGAIN { return }
        guard n > 0 else { finish(.unhealthy("connection closed without an answer")); return }
        decoder.append(Array(buf[0..<n]))
        do {
            guard let payload = try decoder.next() else { return }
            let m = try Message.decode(payload)
            if let e = m.error { finish(.unhealthy("\(e.code): \(e.message)")) } else { finish(.healthy(m.result)) }
        } catch {
            finish(.unhealthy("bad answer: \(error)"))
        }
    }

    private func finish(_ r: ProbeOutcome) {
        guard let c = completion else { return }
        completion = nil
        if let timer { loop.cancel(timer) }
        loop.unregister(fd)
        FD.close(fd)
        c(r)
    }
}
