import Foundation
import MaintCore
import MaintStore

extension Engine {
    /// Stores a window asked for on the command line and returns its id.
    public func addWindow(_ request: WindowRequest, now: Date) throws -> String {
        let resolved = schedule.resolve(request.selectors)
        if !resolved.unknown.isEmpty {
            throw CommandRefusal(.input, "unknown target(s): \(resolved.unknown.joined(separator: ", ")); defined: \(schedule.targets.keys.sorted().joined(separator: ", "))")
        }
        guard !resolved.targets.isEmpty else { throw CommandRefusal(.input, "no target given") }
        let channels = request.channels ?? schedule.channels.keys.sorted()
        if let unknown = channels.first(where: { schedule.channels[$0] == nil }) {
            throw CommandRefusal(.input, "unknown channel \"\(unknown)\"")
        }
        if let end = request.end, end <= request.start { throw CommandRefusal(.input, "the end is not after the start") }
        for message in [request.headline, request.message] {
            do {
                if !(try Template(parsing: message)).secretNames.isEmpty {
                    throw CommandRefusal(.input, "secrets cannot be used in a headline or message")
                }
            } catch let error as Template.ParseError {
                throw CommandRefusal(.input, "in the message: \(error.message)")
            }
        }
        // An emergency is never refused; a planned window is, over a freeze or another window.
        if !request.emergency && !request.force {
            let end = request.end ?? request.start.addingTimeInterval(86_400)
            if let (freeze, target) = schedule.freeze(overlapping: request.start, end, targets: resolved.targets) {
                throw CommandRefusal(.input, "overlaps the freeze \(freeze.summary) on \(target); choose another time, or add --force")
            }
            if let (other, target) = try overlappingWindow(request.start, end, targets: resolved.targets) {
                throw CommandRefusal(.input, "overlaps window \(other.id) (\(other.state), \(TimeText.local(Self.date(other.startAt), zone: request.timezone))) on \(target); choose another time, or add --force")
            }
        }
        let nowMs = Self.milliseconds(now)
        let stamp = TimeText.rfc3339(now).filter { $0.isNumber }.prefix(14)
        let id = (request.emergency ? "now-" : "win-") + stamp + "-" + UUID().uuidString.prefix(4).lowercased()
        let record = WindowRecord(
            id: id, origin: "cli", sourceFile: nil, headline: request.headline, message: request.message, page: PageFields(),
            selectors: request.selectors, channels: channels, timezone: request.timezone.identifier,
            startAt: Self.milliseconds(request.start), endAt: request.end.map(Self.milliseconds), healthTimeoutMilliseconds: nil,
            state: "scheduled", fingerprint: nil, createdAt: nowMs, updatedAt: nowMs)
        let notices = request.notices.map { NoticeRecord(windowId: id, offsetMilliseconds: $0, dueAt: record.startAt - $0, state: "pending") }
        try store.transaction {
            try store.insertWindow(record, targets: resolved.targets, notices: notices)
            try store.appendEvent(at: nowMs, window: id, kind: "window.planned",
                                  message: "\(request.emergency ? "emergency window" : "planned") from the command line: \(resolved.targets.joined(separator: ", "))")
            if !request.emergency && nowMs < record.startAt { try enqueue("scheduled", window: record, now: now) }
        }
        return id
    }

    /// An open window (planned or running) that shares a target with the period and overlaps it.
    func overlappingWindow(_ start: Date, _ end: Date, targets: [String]) throws -> (WindowRecord, String)? {
        let startMs = Self.milliseconds(start), endMs = Self.milliseconds(end)
        for window in try store.openWindows() where window.startAt < endMs && (window.endAt ?? Int64.max) > startMs {
            if let target = try store.targets(of: window.id).map(\.target).first(where: targets.contains) { return (window, target) }
        }
        // The schedule files' windows count even before a daemon has stored them.
        let zones = schedule.targets.mapValues(\.timezone)
        for name in schedule.windows.keys.sorted() {
            guard let config = schedule.windows[name] else { continue }
            let longest: TimeInterval = { if case .duration(let length) = config.end { return Double(length) / 1000 } else { return 0 } }()
            for occurrence in config.occurrences(targetZones: zones, storedAt: Date(), from: start.addingTimeInterval(-longest), through: end)
            where occurrence.start < end && occurrence.end > start {
                guard try store.window(occurrence.id).map({ !$0.isTerminal }) ?? true,
                      let target = occurrence.targets.first(where: targets.contains) else { continue }
                let record = WindowRecord(id: occurrence.id, origin: "file", sourceFile: config.file, headline: config.headline,
                                          message: config.message, page: config.page, selectors: config.selectors, channels: config.channels,
                                          timezone: config.timezone.identifier, startAt: Self.milliseconds(occurrence.start),
                                          endAt: Self.milliseconds(occurrence.end), healthTimeoutMilliseconds: nil, state: "scheduled",
                                          fingerprint: nil, createdAt: 0, updatedAt: 0, series: name)
                return (record, target)
            }
        }
        return nil
    }

    /// Ends a running window now: the next step deactivates, verifies and announces.
    public func endWindow(_ id: String, now: Date) throws {
        guard let window = try store.window(id) else { throw CommandRefusal(.input, "no window \"\(id)\"") }
        switch window.state {
        case "activating", "active":
            let nowMs = Self.milliseconds(now)
            try store.transaction {
                try store.setWindowEnd(id, endAt: nowMs, at: nowMs)
                try store.appendEvent(at: nowMs, window: id, kind: "window.end-requested", message: "end requested from the command line")
            }
        case "scheduled":
            throw CommandRefusal(.state, "window \(id) has not started; to drop it, run `maint cancel \(id)`")
        case "deactivating", "verifying":
            break
        default:
            throw CommandRefusal(.state, "window \(id) is already over (\(window.state))")
        }
    }

    /// Moves a window's end. A running window's targets are told the new end (their activate
    /// request again, carrying `{{end}}` and `{{retryAfter}}`); `extended` is announced.
    public func extendWindow(_ id: String, until end: Date, now: Date) throws {
        let window = try changeableWindow(id, verb: "extend")
        let endMs = Self.milliseconds(end)
        guard endMs > window.startAt, endMs > Self.milliseconds(now) else {
            throw CommandRefusal(.input, "the new end \(TimeText.local(end, zone: TimeZone(identifier: window.timezone) ?? .current)) is not after the start and now")
        }
        try change(window, now: now, event: "extended", message: "end moved to \(TimeText.rfc3339(end))") {
            try store.setWindowEnd(id, endAt: endMs, at: Self.milliseconds(now))
        }
    }

    /// Changes a window's message. A running window's targets are told it; `updated` is announced.
    public func updateMessage(_ id: String, message: String, now: Date) throws {
        let window = try changeableWindow(id, verb: "update")
        do {
            if !(try Template(parsing: message)).secretNames.isEmpty { throw CommandRefusal(.input, "secrets cannot be used in a message") }
        } catch let error as Template.ParseError {
            throw CommandRefusal(.input, "in the message: \(error.message)")
        }
        try change(window, now: now, event: "updated", message: "message changed") {
            try store.setWindowMessage(id, message, at: Self.milliseconds(now))
        }
    }

    func changeableWindow(_ id: String, verb: String) throws -> WindowRecord {
        guard let window = try store.window(id) else { throw CommandRefusal(.input, "no window \"\(id)\"") }
        switch window.state {
        case "scheduled", "activating", "active": return window
        case "deactivating", "verifying": throw CommandRefusal(.state, "window \(id) is already ending (\(window.state)); nothing to \(verb)")
        default: throw CommandRefusal(.state, "window \(id) is over (\(window.state)); nothing to \(verb)")
        }
    }

    /// Applies a change in one transaction with its log entry, its announcement, and, for a
    /// running window, the refresh of its targets.
    func change(_ window: WindowRecord, now: Date, event: String, message: String, apply: () throws -> Void) throws {
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try apply()
            if window.state != "scheduled" {
                for var target in try store.targets(of: window.id) where target.state == "active" || target.state == "refreshing" {
                    target.state = "refreshing"
                    target.attempts = 0
                    target.nextAttemptAt = nowMs
                    try store.saveTarget(target)
                }
            }
            try store.appendEvent(at: nowMs, window: window.id, kind: "window.\(event)", message: message + " from the command line")
            if let updated = try store.window(window.id) { try enqueue(event, window: updated, now: now) }
        }
    }

    /// Cancels a window that has not started, and announces it.
    public func cancelWindow(_ id: String, now: Date) throws {
        guard let window = try store.window(id) else { throw CommandRefusal(.input, "no window \"\(id)\"") }
        guard window.state == "scheduled" else {
            throw CommandRefusal(.state, window.isTerminal
                ? "window \(id) is already over (\(window.state))"
                : "window \(id) has started (\(window.state)); to end it now, run `maint end \(id)`")
        }
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try store.setWindowState(id, "canceled", at: nowMs)
            try store.skipPendingNotices(of: id)
            try store.appendEvent(at: nowMs, window: id, kind: "window.canceled", message: "canceled from the command line")
            try enqueue("canceled", window: window, now: now)
        }
    }
}
