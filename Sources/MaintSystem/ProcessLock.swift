import Foundation

/// The lock that makes one process the one that switches targets. POSIX record locks on two
/// bytes of one file: byte 0 is held by whoever switches (the daemon, or a command switching
/// because no daemon runs), byte 1 by the daemon alone; so a command can tell the daemon from a
/// sibling command, and the holder's PID can be read (`F_GETLK`) to wake it.
public final class ProcessLock {
    let fd: Int32
    public private(set) var isHeld = false

    /// Who holds the switching lock.
    public enum Holder: Equatable, Sendable {
        case daemon(pid_t)
        case command(pid_t)

        public var isDaemon: Bool { if case .daemon = self { return true } else { return false } }

        public var pid: pid_t {
            switch self {
            case .daemon(let pid), .command(let pid): return pid
            }
        }
    }

    public init(path: String) throws(SystemError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        self.fd = fd
    }

    deinit { close(fd) }

    private static let switching: off_t = 0
    private static let daemonByte: off_t = 1

    private func set(_ type: Int32, byte: off_t) -> Bool {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = byte
        lock.l_len = 1
        return fcntl(fd, F_SETLK, &lock) == 0
    }

    private func owner(of byte: off_t) -> pid_t? {
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = byte
        lock.l_len = 1
        guard fcntl(fd, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) else { return nil }
        return lock.l_pid
    }

    /// Takes the switching lock without waiting (and, for the daemon, its own byte); false when
    /// another process has it.
    public func tryLock(asDaemon: Bool = false) -> Bool {
        guard set(F_WRLCK, byte: Self.switching) else { return false }
        if asDaemon && !set(F_WRLCK, byte: Self.daemonByte) {
            _ = set(F_UNLCK, byte: Self.switching)
            return false
        }
        isHeld = true
        return true
    }

    public func unlock() {
        _ = set(F_UNLCK, byte: Self.daemonByte)
        _ = set(F_UNLCK, byte: Self.switching)
        isHeld = false
    }

    /// The process holding the switching lock, if another one does.
    public func holder() -> Holder? {
        guard let pid = owner(of: Self.switching) else { return nil }
        if let daemon = owner(of: Self.daemonByte), daemon == pid { return .daemon(pid) }
        return .command(pid)
    }
}
