import MaintCore

/// A window as stored. Times are milliseconds since the Unix epoch, UTC.
public struct WindowRecord: Sendable, Equatable {
    public var id: String
    public var origin: String
    public var sourceFile: String?
    public var headline: String
    public var message: String
    public var page: PageFields
    public var selectors: [String]
    public var channels: [String]
    public var timezone: String
    public var startAt: Int64
    public var endAt: Int64?
    public var healthTimeoutMilliseconds: Int64?
    public var state: String
    public var fingerprint: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: String, origin: String, sourceFile: String?, headline: String, message: String, page: PageFields,
                selectors: [String], channels: [String], timezone: String, startAt: Int64, endAt: Int64?,
                healthTimeoutMilliseconds: Int64?, state: String, fingerprint: String?, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.origin = origin
        self.sourceFile = sourceFile
        self.headline = headline
        self.message = message
        self.page = page
        self.selectors = selectors
        self.channels = channels
        self.timezone = timezone
        self.startAt = startAt
        self.endAt = endAt
        self.healthTimeoutMilliseconds = healthTimeoutMilliseconds
        self.state = state
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let terminalStates: Set<String> = ["completed", "canceled", "failed", "degraded", "missed"]
    public var isTerminal: Bool { Self.terminalStates.contains(state) }
}

/// One target's progress through one window.
public struct TargetStateRecord: Sendable, Equatable {
    public var windowId: String
    public var target: String
    /// pending, activating, active, deactivating, verifying, healthy, unhealthy, failed
    public var state: String
    public var attempts: Int
    public var nextAttemptAt: Int64?
    public var phaseStartedAt: Int64?
    public var activatedAt: Int64?
    public var deactivatedAt: Int64?
    public var lastError: String?
    /// JSON list of check results.
    public var health: String?
}

public struct NoticeRecord: Sendable, Equatable {
    public var windowId: String
    public var offsetMilliseconds: Int64
    public var dueAt: Int64
    /// pending, sent, skipped
    public var state: String
}

public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var at: Int64
    public var windowId: String?
    public var target: String?
    public var kind: String
    public var message: String
    public var detail: String?
}

public struct DeliveryRecord: Sendable, Equatable {
    public var id: String
    public var channel: String
    public var event: String
    public var windowId: String?
    public var body: String
    /// pending, delivered, dead
    public var state: String
    public var attempts: Int
    public var maxAttempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?
    public var createdAt: Int64
    public var deliveredAt: Int64?
}
