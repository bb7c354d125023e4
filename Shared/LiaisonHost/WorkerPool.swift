import Dispatch
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// A fixed set of threads this code owns, running blocking work (SQLite, sendmail) in FIFO order.
package final class WorkerPool: Sendable {
    private struct FIFO {
        var items: [@Sendable () -> Void] = []
        var head = 0
        mutating func pop() -> (@Sendable () -> Void)? {
            guard head < items.count else { return nil }
            let t = items[head]
            // Release what the task holds (a call's params: a batch of events can be a
            // megabyte) now, not when the queue is next compacted, 1,024 tasks later.
            items[head] = Self.taken
            head += 1
            if head >= 1024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return t
        }
        var count: Int { items.count - head }
        private static let taken: @Sendable () -> Void = {}
    }

    private let queue = Locked(FIFO())
    private let available = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let threads: Int

    /// Starts `threads` workers named `name`, `niceness` nicer than the process: client work
    /// runs a little nicer than the event loop and the control lane, so that a health check
    /// finds a CPU even when every worker is busy.
    package init(name: String, threads: Int, niceness: Int32 = 0) throws {
        self.threads = threads
        for i in 0..<threads {
            try OwnedThread.start(name: "\(name)-\(i)", niceness: niceness) { [self] in self.work() }
        }
    }

    /// Queues `task`.
    package func submit(_ task: @escaping @Sendable () -> Void) {
        queue.withLock { $0.items.append(task) }
        available.signal()
    }

    /// Tasks waiting for a thread.
    package var backlog: Int { queue.withLock { $0.count } }

    /// Lets the workers finish what is queued, then end.
    package func stop() {
        stopping.store(true, ordering: .releasing)
        for _ in 0..<threads { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let task = queue.withLock { $0.pop() }
            if let task { task(); continue }
            if stopping.load(ordering: .acquiring) { return }
        }
    }
}
