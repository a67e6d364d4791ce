import CLinux

/// The process's heap.
public enum Memory {
    /// Hands the heap's free pages back to the system. Reading a large schedule leaves most of
    /// its transient memory free but still resident; the daemon's loop calls this once the
    /// read's last holder is gone (`Engine.returnMemory`).
    public static func returnFreePages() {
        _ = malloc_trim(0)
    }

    /// Has every heap hand back what is free at its top as soon as it passes 1 MiB. By default
    /// glibc raises that threshold after large blocks are freed (up to 64 MB), and `malloc_trim`
    /// leaves the top of a thread's heap alone: a reload read on another thread kept 17 MB of
    /// the daemon's memory resident until that thread ended. For a long-running process.
    public static func keepHeapsTrimmed() {
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 20)
    }
}
