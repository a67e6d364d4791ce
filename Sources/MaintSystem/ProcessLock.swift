import Foundation

/// The lock that makes one process the one that switches targets: the daemon holds it while it
/// runs; a CLI command that gets it knows no daemon is running. A POSIX record lock, so its
/// holder's PID can be read (`F_GETLK`) to wake it.
public final class ProcessLock {
    let fd: Int32
    public private(set) var isHeld = false

    public init(path: String) throws(SystemError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock without waiting; false when another process has it.
    public func tryLock() -> Bool {
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        isHeld = fcntl(fd, F_SETLK, &lock) == 0
        return isHeld
    }

    /// Waits for the lock, for at most `seconds`.
    public func lock(waitingAtMost seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !tryLock() {
            if Date() > deadline { return false }
            usleep(50_000)
        }
        return true
    }

    public func unlock() {
        var lock = flock()
        lock.l_type = Int16(F_UNLCK)
        lock.l_whence = Int16(SEEK_SET)
        _ = fcntl(fd, F_SETLK, &lock)
        isHeld = false
    }

    /// The PID of the process holding the lock, if another one does.
    public func holder() -> pid_t? {
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        guard fcntl(fd, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) else { return nil }
        return lock.l_pid
    }
}
