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
