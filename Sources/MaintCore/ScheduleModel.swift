import Foundation

/// One request of the `http` driver, as written in a schedule file. Strings are templates.
public struct HTTPAction: Sendable {
    public enum Body: Sendable {
        /// A JSON value whose strings are templates, each substituted as a JSON string.
        case json(JSONBodyTemplate)
        case raw(Template)
    }

    public var method: String
    public var url: Template
    public var headers: [Header]
    public var body: Body?
    /// Status codes that count as success; empty means any 2xx.
    public var expect: [Int]
    public var timeoutMilliseconds: Int64
    public var retries: Int
    /// HTTP basic authentication, sent by libcurl (Haiilo's management API wants it).
    public var basicAuth: BasicAuth? = nil

    public struct Header: Sendable {
        public var name: String
        public var value: Template
    }

    public struct BasicAuth: Sendable {
        public var user: Template
        public var password: Template
    }

    public var secretNames: [String] {
        var names = url.secretNames + headers.flatMap(\.value.secretNames)
            + (basicAuth.map { $0.user.secretNames + $0.password.secretNames } ?? [])
        switch body {
        case .raw(let template): names += template.secretNames
        case .json(let body): names += body.secretNames
        case nil: break
        }
        return names
    }
}

public struct HealthCheck: Sendable {
    public var name: String
    public var url: Template
    public var headers: [HTTPAction.Header]
    public var condition: Condition
    public var timeoutMilliseconds: Int64
    /// How long to wait before checking again after a failure, if not the target's default.
    public var intervalMilliseconds: Int64?
    /// A PEM bundle to trust for this check instead of the system's.
    public var caFile: String?
}

public struct TargetConfig: Sendable {
    public var name: String
    /// What people call it in announcements ("Shop (Europe)"); the name when not given.
    public var displayName: String?
    public var file: String
    public var timezone: TimeZone
    public var tags: [String]
    public var offPeak: [OffPeakRule]
    /// How it is switched: one of `DriverRegistry.kinds`.
    public var driver: any Driver
    /// How often the real state is read during a window, to re-assert maintenance if it drifted.
    public var probeIntervalMilliseconds: Int64
    public var health: [HealthCheck]
    public var healthTimeoutMilliseconds: Int64

    /// Called at each notice offset, for the platform's own banner ahead of maintenance.
    public var notice: HTTPAction? { driver.noticeAction }
}

public struct ChannelConfig: Sendable {
    /// A channel's own wording for one event; either part may be left to the default.
    public struct Wording: Sendable {
        public var subject: Template?
        public var body: Template?
    }

    public var name: String
    public var file: String
    /// Its kind, one of `ChannelRegistry.kinds`, with the kind's own settings.
    public var kind: any Channel
    /// The events it is told of (`*` in the file: all of them).
    public var events: Set<AnnouncementEvent>
    public var timezone: TimeZone
    /// Attempts before a delivery is dead.
    public var attempts: Int
    /// Wording by event; `*` in the file, for every event not named, is `allEvents`.
    public var templates: [AnnouncementEvent: Wording]
    public var allEvents: Wording?

    public func wants(_ event: AnnouncementEvent) -> Bool { events.contains(event) }

    public var secretNames: [String] { kind.secretNames }
}

public struct PageFields: Sendable, Equatable, Codable {
    public var bypassUrl: String?
    public var buttonText: String?
    public var imageUrl: String?
    public var icon: String?

    public init(bypassUrl: String? = nil, buttonText: String? = nil, imageUrl: String? = nil, icon: String? = nil) {
        self.bypassUrl = bypassUrl
        self.buttonText = buttonText
        self.imageUrl = imageUrl
        self.icon = icon
    }

    public static let keys: Set<String> = ["bypassUrl", "buttonText", "imageUrl", "icon"]

    /// What `bypassUrl` and `imageUrl` may be: an http or https URL, or a path on the site.
    public static func isLink(_ url: String) -> Bool {
        url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("/")
    }
}

public struct WindowConfig: Sendable {
    public enum Start: Sendable, Equatable {
        case instant(Date)
        /// `+1m`: counted from the moment the window is first stored, fixed after that.
        case relative(Int64)
        /// A wall-clock time, read in each zone the window uses (recurrences, `timezone: "target"`).
        case local(CivilDateTime)
        /// `03:00` with a recurrence: the rule alone picks the days.
        case timeOfDay(Int)
    }

    public enum End: Sendable, Equatable {
        case duration(Int64)
        case instant(Date)
    }

    public enum Zone: Sendable {
        case fixed(TimeZone)
        /// Each target's own zone: one rule, each site in its own local time.
        case target
    }

    public var name: String
    public var file: String
    public var headline: String
    public var message: String
    public var selectors: [String]
    /// Target names the selectors resolve to, in file order, each once.
    public var targets: [String]
    public var start: Start
    public var end: End
    public var zone: Zone
    public var recurrence: RecurrenceRule?
    public var notices: [Int64]
    public var channels: [String]
    public var page: PageFields
    public var healthTimeoutMilliseconds: Int64?
    /// `force: true`: planned even over a freeze or another window.
    public var force = false
    /// Each target's stage (`order`): absent means stage 0, all in parallel.
    public var stages: [String: Int] = [:]
    public var onFailure = StageFailure.halt
    /// At most this many requests in flight for the window.
    public var maxParallel: Int?
    public var onHealthFailure = HealthFailure.alert

    /// The zone named for display and storage: the fixed zone, or UTC for per-target windows.
    public var timezone: TimeZone {
        if case .fixed(let zone) = zone { return zone }
        return TimeZone(identifier: "UTC") ?? .current
    }

    /// The start and end instants of a one-off window in a fixed zone, given when it was first stored.
    public func instants(storedAt: Date) -> (start: Date, end: Date) {
        let start: Date
        switch self.start {
        case .instant(let date): start = date
        case .relative(let milliseconds): start = storedAt.addingTimeInterval(Double(milliseconds) / 1000)
        case .local(let local): start = TimeText.instant(local, zone: timezone) ?? storedAt
        case .timeOfDay: start = storedAt
        }
        return (start, end(after: start))
    }

    func end(after start: Date) -> Date {
        switch end {
        case .duration(let milliseconds): return start.addingTimeInterval(Double(milliseconds) / 1000)
        case .instant(let date): return date
        }
    }
}

/// A period in which no planned window may touch the given targets.
public struct Freeze: Sendable {
    public var name: String
    public var file: String
    public var start: Date
    public var end: Date
    public var timezone: TimeZone
    public var selectors: [String]
    public var targets: [String]

    public func overlaps(_ start: Date, _ end: Date) -> Bool { start < self.end && self.start < end }

    /// `black-friday (2026-11-27 00:00 EST (-05:00) to 2026-11-30 23:59 EST (-05:00))`
    public var summary: String {
        "\(name) (\(TimeText.local(start, zone: timezone)) to \(TimeText.local(end, zone: timezone)))"
    }
}

/// Everything the schedule files define, merged.
public struct Schedule: Sendable {
    /// Whole definitions by name: every target read from the files. A daemon lets go of them once
    /// they are stored (`letGoOfTargetDefinitions`) and reads one back when a window needs it.
    public var targets: [String: TargetConfig] = [:]
    /// Every target the files define, by name: kept when the definitions are let go. Empty when
    /// the schedule is the daemon's stored copy (`ScheduleOrigin.stored`).
    public private(set) var targetSummaries: [String: TargetSummary] = [:]
    public var channels: [String: ChannelConfig] = [:]
    public var windows: [String: WindowConfig] = [:]
    public var freezes: [String: Freeze] = [:]
    /// The control API on TCP, when a file asks for it.
    public var api: APIConfig?

    /// Each of `targets` that a freeze covers during the period, with the first such freeze.
    public func frozen(_ start: Date, _ end: Date, targets: [String]) -> [(target: String, freeze: Freeze)] {
        targets.compactMap { target in freeze(overlapping: start, end, targets: [target]).map { (target, $0.0) } }
    }

    /// The first freeze of one of `targets` that overlaps the period.
    public func freeze(overlapping start: Date, _ end: Date, targets: [String]) -> (Freeze, String)? {
        for name in freezes.keys.sorted() {
            guard let freeze = freezes[name], freeze.overlaps(start, end),
                  let target = targets.first(where: freeze.targets.contains) else { continue }
            return (freeze, target)
        }
        return nil
    }
    public var files: [String] = []
    /// Every secret the files name; what leaves a request is cleared of all of them.
    public var secretNames: [String] = []
    public var origin = ScheduleOrigin.files
    /// What reads well but will not happen as written (`ScheduleReader.warnAboutThePast`).
    public var warnings: [ScheduleIssue] = []
    /// The targets, channels and api section as JSON text, with the files' stamp, when the
    /// loader was asked to keep them (a daemon stores them, then lets go).
    public var definitions: [StoredDefinition] = []
    public var stamp: String?

    public init() {}

    /// Summarizes every target read, once they all are: so that the summaries lie together in
    /// memory, not among the definitions a daemon lets go of (they kept 13 MB resident there).
    mutating func summarizeTargets() {
        targetSummaries = targets.mapValues(TargetSummary.init)
    }

    /// Keeps only each target's summary; whole definitions are read back one by one.
    public mutating func letGoOfTargetDefinitions() {
        targets = [:]
    }

    /// Each target's zone, for expanding occurrences.
    public var targetZones: [String: TimeZone] { targetSummaries.mapValues(\.timezone) }

    /// Target names a selector list picks: names as they are, `tag:NAME` for every target with that tag.
    public func resolve(_ selectors: [String]) -> (targets: [String], unknown: [String]) {
        var names: [String] = []
        var unknown: [String] = []
        for selector in selectors {
            if selector.hasPrefix("tag:") {
                let tag = String(selector.dropFirst(4))
                let tagged = targetSummaries.filter { $0.value.tags.contains(tag) }.map(\.key).sorted()
                if tagged.isEmpty { unknown.append(selector) }
                names += tagged
            } else if targetSummaries[selector] != nil {
                names.append(selector)
            } else {
                unknown.append(selector)
            }
        }
        var seen = Set<String>()
        return (names.filter { seen.insert($0).inserted }, unknown)
    }
}
