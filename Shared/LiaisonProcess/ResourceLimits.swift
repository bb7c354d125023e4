import CLiaisonShims
import Glibc

/// Limits the kernel puts on this process.
package enum ResourceLimits {
    /// Raises the soft limit on open descriptors to the hard limit (systemd starts services at a
    /// soft 1024, too few for a server that takes a thousand connections); returns the new one.
    @discardableResult
    package static func raiseOpenFiles() -> UInt {
        var l = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &l) == 0 else { return 0 }
        if l.rlim_cur < l.rlim_max {
            l.rlim_cur = l.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
        }
        return UInt(l.rlim_cur)
    }

    /// Caps glibc's malloc arenas (one per thread by default, up to 8 per core): with dozens of
    /// worker threads each keeping what it once allocated, memory would grow with concurrency
    /// rather than with what is live. Call before starting threads.
    package static func limitMallocArenas(_ n: Int32 = 4) { _ = liaison_limit_malloc_arenas(n) }
}
