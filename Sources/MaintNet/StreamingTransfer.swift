import CCurl
import Foundation
import MaintCore

/// One request whose answer is read as it arrives, until the server ends it: `maint log -f`
/// following the daemon's event stream. Blocks the calling thread (the CLI's) for the whole time.
public enum StreamingTransfer {
    /// Hands each piece of the body to `received` as it comes; returns the HTTP status at the end.
    public static func perform(_ request: HTTPRequest, received: @escaping (Data) -> Void) -> Result<Int, TransferError> {
        guard let easy = curl_easy_init() else { return .failure(TransferError(code: -1, message: "out of memory", elapsedMilliseconds: 0)) }
        defer { curl_easy_cleanup(easy) }
        final class Sink {
            let received: (Data) -> Void
            init(_ received: @escaping (Data) -> Void) { self.received = received }
        }
        let sink = Sink(received)
        return withExtendedLifetime(sink) {
            _ = maint_curl_setopt_string(easy, CURLOPT_URL, request.url)
            _ = maint_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = maint_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
            _ = maint_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
            if let socket = request.unixSocket { _ = maint_curl_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, socket) }
            _ = maint_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
            _ = maint_curl_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
                guard let data, let user else { return 0 }
                let length = size * count
                let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
                data.withMemoryRebound(to: UInt8.self, capacity: length) { sink.received(Data(bytes: $0, count: length)) }
                return length
            }
            let code = curl_easy_perform(easy)
            var status = 0
            _ = maint_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            guard code == CURLE_OK else {
                return .failure(TransferError(code: Int32(code.rawValue), message: String(cString: curl_easy_strerror(code)), elapsedMilliseconds: 0))
            }
            return .success(status)
        }
    }
}
