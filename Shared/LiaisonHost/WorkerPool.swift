import Dispatch
import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// A fixed set of threads this code owns, running blocking work (SQLite, sendmail) in FIFO order.
///
/// Work may name who it is for (`caller`): one caller has at most `perCaller` tasks running or
/// ready at a time, its others wait in a queue of its own and join the FIFO one by one as its
/// tasks end. Thirty-two expensive checks pipelined by one caller then hold two threads, not
/// thirty-two, and another caller's list runs beside them instead of sharing the CPU with all
/// of them (it took 6-25 s).
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

    private struct Queues {
        var ready = FIFO()
        /// Per caller: its tasks in the FIFO or running, and those waiting for their turn.
        var admitted: [UInt64: Int] = [:]
        var waiting: [UInt64: FIFO] = [:]
    }

    private let queues = Locked(Queues())
    private let available = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let threads: Int
    /// Tasks of one caller running or ready at once.
    package let perCaller: Int

    /// Starts `threads` workers named `name`, `niceness` nicer than the process: client work
    /// runs a little nicer than the event loop and the control lane, so that a health check
    /// finds a CPU even when every worker is busy.
    package init(name: String, threads: Int, niceness: Int32 = 0, perCaller: Int? = nil) throws {
        self.threads = threads
        self.perCaller = max(perCaller ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        for i in 0..<threads {
            try OwnedThread.start(name: "\(name)-\(i)", niceness: niceness) { [self] in self.work() }
        }
    }

    /// Queues `task`; with `caller`, behind that caller's earlier tasks beyond its share.
    package func submit(caller: UInt64? = nil, _ task: @escaping @Sendable () -> Void) {
        guard let caller else {
            queues.withLock { $0.ready.items.append(task) }
            available.signal()
            return
        }
        let wrapped: @Sendable () -> Void = { [self] in
            task()
            finished(caller)
        }
        let now = queues.withLock { q -> Bool in
            if q.admitted[caller, default: 0] < perCaller {
                q.admitted[caller, default: 0] += 1
                q.ready.items.append(wrapped)
                return true
            }
            q.waiting[caller, default: FIFO()].items.append(wrapped)
            return false
        }
        if now { available.signal() }
    }

    /// A task of `caller` ended: its next waiting one takes the place.
    private func finished(_ caller: UInt64) {
        let next = queues.withLock { q -> Bool in
            if let t = q.waiting[caller]?.pop() {
                if q.waiting[caller]?.count == 0 { q.waiting[caller] = nil }
                q.ready.items.append(t)
                return true
            }
            q.admitted[caller, default: 1] -= 1
            if q.admitted[caller] == 0 { q.admitted[caller] = nil }
            return false
        }
        if next { available.signal() }
    }

    /// Tasks waiting for a thread (or for their caller's turn).
    package var backlog: Int { queues.withLock { q in q.ready.count + q.waiting.values.reduce(0) { $0 + $1.count } } }

    /// Lets the workers finish what is queued, then end.
    package func stop() {
        stopping.store(true, ordering: .releasing)
        for _ in 0..<threads { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let task = queues.withLock { $0.ready.pop() }
            if let task { task(); continue }
            if stopping.load(ordering: .acquiring) { return }
        }
    }
}
