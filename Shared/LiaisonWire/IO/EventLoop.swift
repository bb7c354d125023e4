import CLiaisonShims
import Glibc
import LiaisonSync
import Synchronization

/// One thread, one epoll set: readiness callbacks for descriptors, timers, and tasks posted from
/// other threads. Nothing wakes it when nothing happens.
///
/// `@unchecked Sendable`: handlers, timers and registrations are touched only on the loop thread
/// (or before it starts); other threads reach it only through `execute`, which is behind a lock.
package final class EventLoop: @unchecked Sendable {
    /// What a descriptor is ready for.
    package struct Events: OptionSet, Sendable {
        package let rawValue: UInt32
        package init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Data (or a connection, or EOF) to read.
        package static let readable = Events(rawValue: EPOLLIN.rawValue)
        /// Room to write.
        package static let writable = Events(rawValue: EPOLLOUT.rawValue)
        /// The peer hung up.
        package static let hangup = Events(rawValue: EPOLLHUP.rawValue | EPOLLRDHUP.rawValue)
        /// An error is pending on the descriptor.
        package static let error = Events(rawValue: EPOLLERR.rawValue)
    }

    /// Identifies a scheduled timer so it can be cancelled.
    package struct TimerID: Hashable, Sendable { let raw: UInt64 }

    private struct Registration {
        var generation: UInt32
        var handler: (Events) -> Void
        /// What the kernel watches it for.
        var events: Events
    }

    private struct Timer: Comparable {
        var deadline, id: UInt64
        static func < (a: Timer, b: Timer) -> Bool { (a.deadline, a.id) < (b.deadline, b.id) }
    }

    private let epfd, wakeFD: Int32
    private var registrations: [Int32: Registration] = [:]
    private var nextGeneration: UInt32 = 1
    private var heap: [Timer] = []
    private var timerBodies: [UInt64: () -> Void] = [:]
    private var nextTimerID: UInt64 = 1
    private let tasks = Locked<[@Sendable () -> Void]>([])
    private let stopping = Atomic<Bool>(false)
    private var roundEnds: [() -> Void] = []

    /// A new loop; call `run()` on the thread that should own it.
    package init() throws(SystemError) {
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw SystemError("epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wakeFD >= 0 else { throw SystemError("eventfd") }
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.u64 = UInt64(UInt32(bitPattern: wakeFD))
        epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFD, &ev)
    }

    deinit {
        FD.close(epfd)
        FD.close(wakeFD)
    }

    /// Runs `body` on the loop thread after each round of events (what the calls read together
    /// shared, such as a read transaction, ends there); register before `run()`.
    package func atEndOfEachRound(_ body: @escaping () -> Void) { roundEnds.append(body) }

    /// Watches `fd` for `events`; `handler` runs on the loop thread. Replaces an earlier registration.
    package func register(_ fd: Int32, _ events: Events, _ handler: @escaping (Events) -> Void) {
        let existed = registrations[fd] != nil
        let gen = nextGeneration
        nextGeneration &+= 1
        registrations[fd] = Registration(generation: gen, handler: handler, events: events)
        var ev = epoll_event()
        ev.events = events.rawValue
        ev.data.u64 = UInt64(gen) << 32 | UInt64(UInt32(bitPattern: fd))
        epoll_ctl(epfd, existed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev)
    }

    /// Changes what `fd` is watched for (no system call when that is what it is watched for).
    package func modify(_ fd: Int32, _ events: Events) {
        guard let r = registrations[fd], r.events != events else { return }
        registrations[fd]?.events = events
        var ev = epoll_event()
        ev.events = events.rawValue
        ev.data.u64 = UInt64(r.generation) << 32 | UInt64(UInt32(bitPattern: fd))
        epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev)
    }

    /// Stops watching `fd` (call before closing it).
    package func unregister(_ fd: Int32) {
        guard registrations.removeValue(forKey: fd) != nil else { return }
        epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil)
    }

    /// Runs `task` on the loop thread soon; safe from any thread.
    package func execute(_ task: @escaping @Sendable () -> Void) {
        tasks.withLock { $0.append(task) }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs `body` on the loop thread after `nanos`; loop thread only.
    @discardableResult
    package func schedule(afterNanos nanos: UInt64, _ body: @escaping () -> Void) -> TimerID {
        let id = nextTimerID
        nextTimerID += 1
        timerBodies[id] = body
        push(Timer(deadline: monotonicNanos() &+ nanos, id: id))
        return TimerID(raw: id)
    }

    /// Runs `body` after `ms` milliseconds; loop thread only.
    @discardableResult
    package func schedule(afterMs ms: Int, _ body: @escaping () -> Void) -> TimerID {
        schedule(afterNanos: UInt64(max(ms, 0)) * 1_000_000, body)
    }

    /// Cancels a timer that has not fired; loop thread only.
    package func cancel(_ timer: TimerID) { timerBodies.removeValue(forKey: timer.raw) }

    /// Makes `run()` return after the current iteration; safe from any thread.
    package func stop() {
        stopping.store(true, ordering: .releasing)
        execute {}
    }

    /// Runs the loop on the calling thread until `stop()`.
    package func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 128)
        while !stopping.load(ordering: .acquiring) {
            let timeout = nextTimeoutMs()
            let (n, _) = restartingEINTR {
                events.withUnsafeMutableBufferPointer { epoll_wait(epfd, $0.baseAddress, Int32($0.count), timeout) }
            }
            if n < 0 { break }
            for i in 0..<Int(n) {
                let data = events[i].data.u64
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                if fd == wakeFD {
                    var v: UInt64 = 0
                    _ = read(wakeFD, &v, 8)
                    runTasks()
                    continue
                }
                guard let r = registrations[fd], r.generation == UInt32(truncatingIfNeeded: data >> 32) else {
                    continue
                }
                r.handler(Events(rawValue: events[i].events))
            }
            for end in roundEnds { end() }
            fireTimers()
        }
        runTasks()
    }

    private func runTasks() {
        let batch = tasks.withLock { t -> [@Sendable () -> Void] in
            let b = t
            t.removeAll()
            return b
        }
        for t in batch { t() }
    }

    private func nextTimeoutMs() -> Int32 {
        while let top = heap.first, timerBodies[top.id] == nil { _ = pop() }
        guard let top = heap.first else { return -1 }
        let now = monotonicNanos()
        if top.deadline <= now { return 0 }
        let ms = (top.deadline - now + 999_999) / 1_000_000
        return Int32(min(ms, UInt64(Int32.max)))
    }

    private func fireTimers() {
        let now = monotonicNanos()
        while let top = heap.first, top.deadline <= now {
            _ = pop()
            if let body = timerBodies.removeValue(forKey: top.id) { body() }
        }
    }

    private func push(_ t: Timer) {
        heap.append(t)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[i] < heap[parent] { heap.swapAt(i, parent); i = parent } else { break }
        }
    }

    private func pop() -> Timer? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let t = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && heap[l] < heap[m] { m = l }
            if r < heap.count && heap[r] < heap[m] { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return t
    }
}
