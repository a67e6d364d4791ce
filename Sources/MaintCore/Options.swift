/// The closed choices of a schedule file, each stored and compared as itself, never as a string
/// read again later. The schedule reader takes them all through one function (`choice`).

/// STARTTLS for an `smtp://` server.
public enum StartTLS: String, Sendable, CaseIterable {
    /// Refuse to send unless the server upgrades the connection.
    case required
    /// Upgrade when the server offers it.
    case optional
    /// Plain text (a server on the same host, say).
    case off
}

/// How the haproxy driver takes servers out: `maint`, or `drain` (current connections finish).
public enum HAProxyMode: String, Sendable, CaseIterable {
    case maint, drain
}

/// What a failed stage does to the later ones.
public enum StageFailure: String, Sendable, CaseIterable {
    case halt
    case `continue`
}

/// What a target still unhealthy at its health timeout does.
public enum HealthFailure: String, Sendable, CaseIterable {
    /// Reported in the `end` announcement.
    case alert
    /// And put back into maintenance, with no end.
    case reactivate
}

/// What a channel can be told about a window (SPEC "Window lifecycle").
public enum AnnouncementEvent: String, Sendable, CaseIterable {
    case scheduled, notice, start, updated, extended, canceled, end, failure, missed
}
