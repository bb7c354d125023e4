import Glibc

/// A value only one thread touches at a time, behind a pthread mutex.
///
/// It does what Synchronization's `Mutex` does, as a class (so closures and other classes can
/// hold it without borrowing rules), and ThreadSanitizer sees its locking: on Linux the
/// standard `Mutex` locks through code TSan cannot watch, so every value it guards shows up as
/// a race under `swift test --sanitize=thread`.
package final class Locked<Value>: @unchecked Sendable {
    // The mutex first: a value of no size (Void) placed before it would share its address, and
    // TSan would take reading the mutex pointer for touching the value.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A value of no size (`Void`) is refused: Swift reports its accesses at the object's own
    /// address, where every call reads the object's type, and TSan takes those reads on other
    /// threads for races. Guard something (the file a lock orders writes to, a count).
    package init(_ value: Value) {
        precondition(MemoryLayout<Value>.size > 0, "Locked needs a value of some size, not \(Value.self)")
        mutex = .allocate(capacity: 1)
        self.value = value
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` with the value when the lock is free now; nil (and `body` not run) when not.
    package func withLockIfAvailable<R>(_ body: (inout Value) throws -> R) rethrows -> R? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
