import Foundation
import MaintCore
import MaintStore

extension Engine {
    /// Brings the windows of the schedule files into the database. Each definition becomes its
    /// occurrences (one for a one-off window) up to a horizon: new ones are planned (a one-off
    /// window is announced as `scheduled`), edited ones that have not started are re-planned,
    /// occurrences an edited rule no longer produces are canceled. Windows that started keep what
    /// they started with. A window removed from the files is not canceled silently: the log says
    /// how to cancel it.
    ///
    /// A definition that cannot be stored (a write that fails) is logged and left for the next
    /// sync; the others are stored all the same, and the daemon goes on.
    public func sync(now: Date) throws {
        var failures: [String] = []
        for name in schedule.windows.keys.sorted() {
            do {
                try syncWindow(name, now: now)
            } catch {
                failures.append(name)
                log(.error, "window \(name): cannot be stored: \(error); tried again at the next reload or start")
            }
        }
        if failures.count == schedule.windows.count && !failures.isEmpty {
            throw SyncFailure(windows: failures)
        }
        let names = Set(schedule.windows.keys)
        var reported = Set<String>()
        for window in try store.openWindows() where window.origin == .file && window.state == .scheduled {
            let name = window.series ?? window.id
            if !names.contains(name) && reported.insert(name).inserted {
                log(.warning, "window \(name) is no longer in the schedule files but \(window.id) is still planned; run `maint cancel \(window.id)` to cancel it")
            }
        }
    }

    /// How far ahead occurrences are stored: two weeks, or longer when a notice is due earlier.
    static func horizon(_ config: WindowConfig) -> Int64 {
        max(14 * 86_400_000, (config.notices.max() ?? 0) + 86_400_000)
    }

    func syncWindow(_ name: String, now: Date) throws {
        guard let config = schedule.windows[name] else { return }
        let nowMs = Self.milliseconds(now)
        let zones = schedule.targets.mapValues(\.timezone)
        let duration: Int64 = { if case .duration(let length) = config.end { return length } else { return 0 } }()
        var storedAt = now
        if case .relative = config.start, let existing = try store.window(name) {
            // A relative start is fixed when first stored.
            storedAt = Self.date(existing.createdAt)
        }
        let from = now.addingTimeInterval(-Double(duration) / 1000)
        let through = now.addingTimeInterval(Double(Self.horizon(config)) / 1000)
        var occurrences = config.occurrences(targetZones: zones, storedAt: storedAt, from: from, through: through)
        if config.recurrence != nil, !occurrences.contains(where: { $0.start > now }) {
            // Always the next one, however far: its notices must not be missed.
            let later = config.occurrences(targetZones: zones, storedAt: storedAt, from: through, through: now.addingTimeInterval(5 * 366 * 86_400))
            occurrences += later.prefix(1)
        }
        for occurrence in occurrences {
            try syncOccurrence(occurrence, config: config, now: now)
        }
        // Occurrences an edited rule no longer produces.
        let produced = Set(occurrences.map(\.id))
        let lastProduced = occurrences.map { Self.milliseconds($0.start) }.max() ?? nowMs
        for stale in try store.scheduledWindows(series: name) where !produced.contains(stale.id) && stale.startAt <= lastProduced && stale.id != name {
            try close(stale, as: .canceled, reason: "no longer an occurrence of \(name) after \(config.file) changed", now: now)
        }
    }

    /// Stores one occurrence as `OccurrencePlan` decides, in one transaction with its events.
    func syncOccurrence(_ occurrence: Occurrence, config: WindowConfig, now: Date) throws {
        let plan = schedule.plan(occurrence, of: config, existing: try store.window(occurrence.id), now: now)
        if plan.action == .insert || plan.action == .replan {
            let nowMs = Self.milliseconds(now)
            try store.transaction {
                if plan.action == .insert {
                    try store.insertWindow(plan.record, targets: plan.targets, stages: plan.stages, notices: plan.notices)
                } else {
                    try store.replanWindow(plan.record, targets: plan.targets, stages: plan.stages, notices: plan.notices)
                    if plan.record.state != .scheduled {
                        try store.setWindowState(plan.record.id, plan.record.state, at: nowMs)
                        try store.skipPendingNotices(of: plan.record.id)
                    }
                }
                for event in plan.events {
                    try store.appendEvent(at: nowMs, window: event.window, target: event.target, kind: event.kind, message: event.message)
                }
                if plan.announcesScheduled { try enqueue(.scheduled, window: plan.record, now: now) }
            }
        }
        note(plan.notes)
    }

    /// The next instant something is due, leaving out work already in flight.
    public func nextDue(now: Date) throws -> Date? {
        var candidates: [Int64] = []
        if let instant = try store.nextDueInstant() { candidates.append(instant) }
        for (window, target, at) in try store.pendingTargetAttempts()
        where !busy.switching(target) && !busy.contains(.checks(window: window, target: target)) && !busy.contains(.probe(window: window, target: target))
            && !throttled.contains(.action(window: window, target: target)) {
            candidates.append(at)
        }
        // A channel with a delivery in flight sends its next one when that one is answered.
        for pending in try store.pendingDeliveryTimes() where !busy.contains(.delivery(pending.id)) && !busyChannels.contains(pending.channel) {
            candidates.append(pending.at)
        }
        for (window, at) in doneNext where doneRounds[window] == nil { candidates.append(Self.milliseconds(at)) }
        return candidates.min().map(Self.date)
    }
}

/// Not one window of the schedule could be stored: the database does not take writes.
public struct SyncFailure: Error, CustomStringConvertible {
    public var windows: [String]
    public var description: String { "none of the \(windows.count) window(s) could be stored" }
}
