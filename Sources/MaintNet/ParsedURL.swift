import CCurl

/// A URL read once, by libcurl's own parser: a transfer hands libcurl the parsed handle
/// (`CURLOPT_CURLU`) instead of the text, which it would read again, and takes its origin from
/// the same reading. Freed with the transfer, after its easy handle.
final class ParsedURL {
    let handle: OpaquePointer
    /// Scheme, host and port (the scheme's own when the URL gives none), as libcurl reads them,
    /// the host in lower case, as libcurl compares host names.
    let origin: String

    /// Nil when libcurl cannot read the text; the transfer is then given the text, and fails on
    /// its own with libcurl's error. A URL without a scheme is read as libcurl reads one given
    /// as text (`CURLOPT_URL`): as `http`, or the scheme its host name suggests.
    init?(_ url: String) {
        guard let handle = curl_url() else { return nil }
        let flags = UInt32(CURLU_GUESS_SCHEME) | UInt32(CURLU_NON_SUPPORT_SCHEME)
        func part(_ which: CURLUPart) -> String? {
            var text: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &text, UInt32(CURLU_DEFAULT_PORT)) == CURLUE_OK, let text else { return nil }
            defer { curl_free(text) }
            return String(cString: text)
        }
        guard curl_url_set(handle, CURLUPART_URL, url, flags) == CURLUE_OK,
              let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST), let port = part(CURLUPART_PORT) else {
            curl_url_cleanup(handle)
            return nil
        }
        self.handle = handle
        origin = "\(scheme) \(host) \(port)".lowercased()
    }

    deinit { curl_url_cleanup(handle) }
}
