import CLinux

/// The process's heap.
public enum Memory {
    /// Hands the heap's free pages back to the system. Reading a large schedule leaves most of
    /// its transient memory free but still resident; the daemon's loop calls this once the
    /// read's last holder is gone (`Engine.returnMemory`).
    public static func returnFreePages() {
        _ = malloc_trim(0)
    }
}
