import Foundation

/// The HAProxy runtime API ("stats socket … level admin"): one command line per connection,
/// over a Unix socket (`/run/haproxy/admin.sock`) or TCP (`tcp://127.0.0.1:9999`).
public struct HAProxyRuntime: Sendable {
    public var address: String
    public var timeoutMilliseconds: Int

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(address: String, timeoutMilliseconds: Int = 5_000) {
        self.address = address
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Sends one command line (commands may be joined with "; ") and returns the whole answer.
    public func send(_ command: String) throws(Failure) -> String {
        let fd: Int32
        if address.hasPrefix("tcp://") {
            let hostPort = address.dropFirst(6).split(separator: ":")
            guard hostPort.count == 2, let port = UInt16(hostPort[1]) else { throw Failure(description: "\(address): not tcp://HOST:PORT") }
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            guard inet_pton(AF_INET, String(hostPort[0]), &socketAddress.sin_addr) == 1 else {
                close(fd)
                throw Failure(description: "\(address): the host must be an IPv4 address")
            }
            try connect(fd, &socketAddress)
        } else {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            let path = Array(address.utf8)
            guard path.count < MemoryLayout.size(ofValue: socketAddress.sun_path) else {
                close(fd)
                throw Failure(description: "\(address): socket path too long")
            }
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
                for (index, byte) in path.enumerated() { buffer[index] = byte }
            }
            try connect(fd, &socketAddress)
        }
        defer { close(fd) }
        var line = Array((command + "\n").utf8)
        let written = line.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw Failure(description: "cannot write to \(address): \(String(cString: strerror(errno)))") }
        // HAProxy answers and closes the connection.
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 { answer.append(contentsOf: buffer[0..<count]); continue }
            if count == 0 { break }
            throw Failure(description: "no answer from \(address) within \(timeoutMilliseconds) ms: \(String(cString: strerror(errno)))")
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Sets the timeouts and connects `fd` to a socket address of any family; closes it on failure.
    private func connect<Address>(_ fd: Int32, _ socketAddress: inout Address) throws(Failure) {
        configure(fd)
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot connect to \(address): \(reason)")
        }
    }

    private func configure(_ fd: Int32) {
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
