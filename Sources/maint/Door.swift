import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintHTTP
import MaintNet
import MaintStore

/// Where a command's request goes: to the running daemon over its control socket, or, with no
/// daemon, to the same endpoints run in this process on the database itself. Either way the
/// answer is the API's JSON, and a refusal the API's error.
enum Door {
    case daemon(ControlClient, pid_t)
    case here(ControlAPI, Engine, TransferPool, MaintenanceStore)

    static func open(_ session: Session) throws -> Door {
        if let (client, pid) = try session.daemonClient() { return .daemon(client, pid) }
        let (engine, pool, store) = try WindowCommands.prepare(session)
        return .here(ControlAPI(access: DirectAccess(engine), daemonPID: nil), engine, pool, store)
    }

    /// `minimal`: a window changed or made is answered with its id and state only
    /// (`Prefer: return=minimal`), for a command that follows it by other means.
    func send(_ method: String, _ path: String, _ body: JSONValue? = nil, minimal: Bool = false, session: Session) throws -> JSONValue {
        let headers = minimal ? [(name: "Prefer", value: "return=minimal")] : []
        switch self {
        case .daemon(let client, _):
            return try session.ask { () throws(ControlClient.Failure) in
                method == "GET" ? try client.get(path) : try client.post(path, body ?? .object([:]), headers: headers)
            }
        case .here(let api, _, _, _):
            var request = ControlRequest(method: method, target: path, body: Data((body?.serialized() ?? "").utf8))
            for header in headers { request.headers[header.name.lowercased()] = header.value }
            let response = api.handle(request)
            // The answer as the endpoint made it: parsing its text back would cost as much again.
            if (200..<300).contains(response.status), let value = response.value as? JSONValue { return value }
            return try session.ask { () throws(ControlClient.Failure) in try ControlClient.decode(status: response.status, body: response.body) }
        }
    }

    var isDaemon: Bool { if case .daemon = self { return true } else { return false } }
}

/// What a command follows of a window: its state and each target's, from the database here or
/// from the daemon's JSON.
struct Progress {
    typealias Target = (name: String, state: TargetState, lastError: String?)
    var state: WindowState?
    var targets: [Target] = []

    init(window: WindowRecord?, targets: [TargetStateRecord]) {
        state = window?.state
        self.targets = Self.targets(targets)
    }

    static func targets(_ records: [TargetStateRecord]) -> [Target] { records.map { ($0.target, $0.state, $0.lastError) } }

    init(json: JSONValue) {
        state = json["state"]?.stringValue.flatMap(WindowState.init(rawValue:))
        targets = (json["targets"]?.arrayValue ?? []).compactMap { target in
            guard let name = target["name"]?.stringValue, let state = target["state"]?.stringValue.flatMap(TargetState.init(rawValue:)) else { return nil }
            return (name, state, target["lastError"]?.stringValue)
        }
    }
}
