import CLiaisonShims
import Glibc
import LiaisonJSON
import LiaisonWire

/// Threads this code owns (for blocking work and event loops, never the cooperative pool).
package enum OwnedThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts a detached thread named `name` (first 15 bytes show in `ps -L`) running `body`, at
    /// `niceness` above the process's (Linux schedules threads by their own nice value).
    package static func start(
        name: String,
        stackBytes: Int = 4 << 20,
        niceness: Int32 = 0,
        _ body: @escaping @Sendable () -> Void
    ) throws(SystemError) {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackBytes)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(
            Box({
                liaison_set_thread_name(name)
                if niceness > 0 {
                    _ = liaison_set_thread_nice(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) + niceness)
                }
                body()
            })
        )
        var tid = pthread_t()
        let r = pthread_create(
            &tid,
            &attr,
            { arg in
                let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
                box.body()
                return nil
            },
            box.toOpaque()
        )
        if r != 0 {
            box.release()
            throw SystemError("pthread_create(\(name))", errno: r)
        }
    }
}
