import Glibc

/// The process's limit on open files.
public enum OpenFiles {
    /// The soft limit: how many files the process may hold open.
    public static var softLimit: UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return UInt64(limit.rlim_cur)
    }

    /// Raises the soft limit to the hard one. Every site switched at once holds a socket, and the
    /// usual soft limit of 1,024 is kept low for programs that watch descriptors with select(2);
    /// maint's transfers (libcurl) and its control API (libmicrohttpd) use poll(2), so they are
    /// not bound by it. Returns the soft limit now in force.
    @discardableResult
    public static func raiseSoftLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            // An unlimited hard limit still stops at the kernel's nr_open (a million by default).
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
