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
    /// It came over TCP: it must carry a bearer token.
    public var overNetwork = false

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data(), peerUID: Int64? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.peerUID = peerUID
    }
}

extension ControlRequest {
    /// A request for `target` (`/v1/events?window=w&after=3`), its query split and decoded as
    /// the server does it: for the same endpoints called in process.
    public init(method: String, target: String, body: Data = Data(), peerUID: Int64? = nil) {
        var path = target
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if let key = parts.first { query[key] = parts.count > 1 ? parts[1] : "" }
            }
        }
        self.init(method: method, path: path.removingPercentEncoding ?? path, query: query, body: body, peerUID: peerUID)
    }
}

/// The answer to a `ControlRequest`.
public struct ControlResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body. An answer made from a value is written when its body is first read: a caller in
    /// the same process (a command run with no daemon asks the endpoints directly) takes `value`
    /// and never reads it.
    public var body: Data {
        get { written ?? write?() ?? Data() }
        set {
            written = newValue
            write = nil
        }
    }
    private var written: Data?
    private var write: (@Sendable () -> Data)?
    /// A body sent as it is made, after `body`: each call returns the next piece (it may wait
    /// for one), nil at the end. For `GET /v1/events?follow=1`.
    public var stream: (@Sendable () -> Data?)?
    /// What the body is written from, if it was made from a value.
    public let value: (any Sendable)?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data(), stream: (@Sendable () -> Data?)? = nil) {
        self.status = status
        self.headers = headers
        self.written = body
        self.write = nil
        self.stream = stream
        self.value = nil
    }

    /// An answer made from `value`; `write` gives its body when the body is read.
    public init(status: Int, headers: [(name: String, value: String)] = [], value: any Sendable, write: @escaping @Sendable () -> Data) {
        self.status = status
        self.headers = headers
        self.written = nil
        self.write = write
        self.stream = nil
        self.value = value
    }
}
