import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Testing

/// Event deliveries and control calls have worker threads of their own: a service whose client
/// workers are all busy (a flood of slow writes) still applies the events it is sent and still
/// answers its health checks.
@Suite(.serialized) struct DispatchLaneTests {
    /// A dispatcher over a real socket, whose `work.block` calls hold their worker until released.
    final class Served: @unchecked Sendable {
        let dir: String
        let path: String
        let loop: EventLoop
        let listener: Listener
        let server: WireServer
        let pools: [WorkerPool]
        let released = Locked(false)
        let blocking = Locked(0)

        init(deliveryLane: Bool) throws {
            var template = Array("/tmp/lzlane.XXXXXX".utf8CString)
            guard let d = mkdtemp(&template) else { throw SystemError("mkdtemp") }
            dir = String(cString: d)
            path = dir + "/s.sock"
            var table = MethodTable()
            let (released, blocking) = (released, blocking)
            let block = MethodSpec(name: "work.block", summary: "Holds its worker.", params: .any, result: .any, execution: .worker) {
                _, _ in
                blocking.withLock { $0 += 1 }
                while !released.withLock({ $0 }) { usleep(2000) }
                blocking.withLock { $0 -= 1 }
                return ["done": true]
            }
            table.add(block)
            for name in ["events.deliver", "service.health"] {
                table.add(
                    MethodSpec(name: name, summary: "Answers at once.", params: .any, result: .any, execution: .worker) { _, _ in
                        ["ran": .string(name)]
                    })
            }
            let workers = try WorkerPool(name: "lane-w", threads: 2, niceness: 5)
            let control = try WorkerPool(name: "lane-c", threads: 1)
            let delivery = deliveryLane ? try WorkerPool(name: "lane-e", threads: 1) : nil
            pools = [workers, control] + (delivery.map { [$0] } ?? [])
            let log = Logger(service: "lanes", minimum: .error) { _ in }
            let dispatcher = ServiceDispatcher(
                table: table, workers: workers, controlWorkers: control, deliveryWorkers: delivery, log: log, stats: CallStats(),
                policy: AccessPolicy(mesh: MeshFile.standard(home: dir), name: "lanes"))
            listener = try Listener.bind(path: path)
            loop = try EventLoop()
            server = WireServer(listenFD: listener.fd, loop: loop, limits: ServerLimits(), dispatcher: dispatcher) { _, _ in }
            server.start()
            let loop = self.loop
            try OwnedThread.start(name: "lane-loop") { loop.run() }
        }

        /// Every client worker busy, and more slow calls queued behind them.
        func flood(_ c: WireClient) throws {
            for _ in 0..<12 { try c.send("work.block", [:]) }
            let deadline = monotonicNanos() + 5_000_000_000
            while blocking.withLock({ $0 }) < 2 && monotonicNanos() < deadline { usleep(1000) }
            #expect(blocking.withLock { $0 } == 2, "both client workers are held")
        }

        func release() { released.withLock { $0 = true } }

        deinit {
            release()
            // The server drains and leaves the loop before the loop stops (the loop refers to it
            // unowned until then).
            let done = Locked(false)
            loop.execute { [server] in server.shutdown(deadlineMs: 2000) { done.withLock { $0 = true } } }
            for _ in 0..<600 where !done.withLock({ $0 }) { usleep(5000) }
            loop.stop()
            listener.close()
            for p in pools { p.stop() }
            unlink(path)
            unlink(path + ".lock")
            rmdir(dir)
        }
    }

    @Test func eventsAndHealthChecksAreAnsweredWhileEveryClientWorkerIsBusy() throws {
        let s = try Served(deliveryLane: true)
        let flood = try WireClient(path: s.path, timeoutMs: 5000)
        try s.flood(flood)
        let relay = try WireClient(path: s.path, timeoutMs: 5000)
        #expect(try relay.call("events.deliver", ["events": []], timeoutMs: 2000)["ran"] == "events.deliver")
        #expect(try relay.call("service.health", timeoutMs: 2000)["ran"] == "service.health")
        #expect(s.blocking.withLock { $0 } == 2, "answered while the flood still held the client workers")
        s.release()
        for _ in 0..<12 { _ = try flood.receiveMessage(deadline: monotonicNanos() + 10_000_000_000) }
    }

    /// Without the delivery lane the same call waits behind the flood: what the lane is for.
    @Test func withoutItsLaneADeliveryWaitsBehindTheFlood() throws {
        let s = try Served(deliveryLane: false)
        let flood = try WireClient(path: s.path, timeoutMs: 5000)
        try s.flood(flood)
        let relay = try WireClient(path: s.path, timeoutMs: 5000)
        let id = try relay.send("events.deliver", ["events": []])
        #expect(throws: ServiceError.self, "no answer while the client workers are held") { try relay.receive(id: id, timeoutMs: 300) }
        #expect(try relay.call("service.health", timeoutMs: 2000)["ran"] == "service.health", "control calls keep their own lane")
        s.release()
        #expect(try relay.receive(id: id, timeoutMs: 10_000)["ran"] == "events.deliver", "answered once the flood drained")
    }
}
