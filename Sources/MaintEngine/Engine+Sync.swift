import Foundation
import MaintCore
import MaintStore

extension Engine {
    /// Brings the windows of the schedule files into the database: new ones are planned (and
    /// announced as `scheduled`); edited ones that have not started are re-planned. Windows that
    /// started keep what they started with. A window removed from the files is not canceled
    /// silently: the log says how to cancel it.
    public func sync(now: Date) throws {
        let nowMs = Self.milliseconds(now)
        for (name, config) in schedule.windows.sorted(by: { $0.key < $1.key }) {
            let fingerprint = Self.fingerprint(config)
            let existing = try store.window(name)
            if let existing, existing.fingerprint == fingerprint || existing.origin != "file" { continue }
            if let existing, existing.state != "scheduled" {
                log(.notice, "window \(name) changed in \(config.file), but it is \(existing.state) already; the change is not applied")
                continue
            }
            var (start, end) = config.instants(storedAt: now)
            if let existing, case .relative = config.start {
                // A relative start is fixed when first stored.
                start = Self.date(existing.startAt)
                if case .duration(let milliseconds) = config.end { end = start.addingTimeInterval(Double(milliseconds) / 1000) }
            }
            let record = WindowRecord(
                id: name, origin: "file", sourceFile: config.file, headline: config.headline, message: config.message,
                page: config.page, selectors: config.selectors, channels: config.channels, timezone: config.timezone.identifier,
                startAt: Self.milliseconds(start), endAt: Self.milliseconds(end), healthTimeoutMilliseconds: config.healthTimeoutMilliseconds,
                state: "scheduled", fingerprint: fingerprint, createdAt: existing?.createdAt ?? nowMs, updatedAt: nowMs)
            let notices = config.notices.map {
                NoticeRecord(windowId: name, offsetMilliseconds: $0, dueAt: record.startAt - $0, state: "pending")
            }
            try store.transaction {
                if existing == nil {
                    try store.insertWindow(record, targets: config.targets, notices: notices)
                    try store.appendEvent(at: nowMs, window: name, kind: "window.planned",
                                          message: "planned from \(config.file): \(config.targets.joined(separator: ", "))")
                    if nowMs < record.startAt { try enqueue("scheduled", window: record, now: now) }
                } else {
                    try store.replanWindow(record, targets: config.targets, notices: notices)
                    try store.appendEvent(at: nowMs, window: name, kind: "window.replanned", message: "re-planned from \(config.file)")
                }
            }
            log(.info, "window \(name): \(existing == nil ? "planned" : "re-planned") for \(TimeText.local(start, zone: config.timezone))")
        }
        let fileWindows = Set(schedule.windows.keys)
        for window in try store.openWindows() where window.origin == "file" && window.state == "scheduled" && !fileWindows.contains(window.id) {
            log(.warning, "window \(window.id) is no longer in the schedule files but is still planned; run `maint cancel \(window.id)` to cancel it")
        }
    }

    static func fingerprint(_ config: WindowConfig) -> String {
        var parts: [String] = [config.headline, config.message, config.selectors.joined(separator: ","), config.timezone.identifier,
                               config.notices.map(String.init).joined(separator: ","), config.channels.joined(separator: ","),
                               config.targets.joined(separator: ","), String(config.healthTimeoutMilliseconds ?? -1),
                               MaintenanceStore.encode(config.page)]
        switch config.start {
        case .instant(let date): parts.append("at:\(milliseconds(date))")
        case .relative(let offset): parts.append("in:\(offset)")
        }
        switch config.end {
        case .instant(let date): parts.append("until:\(milliseconds(date))")
        case .duration(let length): parts.append("for:\(length)")
        }
        return parts.joined(separator: "\u{1F}")
    }

    /// The next instant something is due, leaving out work already in flight.
    public func nextDue(now: Date) throws -> Date? {
        var candidates: [Int64] = []
        if let instant = try store.nextDueInstant() { candidates.append(instant) }
        for (window, target, at) in try store.pendingTargetAttempts() where !busy.contains("a|\(window)|\(target)") && !busy.contains("h|\(window)|\(target)") {
            candidates.append(at)
        }
        for (id, at) in try store.pendingDeliveryTimes() where !busy.contains("d|\(id)") {
            candidates.append(at)
        }
        return candidates.min().map(Self.date)
    }
}
