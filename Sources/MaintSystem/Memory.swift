import CLinux

/// The process's heap.
public enum Memory {
    /// Hands the heap's free pages back to the system. Reading a large schedule leaves most of
    /// its transient memory free but still resident; the daemon's loop calls this once the
    /// read's last holder is gone (`Engine.returnMemory`).
    public static func returnFreePages() {
        _ = malloc_trim(0)
    }

    /// Keeps the heap small for a long-running process: its threads share one heap, which hands
    /// back what is free at its top as soon as it passes 1 MiB. A reload is read on another
    /// thread and freed by the loop; in that thread's own heap (glibc's default), 17 to 50 MB
    /// stayed resident, because `malloc_trim` leaves the top of a thread's heap alone, and glibc
    /// raises the 1 MiB after large blocks are freed (up to 64 MB). The daemon reads its files
    /// on one thread, so sharing costs it nothing.
    public static func keepHeapsTrimmed() {
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 20)
    }
}
