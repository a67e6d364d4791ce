/// A window as stored. Times are milliseconds since the Unix epoch, UTC.
public struct WindowRecord: Sendable, Equatable {
    public var id: String
    public var origin: WindowOrigin
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
    public var state: WindowState
    public var fingerprint: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The schedule-file window this one is an occurrence of.
    public var series: String?
    public var onFailure: StageFailure
    /// At most this many requests in flight for the window; nil for no limit.
    public var maxParallel: Int?
    public var onHealthFailure = HealthFailure.alert
    /// `maint done`: end as soon as the health checks pass.
    public var endWhenHealthy: Bool = false

    public init(id: String, origin: WindowOrigin, sourceFile: String?, headline: String, message: String, page: PageFields,
                selectors: [String], channels: [String], timezone: String, startAt: Int64, endAt: Int64?,
                healthTimeoutMilliseconds: Int64?, state: WindowState, fingerprint: String?, createdAt: Int64, updatedAt: Int64,
                series: String? = nil, onFailure: StageFailure = .halt, maxParallel: Int? = nil) {
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
        self.series = series
        self.onFailure = onFailure
        self.maxParallel = maxParallel
    }

    public var isTerminal: Bool { state.isTerminal }

    /// Whether the window has begun at `now`: it is past `scheduled`, and its start has come (a
    /// window is made `activating` a moment before its start, and has not begun until then).
    public func hasBegun(at now: Int64) -> Bool { state != .scheduled && !(state == .activating && startAt > now) }
}

/// One target's progress through one window.
public struct TargetStateRecord: Sendable, Equatable {
    public var windowId: String
    public var target: String
    public var state: TargetState
    public var attempts: Int
    public var nextAttemptAt: Int64?
    public var phaseStartedAt: Int64?
    public var activatedAt: Int64?
    public var deactivatedAt: Int64?
    public var lastError: String?
    /// JSON list of check results.
    public var health: String?
    /// Stage of the window's order: 0 first; deactivation runs from the last.
    public var stage: Int = 0
    /// What a driver must remember between switching on and off (an Alertmanager silence id).
    public var driverState: String?

    public init(windowId: String, target: String, state: TargetState, attempts: Int, nextAttemptAt: Int64?, phaseStartedAt: Int64?, activatedAt: Int64?, deactivatedAt: Int64?, lastError: String?, health: String?, stage: Int = 0, driverState: String? = nil) {
        self.stage = stage
        self.driverState = driverState
        self.windowId = windowId
        self.target = target
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.phaseStartedAt = phaseStartedAt
        self.activatedAt = activatedAt
        self.deactivatedAt = deactivatedAt
        self.lastError = lastError
        self.health = health
    }
}

/// A window's target, as a key: hashed by the target's name alone, since the keys of one table
/// are nearly all of one window, whose long id would be hashed again for each to no purpose.
/// Equality still compares both.
public struct WindowTargetKey: Hashable, Sendable {
    public var window: String
    public var target: String

    public init(window: String, target: String) {
        self.window = window
        self.target = target
    }

    public init(_ record: TargetStateRecord) { self.init(window: record.windowId, target: record.target) }

    public func hash(into hasher: inout Hasher) { hasher.combine(target) }
}

extension Array where Element == TargetStateRecord {
    /// Where each target (of `window` only, if given) last is, by name.
    public func placesByTarget(of window: String? = nil) -> [String: Int] {
        var places: [String: Int] = [:]
        places.reserveCapacity(count)
        for (place, record) in enumerated() where window == nil || record.windowId == window { places[record.target] = place }
        return places
    }
}

public struct NoticeRecord: Sendable, Equatable {
    public var windowId: String
    public var offsetMilliseconds: Int64
    public var dueAt: Int64
    public var state: NoticeState

    public init(windowId: String, offsetMilliseconds: Int64, dueAt: Int64, state: NoticeState) {
        self.windowId = windowId
        self.offsetMilliseconds = offsetMilliseconds
        self.dueAt = dueAt
        self.state = state
    }
}

public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var at: Int64
    public var windowId: String?
    public var target: String?
    public var kind: String
    public var message: String
    public var detail: String?
    /// Who asked for it, when someone did: `uid 1000 (alice)`, `token ci`.
    public var actor: String?

    public init(id: Int64, at: Int64, windowId: String?, target: String?, kind: String, message: String, detail: String?, actor: String? = nil) {
        self.id = id
        self.at = at
        self.windowId = windowId
        self.target = target
        self.kind = kind
        self.message = message
        self.detail = detail
        self.actor = actor
    }
}

public struct DeliveryRecord: Sendable, Equatable {
    public var id: String
    public var channel: String
    public var event: AnnouncementEvent
    public var windowId: String?
    public var body: String
    public var state: DeliveryState
    public var attempts: Int
    public var maxAttempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?
    public var createdAt: Int64
    public var deliveredAt: Int64?

    public init(id: String, channel: String, event: AnnouncementEvent, windowId: String?, body: String, state: DeliveryState, attempts: Int, maxAttempts: Int, nextAttemptAt: Int64, lastError: String?, createdAt: Int64, deliveredAt: Int64?) {
        self.id = id
        self.channel = channel
        self.event = event
        self.windowId = windowId
        self.body = body
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}
