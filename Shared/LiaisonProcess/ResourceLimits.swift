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
}
