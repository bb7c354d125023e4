import Dispatch
import Testing
import LiaisonHost
import LiaisonSync

/// What a task captures: the test sees when it is freed.
private final class Payload: Sendable {
    let freed: DispatchSemaphore
    init(_ freed: DispatchSemaphore) { self.freed = freed }
    deinit { freed.signal() }
}

@Suite struct WorkerPoolTests {
    /// One caller's thirty tasks, then another's one: the other's runs after at most the first
    /// caller's share (issue 26: a flood of checks made another user's list wait 6-25 s).
    /// Ordered by what ran, not by time: two threads, a share of two.
    @Test func aCallersFloodHoldsItsShareAndAnotherCallerRunsNext() throws {
        let pool = try WorkerPool(name: "wp-fair", threads: 2, perCaller: 2)
        defer { pool.stop() }
        let order = Locked<[String]>([])
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        for i in 0..<30 {
            pool.submit(caller: 1) {
                // Done once all thirty have started: with two threads, a29 may start before a28
                // (or a25, under a sanitizer) has logged its own start.
                order.withLock {
                    $0.append("a\(i)")
                    if $0.count(where: { $0.hasPrefix("a") }) == 30 { done.signal() }
                }
                if i < 2 {
                    started.signal()
                    gate.wait()
                }
            }
        }
        pool.submit(caller: 2) { order.withLock { $0.append("b") } }
        #expect(started.wait(timeout: .now() + 5) == .success && started.wait(timeout: .now() + 5) == .success)
        #expect(pool.backlog == 29, "a0 and a1 hold the threads; b is ready; a2… wait their turn")
        gate.signal()
        gate.signal()
        #expect(done.wait(timeout: .now() + 10) == .success)
        let seen = order.withLock { $0 }  // in the order they started
        // b is first in line once a thread is free; the thread freed with it may log a2 first.
        let b = try #require(seen.firstIndex(of: "b"))
        #expect(Set(seen.prefix(2)) == ["a0", "a1"] && b <= 3, "b next after the flood's share: \(seen.prefix(6))")
        // Two threads: neighbours may log their start in either order.
        #expect(Set(seen.filter { $0 != "b" }) == Set((0..<30).map { "a\($0)" }), "each once")
    }

    /// A consumer's worker ran `events.deliver` with a megabyte batch in its params; the queue
    /// kept each run task (and its batch) until 1,024 more had run — 160 MB after a long bench.
    @Test func aTaskThatRanHoldsNothingOnceItHasRun() throws {
        let pool = try WorkerPool(name: "wp-test", threads: 1)
        defer { pool.stop() }
        let freed = DispatchSemaphore(value: 0)
        let ran = DispatchSemaphore(value: 0)
        do {
            let payload = Payload(freed)
            pool.submit {
                _ = payload
                ran.signal()
            }
        }
        #expect(ran.wait(timeout: .now() + 5) == .success)
        #expect(freed.wait(timeout: .now() + 5) == .success, "the task's captures were still held by the queue")
    }

    @Test func tasksRunInTheOrderTheyCame() throws {
        let pool = try WorkerPool(name: "wp-order", threads: 1)
        defer { pool.stop() }
        let seen = Locked<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        for i in 0..<3000 {
            pool.submit {
                seen.withLock { $0.append(i) }; if i == 2999 { done.signal() }
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(seen.withLock { $0 } == Array(0..<3000), "in order across the queue's compactions")
    }
}
