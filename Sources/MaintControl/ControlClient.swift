import Foundation
import MaintCore
import MaintNet

/// The CLI's side of the control socket: a request to the running daemon through libcurl
/// (`CURLOPT_UNIX_SOCKET_PATH`), its JSON answer or its error (SPEC's error shape) back.
public struct ControlClient: Sendable {
    public let socket: String

    public init(socket: String) { self.socket = socket }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Nothing answered on the socket.
        case unreachable(String)
        /// The daemon answered with an error.
        case refused(status: Int, code: String, message: String, fields: [(path: String, message: String)])

        public var description: String {
            switch self {
            case .unreachable(let text): return text
            case .refused(_, _, let message, let fields):
                return ([message] + fields.map { "\($0.path): \($0.message)" }).joined(separator: "\n")
            }
        }
    }

    /// A window id or other name as one path segment.
    public static func escape(_ segment: String) -> String { Template.percentEncoded(segment) }

    public func get(_ path: String, timeoutSeconds: Int64 = 60) throws(Failure) -> JSONValue {
        try send(HTTPRequest(method: "GET", url: "http://localhost" + path, timeoutMilliseconds: timeoutSeconds * 1000))
    }

    public func post(_ path: String, _ body: JSONValue, headers: [(name: String, value: String)] = [], timeoutSeconds: Int64 = 60) throws(Failure) -> JSONValue {
        try send(HTTPRequest(method: "POST", url: "http://localhost" + path, headers: [(name: "Content-Type", value: "application/json")] + headers,
                             body: Data(body.serialized().utf8), timeoutMilliseconds: timeoutSeconds * 1000))
    }

    /// An answer that is not JSON (the calendar feed), as it came.
    public func getBytes(_ path: String, timeoutSeconds: Int64 = 60) throws(Failure) -> Data {
        try exchange(HTTPRequest(method: "GET", url: "http://localhost" + path, timeoutMilliseconds: timeoutSeconds * 1000))
    }

    /// Follows a stream of newline-delimited JSON (`/v1/events?follow=1`): each value as it
    /// arrives, until the daemon ends it (it stops).
    public func follow(_ path: String, line: @escaping (JSONValue) -> Void) throws(Failure) {
        var request = HTTPRequest(method: "GET", url: "http://localhost" + path)
        request.unixSocket = socket
        var pending = Data()
        var errorBody = Data()
        let result = StreamingTransfer.perform(request) { piece in
            pending.append(piece)
            while let end = pending.firstIndex(of: 0x0A) {
                let text = pending[pending.startIndex..<end]
                pending.removeSubrange(pending.startIndex...end)
                guard !text.isEmpty else { continue }  // the daemon's sign of life in a quiet moment
                if let value = try? JSONValue.parseJSON(Data(text)) {
                    if value["error"] != nil { errorBody = Data(text) } else { line(value) }
                }
            }
        }
        switch result {
        case .failure(let error): throw .unreachable("the daemon does not answer on its control socket \(socket): \(error.message)")
        case .success(let status): if !(200..<300).contains(status) { throw Self.refusal(status: status, body: errorBody) }
        }
    }

    func send(_ request: HTTPRequest) throws(Failure) -> JSONValue {
        let body = try exchange(request)
        guard let value = try? JSONValue.parseJSON(body) else { throw .unreachable("the daemon's answer on \(socket) is not JSON") }
        return value
    }

    /// Sends one request over the socket; the body of a 2xx answer, else the refusal it carries.
    func exchange(_ request: HTTPRequest) throws(Failure) -> Data {
        var request = request
        request.unixSocket = socket
        request.maximumResponseBytes = 1 << 30
        switch TransferPool().perform([request]).first ?? .failure(TransferError(code: -1, message: "no answer", elapsedMilliseconds: 0)) {
        case .failure(let error):
            throw .unreachable("the daemon does not answer on its control socket \(socket): \(error.message)")
        case .success(let response):
            guard (200..<300).contains(response.status) else { throw Self.refusal(status: response.status, body: response.body) }
            return response.body
        }
    }

    /// An answer's JSON, or the refusal its error body (SPEC's shape) describes.
    public static func decode(status: Int, body: Data) throws(Failure) -> JSONValue {
        guard (200..<300).contains(status) else { throw refusal(status: status, body: body) }
        guard let value = try? JSONValue.parseJSON(body) else { throw .unreachable("the answer is not JSON") }
        return value
    }

    /// What an error answer says: its message and fields, and a reload's located errors.
    static func refusal(status: Int, body: Data) -> Failure {
        let value = try? JSONValue.parseJSON(body)
        let error = value?["error"]
        let fields = (error?["fields"]?.arrayValue ?? []).map { (path: $0["path"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "") }
        var message = error?["message"]?.stringValue ?? "the daemon answered \(status)"
        // A reload's schedule errors, one `FILE:LINE:COL: path: message` each, as `maint validate` prints them.
        let lines = (value?["errors"]?.arrayValue ?? []).map { issue in
            let number = { (key: String) -> Int in if case .number(let value)? = issue[key] { return Int(value) } else { return 0 } }
            return "\(issue["file"]?.stringValue ?? "?"):\(number("line")):\(number("column")): \(issue["path"]?.stringValue ?? ""): \(issue["message"]?.stringValue ?? "")"
        }
        if !lines.isEmpty { message = (lines + [message]).joined(separator: "\n") }
        return .refused(status: status, code: error?["code"]?.stringValue ?? "http-\(status)", message: message, fields: fields)
    }
}
