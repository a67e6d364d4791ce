import Foundation
import MaintCore
import MaintEngine
import MaintHTTP

/// The control API's endpoints (SPEC "Control API"): each request is read on its connection's
/// thread, what needs the engine or the database runs on the scheduler loop (`LoopMailbox`),
/// and slow reads of targets happen back on the connection's thread.
public struct ControlAPI: Sendable {
    let mailbox: LoopMailbox
    let pid: pid_t

    public init(mailbox: LoopMailbox, pid: pid_t = getpid()) {
        self.mailbox = mailbox
        self.pid = pid
    }

    public func handle(_ request: ControlRequest) -> ControlResponse {
        switch (request.method, request.path) {
        case ("GET", "/v1/status"): return status()
        case (_, "/v1/status"): return Self.methodNotAllowed(request, allowed: "GET")
        default: return Self.error(404, "not-found", "no endpoint \(request.method) \(request.path)")
        }
    }

    func status() -> ControlResponse {
        let gathered = mailbox.run { engine in Result { try StatusReport(store: engine.store, engine: engine) } }
        switch gathered {
        case nil: return Self.unavailable
        case .failure(let error)?: return Self.error(500, "internal", "cannot read the database: \(error)")
        case .success(let report)?:
            let actual = report.probe?.read() ?? [:]
            return Self.json(200, report.json(actual: actual, daemon: pid))
        }
    }

    // MARK: Answers

    static func json(_ status: Int, _ value: JSONValue) -> ControlResponse {
        ControlResponse(status: status, headers: [("Content-Type", "application/json")], body: Data((value.serialized() + "\n").utf8))
    }

    /// SPEC's error shape: `{"error": {"code", "message", "fields": [{path, message}]}}`.
    static func error(_ status: Int, _ code: String, _ message: String, fields: [(path: String, message: String)] = []) -> ControlResponse {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if !fields.isEmpty {
            error["fields"] = .array(fields.map { .object(["path": .string($0.path), "message": .string($0.message)]) })
        }
        return json(status, .object(["error": .object(error)]))
    }

    static func methodNotAllowed(_ request: ControlRequest, allowed: String) -> ControlResponse {
        var response = error(405, "method-not-allowed", "\(request.path) takes \(allowed), not \(request.method)")
        response.headers.append(("Allow", allowed))
        return response
    }

    static let unavailable = error(503, "unavailable", "the daemon is stopping or too busy to answer; try again")
}
