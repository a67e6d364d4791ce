/// The lifecycle states of windows, targets, notices and deliveries (stored as their raw strings).

/// Where a window is in its lifecycle (SPEC "Window lifecycle").
public enum WindowState: String, Sendable, CaseIterable {
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
public enum TargetState: String, Sendable, CaseIterable {
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
public enum WindowOrigin: String, Sendable, CaseIterable {
    /// A schedule file (one-off, or an occurrence of a recurring definition).
    case file
    /// `maint add` or `maint now` working on the database itself (no daemon ran).
    case cli
    /// The control API (`POST /v1/windows`), which the CLI also uses when a daemon runs.
    case api
}

/// An advance notice of a window.
public enum NoticeState: String, Sendable, CaseIterable {
    case pending, sent, skipped
}

/// An announcement in the outbox.
public enum DeliveryState: String, Sendable, CaseIterable {
    case pending, delivered, dead
}

