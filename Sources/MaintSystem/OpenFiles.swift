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
    /// not bound by it. Programs the command driver runs inherit the raised limit.
    public static func raiseSoftLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        // An unlimited hard limit still stops at the kernel's nr_open (a million by default).
        let raised = min(limit.rlim_max, 1 << 20)
        guard raised > limit.rlim_cur else { return }
        limit.rlim_cur = raised
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
