import LiaisonCLI
import CLiaisonShims
import Dispatch
import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// Drives the connections of `liaison bench` from a few threads over epoll, as redis-benchmark
/// does: the client's cost per call stays small and the same whatever the number of
/// connections. (A thread per connection spends the machine waking threads: on two cores that
/// cost lands on the service being measured.)
enum BenchDriver {
    /// One connection's calls.
    private final class Conn {
        let fd: Int32
        var decoder = FrameDecoder(maxFrame: FrameLimits.defaultMax)
        var sent = 0, received = 0
        var sentAt: [String: UInt64] = [:]
        var out: [UInt8] = []
        var outOffset = 0
        var watchingWrites = false
        var finished = false
        let prefix: String

        init(fd: Int32, prefix: String) { (self.fd, self.prefix) = (fd, prefix) }
    }

    /// Runs `calls` calls of `method` on each of `connections` connections, `pipeline` in flight
    /// on each, from `threads` threads (each driving its share of the connections).
    static func run(
        path: String,
        method: String,
        params: JSONValue,
        connections: Int,
        calls: Int,
        pipeline: Int,
        threads: Int,
        progress: BenchProgress? = nil
    ) throws -> Bench.BenchResult {
        let merged = Locked(Bench.BenchResult())
        let answered = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let drivers = max(1, min(threads, connections))
        let start = monotonicNanos()
        for t in 0..<drivers {
            let mine = stride(from: t, to: connections, by: drivers).map { $0 }
            try OwnedThread.start(name: "bench-\(t)") {
                var local = Bench.BenchResult()
                drive(
                    path: path,
                    method: method,
                    params: params,
                    conns: mine,
                    calls: calls,
                    pipeline: pipeline,
                    answered: answered,
                    &local
                )
                merged.withLock { m in
                    m.ok += local.ok
                    m.failed += local.failed
                    m.latency.merge(local.latency)
                }
                done.signal()
            }
        }
        var finished = 0
        while finished < drivers {
            if done.wait(timeout: .now() + .milliseconds(100)) == .success { finished += 1; continue }
            let seconds = Double(monotonicNanos() - start) / 1e9
            progress?.update(
                "\(answered.load(ordering: .relaxed)) of \(connections * calls) calls answered, \(Int(seconds)) s"
            )
        }
        progress?.done()
        var r = merged.withLock { $0 }
        r.seconds = Double(monotonicNanos() - start) / 1e9
        return r
    }

    /// One thread's loop over its connections (`conns` are their numbers).
    private static func drive(
        path: String,
        method: String,
        params: JSONValue,
        conns numbers: [Int],
        calls: Int,
        pipeline: Int,
        answered: borrowing Atomic<Int>,
        _ result: inout Bench.BenchResult
    ) {
        if numbers.count == 1 {
            return driveOne(
                path: path,
                method: method,
                params: params,
                number: numbers[0],
                calls: calls,
                pipeline: pipeline,
                answered: answered,
                &result
            )
        }
        let epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { result.failed += calls * numbers.count; return }
        defer { close(epfd) }
        var conns: [Int32: Conn] = [:]
        defer { for c in conns.values { close(c.fd) } }
        for n in numbers {
            guard let fd = try? UnixSocket.connect(path, timeoutMs: 5000) else { result.failed += calls; continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let c = Conn(fd: fd, prefix: "b\(n)-")
            conns[fd] = c
            var ev = epoll_event()
            ev.events = EPOLLIN.rawValue
            ev.data.fd = fd
            epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
            topUp(c, method: method, params: params, calls: calls, pipeline: pipeline)
            flush(c, epfd: epfd, &result, calls: calls)
        }
        var open = conns.values.filter { !$0.finished }.count
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var lastProgress = monotonicNanos()
        while open > 0 {
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epfd, $0.baseAddress, Int32($0.count), 1000) }
            if n < 0 && errno != EINTR { break }
            if n <= 0 {
                if monotonicNanos() - lastProgress > 10_000_000_000 { break }  // no answer for 10 s: the rest failed
                continue
            }
            lastProgress = monotonicNanos()
            for i in 0..<Int(n) {
                guard let c = conns[events[i].data.fd], !c.finished else { continue }
                if events[i].events & EPOLLOUT.rawValue != 0 { flush(c, epfd: epfd, &result, calls: calls) }
                if events[i].events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                    read(c, &buffer, &result, calls: calls, answered: answered)
                    if !c.finished {
                        topUp(c, method: method, params: params, calls: calls, pipeline: pipeline)
                        flush(c, epfd: epfd, &result, calls: calls)
                    }
                }
                if c.finished { open -= 1 }
            }
        }
        for c in conns.values where !c.finished { result.failed += calls - c.received }
    }

    /// A thread with one connection waits in `recv` itself: one system call less per call than
    /// waiting in epoll first (what a ping-pong in C does).
    private static func driveOne(
        path: String,
        method: String,
        params: JSONValue,
        number: Int,
        calls: Int,
        pipeline: Int,
        answered: borrowing Atomic<Int>,
        _ result: inout Bench.BenchResult
    ) {
        guard let fd = try? UnixSocket.connect(path, timeoutMs: 5000) else { result.failed += calls; return }
        defer { close(fd) }
        try? UnixSocket.setTimeout(fd, SO_RCVTIMEO, ms: 10_000)  // no answer for 10 s: the rest failed
        let c = Conn(fd: fd, prefix: "b\(number)-")
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while !c.finished {
            topUp(c, method: method, params: params, calls: calls, pipeline: pipeline)
            if !c.out.isEmpty {
                do { try UnixSocket.sendAll(fd, c.out) } catch { fail(c, &result, calls: calls); break }
                c.out.removeAll(keepingCapacity: true)
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { fail(c, &result, calls: calls); break }
            buffer.withUnsafeBytes { c.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            consume(c, &result, calls: calls, answered: answered)
        }
    }

    /// Queues calls until `pipeline` are in flight (or every call is sent).
    private static func topUp(_ c: Conn, method: String, params: JSONValue, calls: Int, pipeline: Int) {
        while c.sent < calls && c.sent - c.received < pipeline {
            let id = c.prefix + String(c.sent)
            c.out += Message.call(id: id, method: method, params: params).framed()
            c.sentAt[id] = monotonicNanos()
            c.sent += 1
        }
    }

    private static func flush(_ c: Conn, epfd: Int32, _ result: inout Bench.BenchResult, calls: Int) {
        while c.outOffset < c.out.count {
            let offset = c.outOffset
            let n = c.out.withUnsafeBytes {
                send(c.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { fail(c, &result, calls: calls) }
                break
            }
            c.outOffset += n
        }
        if c.outOffset == c.out.count {
            c.out.removeAll(keepingCapacity: true)
            c.outOffset = 0
        }
        let wants = c.outOffset < c.out.count
        if wants != c.watchingWrites && !c.finished {
            c.watchingWrites = wants
            var ev = epoll_event()
            ev.events = EPOLLIN.rawValue | (wants ? EPOLLOUT.rawValue : 0)
            ev.data.fd = c.fd
            epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev)
        }
    }

    /// Reads what the service answered and counts each answer.
    private static func read(
        _ c: Conn,
        _ buffer: inout [UInt8],
        _ result: inout Bench.BenchResult,
        calls: Int,
        answered: borrowing Atomic<Int>
    ) {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { fail(c, &result, calls: calls) }
                break
            }
            if n == 0 {
                fail(c, &result, calls: calls)
                break
            }
            buffer.withUnsafeBytes { c.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            if n < buffer.count { break }
        }
        consume(c, &result, calls: calls, answered: answered)
    }

    /// Counts each complete answer the connection has read.
    private static func consume(
        _ c: Conn,
        _ result: inout Bench.BenchResult,
        calls: Int,
        answered: borrowing Atomic<Int>
    ) {
        while !c.finished, let payload = try? c.decoder.next() {
            let now = monotonicNanos()
            // The envelope's head says which call and whether it failed; the result is not read.
            let head =
                Message.answerHead(payload) ?? (try? Message.decode(payload)).flatMap { m in m.id.map { (m.kind, $0) } }
            guard let (kind, id) = head, let t0 = c.sentAt.removeValue(forKey: id) else { continue }
            c.received += 1
            answered.wrappingAdd(1, ordering: .relaxed)
            result.latency.record(micros: (now - t0) / 1000)
            if kind == .error { result.failed += 1 } else { result.ok += 1 }
            if c.received == calls { c.finished = true }
        }
    }

    /// The connection broke: its unanswered calls failed.
    private static func fail(_ c: Conn, _ result: inout Bench.BenchResult, calls: Int) {
        guard !c.finished else { return }
        result.failed += calls - c.received
        c.received = calls
        c.finished = true
    }
}
