import MaintCore

/// The closed sets of the database, stored as their raw strings.

/// Where a window is in its lifecycle (SPEC "Window lifecycle").
public enum WindowState: String, Sendable, CaseIterable, StoredValue {
    case scheduled, activating, active, reactivating, deactivating, verifying
    case completed, canceled, failed, degraded, missed
    /// An occurrence whose definition appeared after it had begun: it switches nothing.
    case skipped

    public var isTerminal: Bool {
        switch self {
        case .completed, .canceled, .failed, .degraded, .missed, .skipped: return true
        case .scheduled, .activating, .active, .reactivating, .deactivating, .verifying: return false
        }
    }

    public static let terminal: [WindowState] = allCases.filter(\.isTerminal)
}

/// Where one target is within one window.
public enum TargetState: String, Sendable, CaseIterable, StoredValue {
    /// Its stage has not begun.
    case pending
    case activating, active
    /// In maintenance, being told a new end or message.
    case refreshing
    /// Waiting for its stage's turn to be switched back.
    case waiting
    case deactivating, verifying, healthy, unhealthy, failed
    /// Not switched: an earlier stage failed, or the window ended before its stage.
    case skipped
    /// Left in maintenance at this window's end, because another window still holds it.
    case held

    /// The states in which the window holds the target in maintenance.
    public var holds: Bool {
        switch self {
        case .activating, .active, .refreshing: return true
        case .pending, .waiting, .deactivating, .verifying, .healthy, .unhealthy, .failed, .skipped, .held: return false
        }
    }
}

/// Where a window came from.
public enum WindowOrigin: String, Sendable, CaseIterable, StoredValue {
    /// A schedule file (one-off, or an occurrence of a recurring definition).
    case file
    /// `maint add` or `maint now`.
    case cli
}

extension StageFailure: StoredValue {}
extension AnnouncementEvent: StoredValue {}
extension HealthFailure: StoredValue {}

/// An advance notice of a window.
public enum NoticeState: String, Sendable, CaseIterable, StoredValue {
    case pending, sent, skipped
}

/// An announcement in the outbox.
public enum DeliveryState: String, Sendable, CaseIterable, StoredValue {
    case pending, delivered, dead
}

/// A value of a closed set (a state, an option, an event) stored as its raw string; a string that
/// names none of the set is a damaged row, reported as such, never read as some default.
public protocol StoredValue: RawRepresentable<String>, SQLConvertible, CaseIterable {}

extension StoredValue {
    public var sqlValue: SQLValue { .text(rawValue) }

    /// `'a','b'`: for `IN (…)` in SQL.
    static func sqlList(_ states: some Sequence<Self>) -> String { states.map { "'\($0.rawValue)'" }.joined(separator: ",") }
}

extension Row {
    /// Column `name` as a value of the closed set `S`.
    func value<S: StoredValue>(_ name: String, _ type: S.Type) throws(SQLiteError) -> S {
        guard let text = string(name), let state = S(rawValue: text) else {
            throw SQLiteError(code: 11, message: "a stored row names an unknown \(S.self) in \(name): \(string(name).map { Quoted($0).description } ?? "NULL")", sql: nil)
        }
        return state
    }
}
