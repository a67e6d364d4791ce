import Foundation

/// One request to the control API, as the server read it.
public struct ControlRequest: Sendable {
    public var method: String
    /// The path without the query, percent-decoded by the server.
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data
    /// The caller's uid when it came over the Unix socket (`SO_PEERCRED`); nil over TCP.
    public var peerUID: Int64?

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data(), peerUID: Int64? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.peerUID = peerUID
    }
}

/// The answer to a `ControlRequest`.
public struct ControlResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
