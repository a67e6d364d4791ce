import Foundation

/// A listening Unix stream socket at a path, mode 0660: the file's owner and group may connect,
/// nobody else (SPEC "Control API": the permissions are the access control).
public final class UnixListener {
    public let fd: Int32
    public let path: String

    /// Binds `path`. A socket file left by a process that died is replaced; the caller holds the
    /// daemon's lock, so no live daemon listens there.
    public init(path: String, backlog: Int32 = 64) throws(SystemError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SystemError("a socket path is at most \(capacity - 1) bytes: \(path)", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                close(fd)
                throw SystemError("\(path) exists and is not a socket", code: EEXIST)
            }
            unlink(path)
        }
        // The process's umask is left alone (other threads create files meanwhile): bind makes
        // the file with the umask's mode, which only the write bit makes connectable, and the
        // mode is set to 0660 right after.
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let error = SystemError("bind \(path)")
            close(fd)
            throw error
        }
        guard chmod(path, 0o660) == 0 else {
            let error = SystemError("chmod \(path)")
            close(fd)
            unlink(path)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError("listen \(path)")
            close(fd)
            unlink(path)
            throw error
        }
        self.fd = fd
        self.path = path
    }

    /// Removes the socket file; the server that used the descriptor closes it.
    public func remove() { unlink(path) }
}
