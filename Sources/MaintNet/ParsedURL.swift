import CCurl
import Foundation

/// A URL read once, by libcurl's own parser: a transfer hands libcurl the parsed handle
/// (`CURLOPT_CURLU`) instead of the text, which it would read again, and takes its origin from
/// the same reading. Freed with the transfer, after its easy handle.
final class ParsedURL {
    let handle: OpaquePointer
    /// Scheme, host and port (the scheme's own when the URL gives none), as libcurl reads them,
    /// in lower case, as libcurl compares host names (ASCII letters only).
    let origin: String

    /// Nil when libcurl cannot read the text; the transfer is then given the text, and fails on
    /// its own with libcurl's error. A URL without a scheme is read as libcurl reads one given
    /// as text (`CURLOPT_URL`): as `http`, or the scheme its host name suggests.
    init?(_ url: String) {
        guard let handle = curl_url() else { return nil }
        let flags = UInt32(CURLU_GUESS_SCHEME) | UInt32(CURLU_NON_SUPPORT_SCHEME)
        // The origin's text is put together as bytes, each part copied as libcurl gives it: a
        // transfer of a fleet's thousand makes one.
        var origin: [UInt8] = []
        origin.reserveCapacity(64)
        func append(_ which: CURLUPart) -> Bool {
            var text: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &text, UInt32(CURLU_DEFAULT_PORT)) == CURLUE_OK, let text else { return false }
            defer { curl_free(text) }
            if !origin.isEmpty { origin.append(UInt8(ascii: " ")) }
            // Lower case as libcurl compares names: ASCII letters only.
            for byte in UnsafeRawBufferPointer(start: text, count: strlen(text)) {
                origin.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
            }
            return true
        }
        guard curl_url_set(handle, CURLUPART_URL, url, flags) == CURLUE_OK,
              append(CURLUPART_SCHEME), append(CURLUPART_HOST), append(CURLUPART_PORT) else {
            curl_url_cleanup(handle)
            return nil
        }
        self.handle = handle
        self.origin = String(decoding: origin, as: UTF8.self)
    }

    deinit { curl_url_cleanup(handle) }
}
