import Foundation

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var timeoutMilliseconds: Int64
    /// Ask for the server certificate's expiry (health checks over https).
    public var wantsCertificate = false
    /// A PEM bundle to trust instead of the system's.
    public var caFile: String?
    /// Connect to this Unix socket instead of the URL's host (the daemon's control socket).
    public var unixSocket: String?
    /// User and password for HTTP basic authentication, given to libcurl (never a header we write).
    public var credentials: (user: String, password: String)?
    /// How much of the answer is kept: a site's reply is judged by its first MiB; the daemon's
    /// own answers (a status of ten thousand targets) are kept whole.
    public var maximumResponseBytes = 1 << 20

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil, timeoutMilliseconds: Int64 = 10_000) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: Data
    /// From the start of the transfer to its end.
    public var elapsedMilliseconds: Int
    /// When the server's certificate expires, when asked for and served over TLS.
    public var certificateExpiry: Date?

    public var text: String { String(decoding: body, as: UTF8.self) }

    public init(status: Int, body: Data, elapsedMilliseconds: Int, certificateExpiry: Date? = nil) {
        self.status = status
        self.body = body
        self.elapsedMilliseconds = elapsedMilliseconds
        self.certificateExpiry = certificateExpiry
    }
}

/// A transfer that did not produce an HTTP response: refused, timed out, bad TLS…
public struct TransferError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var elapsedMilliseconds: Int
    public var description: String { message }

    public init(code: Int32, message: String, elapsedMilliseconds: Int) {
        self.code = code
        self.message = message
        self.elapsedMilliseconds = elapsedMilliseconds
    }
}
