import MaintCore
import MaintStore

/// How a window is given back by the endpoints that change one: in full (`WindowReport`: every
/// target, event and delivery), or, when the caller sent `Prefer: return=minimal` (RFC 7240),
/// its id and state only. A job that ends a window of a thousand targets and follows it by
/// other means need not have it all read, written and sent.
public enum WindowAnswerForm: Sendable, Equatable {
    case full, minimal

    /// From the request's `Prefer` header: preferences are comma-separated, each may have
    /// parameters after `;`, names are case-insensitive, and a value may be quoted.
    public init(prefer: String?) {
        // `return=minimal; param`: a preference's parameters are not its value.
        let preferences = (prefer ?? "").split(separator: ",").map {
            ($0.split(separator: ";").first ?? "").filter { $0 != " " && $0 != "\t" && $0 != "\"" }.lowercased()
        }
        self = preferences.contains("return=minimal") ? .minimal : .full
    }

    /// The window with this id as this form gives it; `null` when there is none.
    func json(_ id: String, store: MaintenanceStore) throws -> JSONValue {
        switch self {
        case .full: return try WindowReport.json(id, store: store) ?? .null
        case .minimal:
            guard let window = try store.window(id) else { return .null }
            return .object(["id": .string(window.id), "state": .string(window.state.rawValue)])
        }
    }
}
