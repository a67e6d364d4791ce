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
        let fingerprint = Self.fingerprint(config)
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
            try syncOccurrence(occurrence, config: config, fingerprint: fingerprint, now: now)
        }
        // Occurrences an edited rule no longer produces.
        let produced = Set(occurrences.map(\.id))
        let lastProduced = occurrences.map { Self.milliseconds($0.start) }.max() ?? nowMs
        for stale in try store.scheduledWindows(series: name) where !produced.contains(stale.id) && stale.startAt <= lastProduced && stale.id != name {
            try close(stale, as: .canceled, reason: "no longer an occurrence of \(name) after \(config.file) changed", now: now)
        }
    }

    func syncOccurrence(_ occurrence: Occurrence, config: WindowConfig, fingerprint: String, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        // The freezes that cover some of its targets are part of what was planned: a freeze added
        // or lifted re-plans an occurrence that has not started.
        let frozen = config.force ? [] : schedule.frozen(occurrence.start, occurrence.end, targets: occurrence.targets)
        let fingerprint = frozen.isEmpty ? fingerprint
            : fingerprint + "\u{1F}frozen:" + frozen.map { "\($0.target)=\($0.freeze.name)" }.joined(separator: ",")
        let existing = try store.window(occurrence.id)
        if let existing, existing.fingerprint == fingerprint || existing.origin != .file { return }
        if let existing, existing.state != .scheduled {
            log(.notice, "window \(occurrence.id) changed in \(config.file), but it is \(existing.state) already; the change is not applied")
            return
        }
        let zone: TimeZone = {
            if case .fixed(let fixed) = config.zone { return fixed }
            return occurrence.targets.first.flatMap { schedule.targets[$0]?.timezone } ?? config.timezone
        }()
        var record = WindowRecord(
            id: occurrence.id, origin: .file, sourceFile: config.file, headline: config.headline, message: config.message,
            page: config.page, selectors: config.selectors, channels: config.channels, timezone: zone.identifier,
            startAt: Self.milliseconds(occurrence.start), endAt: Self.milliseconds(occurrence.end),
            healthTimeoutMilliseconds: config.healthTimeoutMilliseconds, state: .scheduled, fingerprint: fingerprint,
            createdAt: existing?.createdAt ?? nowMs, updatedAt: nowMs, series: config.name,
            onFailure: config.onFailure, maxParallel: config.maxParallel)
        record.onHealthFailure = config.onHealthFailure
        let notices = config.notices.map {
            NoticeRecord(windowId: occurrence.id, offsetMilliseconds: $0, dueAt: record.startAt - $0, state: .pending)
        }
        // An occurrence that has begun before its definition was first stored switches nothing:
        // it is recorded as skipped, and the next one is planned. (Catch-up after the daemon's own
        // downtime is for windows stored before their start.)
        if existing == nil && occurrence.start < now {
            var skipped = record
            skipped.state = .skipped
            let over = occurrence.end <= now
            try store.transaction {
                try store.insertWindow(skipped, targets: occurrence.targets, stages: occurrence.stages,
                                       notices: notices.map { var n = $0; n.state = .skipped; return n })
                try store.appendEvent(at: nowMs, window: occurrence.id, kind: "window.skipped",
                                      message: "defined after its \(over ? "end" : "start") (\(TimeText.local(occurrence.start, zone: zone))); nothing is switched"
                                        + (config.recurrence == nil ? "" : "; the next occurrence is planned"))
            }
            log(.notice, "window \(occurrence.id): skipped, defined after its \(over ? "end" : "start")")
            return
        }
        // A recurring window leaves out the targets a freeze covers (a one-off one is refused at
        // load); the other targets keep the occurrence. Only when every target is frozen is the
        // occurrence canceled.
        var occurrence = occurrence
        if !frozen.isEmpty && frozen.count == occurrence.targets.count {
            var skipped = record
            skipped.state = .canceled
            let summary = frozen.map { "\($0.target) (\($0.freeze.name))" }.joined(separator: ", ")
            try store.transaction {
                if existing == nil {
                    try store.insertWindow(skipped, targets: occurrence.targets, stages: occurrence.stages,
                                           notices: notices.map { var n = $0; n.state = .skipped; return n })
                } else {
                    try store.replanWindow(record, targets: occurrence.targets, notices: [])
                    try store.setWindowState(record.id, .canceled, at: nowMs)
                    try store.skipPendingNotices(of: record.id)
                }
                try store.appendEvent(at: nowMs, window: occurrence.id, kind: "window.canceled",
                                      message: "skipped: the freeze \(frozen[0].freeze.summary) covers every target: \(summary)")
            }
            log(.notice, "window \(occurrence.id): skipped, every target frozen: \(summary)")
            return
        }
        let frozenNames = Set(frozen.map(\.target))
        occurrence.targets.removeAll { frozenNames.contains($0) }
        occurrence.stages = occurrence.stages.filter { !frozenNames.contains($0.key) }
        for (target, freeze) in frozen {
            log(.notice, "window \(occurrence.id): \(target) left out, within the freeze \(freeze.name)")
        }
        try store.transaction {
            if existing == nil {
                try store.insertWindow(record, targets: occurrence.targets, stages: occurrence.stages, notices: notices)
                try store.appendEvent(at: nowMs, window: occurrence.id, kind: "window.planned",
                                      message: "planned from \(config.file)" + (config.recurrence.map { " (\($0.source))" } ?? "")
                                        + ": \(occurrence.targets.joined(separator: ", "))")
                // A recurring window is announced by its notices, not once per occurrence.
                if nowMs < record.startAt && config.recurrence == nil { try enqueue(.scheduled, window: record, now: now) }
            } else {
                try store.replanWindow(record, targets: occurrence.targets, stages: occurrence.stages, notices: notices)
                try store.appendEvent(at: nowMs, window: occurrence.id, kind: "window.replanned", message: "re-planned from \(config.file)")
            }
            for (target, freeze) in frozen {
                try store.appendEvent(at: nowMs, window: occurrence.id, target: target, kind: "target.frozen",
                                      message: "left out of this occurrence: the freeze \(freeze.summary) covers \(target)")
            }
        }
        log(.info, "window \(occurrence.id): \(existing == nil ? "planned" : "re-planned") for \(TimeText.local(occurrence.start, zone: zone))")
    }

    static func fingerprint(_ config: WindowConfig) -> String {
        var parts: [String] = [config.headline, config.message, config.selectors.joined(separator: ","),
                               config.notices.map(String.init).joined(separator: ","), config.channels.joined(separator: ","),
                               config.targets.joined(separator: ","), String(config.healthTimeoutMilliseconds ?? -1),
                               MaintenanceStore.encode(config.page), config.recurrence?.source ?? "",
                               MaintenanceStore.encode(config.stages), config.onFailure.rawValue, String(config.maxParallel ?? 0),
                               config.onHealthFailure.rawValue]
        switch config.zone {
        case .fixed(let zone): parts.append(zone.identifier)
        case .target: parts.append("target")
        }
        switch config.start {
        case .instant(let date): parts.append("at:\(milliseconds(date))")
        case .relative(let offset): parts.append("in:\(offset)")
        case .local(let local): parts.append("local:\(local)")
        case .timeOfDay(let seconds): parts.append("daily:\(seconds)")
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
