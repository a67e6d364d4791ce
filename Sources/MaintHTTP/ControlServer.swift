import CMicroHTTPD
import Foundation
import Synchronization

/// The control API's HTTP server: libmicrohttpd on a socket the caller listens on, one thread
/// per connection, so a handler may wait (for the scheduler loop's answer, for a probe) without
/// holding up another caller or the loop. The handler gets each request whole, body included.
public final class ControlServer: Sendable {
    public typealias Handler = @Sendable (ControlRequest) -> ControlResponse

    /// The nice value of connection threads (the loop keeps the process's own, 0 by default).
    static let niceness: Int32 = 10

    /// Bodies above this are refused (413) without being kept.
    public static let maximumBody = 1 << 20

    private let handler: Handler
    /// A TCP listener: every request is marked `overNetwork` (the API then asks for a token).
    private let network: Bool
    private let daemon = Mutex<Running?>(nil)

    /// libmicrohttpd's daemon handle; stopping it from any thread is allowed.
    struct Running: @unchecked Sendable {
        let daemon: OpaquePointer
    }

    /// Starts serving on `listeningFD` (already bound and listening; closed by `stop`).
    public init(listeningFD: Int32, network: Bool = false, connectionLimit: UInt32 = 64, handler: @escaping Handler) throws(ControlServerError) {
        self.handler = handler
        self.network = network
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let started = maint_mhd_start(listeningFD, ControlServer.access, context, ControlServer.completed, nil, connectionLimit, 60) else {
            throw ControlServerError(message: "libmicrohttpd could not start on descriptor \(listeningFD)")
        }
        daemon.withLock { $0 = Running(daemon: started) }
    }

    deinit { stop() }

    /// Stops accepting, waits for the connection threads, and closes the socket.
    public func stop() {
        let running = daemon.withLock { value in defer { value = nil }; return value }
        if let running { MHD_stop_daemon(running.daemon) }
    }

    /// A request being read: its body so far.
    final class Upload {
        var body = Data()
        var tooLarge = false
    }

    private static let access: MHD_AccessHandlerCallback = { context, connection, url, method, _, data, size, state in
        guard let context, let connection, let state, let size else { return .NO }
        let server = Unmanaged<ControlServer>.fromOpaque(context).takeUnretainedValue()
        // First call: headers only. Then the body in pieces. Then a call with nothing: answer.
        guard let pending = state.pointee else {
            state.pointee = Unmanaged.passRetained(Upload()).toOpaque()
            // A connection's thread yields the CPU to the scheduler loop: on a busy host a
            // status request waits a little, a due switch does not.
            maint_lower_thread_priority(ControlServer.niceness)
            return .YES
        }
        let upload = Unmanaged<Upload>.fromOpaque(pending).takeUnretainedValue()
        if size.pointee > 0 {
            if let data, !upload.tooLarge {
                if upload.body.count + size.pointee > maximumBody {
                    upload.tooLarge = true
                    upload.body = Data()
                } else {
                    upload.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size.pointee)
                }
            }
            size.pointee = 0
            return .YES
        }
        var request = ControlRequest(method: method.map { String(cString: $0) } ?? "GET",
                                     path: url.map { String(cString: $0) } ?? "/",
                                     query: values(connection, .GET_ARGUMENT_KIND),
                                     headers: values(connection, .HEADER_KIND, lowercased: true),
                                     body: upload.body,
                                     peerUID: server.network ? nil : peerUID(connection))
        request.overNetwork = server.network
        let response = upload.tooLarge
            ? ControlResponse(status: 413, headers: [("Content-Type", "application/json")],
                              body: Data(#"{"error":{"code":"too-large","message":"the body is larger than 1 MiB"}}"#.utf8))
            : server.handler(request)
        return queue(response, on: connection)
    }

    private static let completed: MHD_RequestCompletedCallback = { _, _, state, _ in
        guard let state, let pending = state.pointee else { return }
        Unmanaged<Upload>.fromOpaque(pending).release()
        state.pointee = nil
    }

    private static func peerUID(_ connection: OpaquePointer) -> Int64? {
        let uid = maint_peer_uid(maint_mhd_connection_fd(connection))
        return uid >= 0 ? uid : nil
    }

    /// Every value of one kind (query arguments or headers).
    private static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercased: Bool = false) -> [String: String] {
        final class Collected {
            var values: [String: String] = [:]
            let lowercased: Bool
            init(lowercased: Bool) { self.lowercased = lowercased }
        }
        let collected = Collected(lowercased: lowercased)
        let iterator: MHD_KeyValueIterator = { context, _, key, value in
            guard let context, let key else { return .YES }
            let collected = Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue()
            let name = String(cString: key)
            collected.values[collected.lowercased ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
            return .YES
        }
        withExtendedLifetime(collected) {
            _ = MHD_get_connection_values(connection, kind, iterator, Unmanaged.passUnretained(collected).toOpaque())
        }
        return collected.values
    }

    /// A streamed body: what is left of the last piece, and where the next ones come from.
    final class Stream {
        let next: @Sendable () -> Data?
        var pending: Data
        init(first: Data, next: @escaping @Sendable () -> Data?) {
            self.pending = first
            self.next = next
        }
    }

    private static let readStream: MHD_ContentReaderCallback = { context, _, buffer, capacity in
        guard let context, let buffer else { return -1 }
        let stream = Unmanaged<Stream>.fromOpaque(context).takeUnretainedValue()
        // Waits for the next piece here, on this connection's own thread; nil ends the body.
        while stream.pending.isEmpty {
            guard let piece = stream.next() else { return -1 }
            stream.pending = piece
        }
        let count = min(capacity, stream.pending.count)
        stream.pending.copyBytes(to: UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: count)
        stream.pending.removeFirst(count)
        return count
    }

    private static let releaseStream: MHD_ContentReaderFreeCallback = { context in
        guard let context else { return }
        Unmanaged<Stream>.fromOpaque(context).release()
    }

    private static func queue(_ answer: ControlResponse, on connection: OpaquePointer) -> MHD_Result {
        let response: OpaquePointer?
        if let next = answer.stream {
            let stream = Unmanaged.passRetained(Stream(first: answer.body, next: next)).toOpaque()
            response = MHD_create_response_from_callback(UInt64.max, 4096, readStream, stream, releaseStream)
        } else {
            response = answer.body.withUnsafeBytes { bytes in
                MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
            }
        }
        guard let response else { return .NO }
        defer { MHD_destroy_response(response) }
        for header in answer.headers { _ = MHD_add_response_header(response, header.name, header.value) }
        return MHD_queue_response(connection, UInt32(answer.status), response)
    }
}

public struct ControlServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
