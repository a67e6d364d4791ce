import Foundation

/// A listening TCP socket on a numeric address (`127.0.0.1`, `::1`): the control API for callers
/// on other hosts, when the schedule's `api` section asks for it.
public enum TCPListener {
    /// A socket bound and listening, close-on-exec; the server that uses it closes it.
    public static func listen(host: String, port: UInt16, backlog: Int32 = 64) throws(SystemError) -> Int32 {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &found)
        guard code == 0, let address = found else {
            throw SystemError("\(host) is not a numeric address (\(String(cString: gai_strerror(code))))", code: EINVAL)
        }
        defer { freeaddrinfo(found) }
        let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            let error = SystemError("bind \(host):\(port)")
            close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemError("listen \(host):\(port)")
            close(fd)
            throw error
        }
        return fd
    }
}
