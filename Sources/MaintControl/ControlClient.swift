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

    public func get(_ path: String, timeoutSeconds: Int64 = 60) throws(Failure) -> JSONValue {
        try send(HTTPRequest(method: "GET", url: "http://localhost" + path, timeoutMilliseconds: timeoutSeconds * 1000))
    }

    public func post(_ path: String, _ body: JSONValue, timeoutSeconds: Int64 = 60) throws(Failure) -> JSONValue {
        try send(HTTPRequest(method: "POST", url: "http://localhost" + path, headers: [(name: "Content-Type", value: "application/json")],
                             body: Data(body.serialized().utf8), timeoutMilliseconds: timeoutSeconds * 1000))
    }

    func send(_ request: HTTPRequest) throws(Failure) -> JSONValue {
        var request = request
        request.unixSocket = socket
        let result = TransferPool().perform([request]).first ?? .failure(TransferError(code: -1, message: "no answer", elapsedMilliseconds: 0))
        let response: HTTPResponse
        switch result {
        case .failure(let error):
            throw .unreachable("the daemon does not answer on its control socket \(socket): \(error.message)")
        case .success(let answer):
            response = answer
        }
        let value = try? JSONValue.parseJSON(response.body)
        guard (200..<300).contains(response.status) else {
            let error = value?["error"]
            let fields = (error?["fields"]?.arrayValue ?? []).map { (path: $0["path"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "") }
            throw .refused(status: response.status, code: error?["code"]?.stringValue ?? "http-\(response.status)",
                           message: error?["message"]?.stringValue ?? "the daemon answered \(response.status)", fields: fields)
        }
        guard let value else { throw .unreachable("the daemon's answer on \(socket) is not JSON") }
        return value
    }
}
