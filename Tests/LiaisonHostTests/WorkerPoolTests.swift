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
