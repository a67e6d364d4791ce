import Foundation

/// What storing one occurrence of a schedule file's window comes to, decided from values: the
/// occurrence, its definition, the freezes over its targets, what is stored under its id, and the
/// instant. The engine writes the plan in one transaction.
public struct OccurrencePlan: Sendable {
    public enum Action: Sendable, Equatable {
        /// Stored as written already, or added by hand: nothing to do.
        case none
        /// Changed in the file after it started: it keeps what it started with.
        case keep(WindowState)
        case insert
        /// Not started yet, and changed (or a freeze over it came or went): planned again.
        case replan
    }

    public var action: Action
    /// The window as stored: `scheduled`, or `skipped` (defined after its start), or `canceled`
    /// (every target frozen).
    public var record: WindowRecord
    /// Its targets and their stages, without the frozen ones.
    public var targets: [String]
    public var stages: [String: Int]
    public var notices: [NoticeRecord]
    public var events: [WindowStep.Event] = []
    /// A new one-off window is announced `scheduled`; a recurring one by its notices.
    public var announcesScheduled = false
    public var notes: [WindowStep.Note] = []

    /// Plans `occurrence` of `config` at `now`. `frozen` are its targets within a freeze, with the
    /// freeze; `zone` the zone it is shown in. (`Schedule.plan` finds both.)
    static func plan(_ occurrence: Occurrence, of config: WindowConfig, frozen: [(target: String, freeze: Freeze)], zone: TimeZone,
                     existing: StoredOccurrence?, now: Int64) -> OccurrencePlan {
        // The freezes that cover some of its targets are part of what was planned: a freeze added
        // or lifted re-plans an occurrence that has not started.
        let fingerprint = frozen.isEmpty ? config.fingerprint
            : config.fingerprint + "\u{1F}frozen:" + frozen.map { "\($0.target)=\($0.freeze.name)" }.joined(separator: ",")
        var record = WindowRecord(
            id: occurrence.id, origin: .file, sourceFile: config.file, headline: config.headline, message: config.message,
            page: config.page, selectors: config.selectors, channels: config.channels, timezone: zone.identifier,
            startAt: occurrence.start.epochMilliseconds, endAt: occurrence.end.epochMilliseconds,
            healthTimeoutMilliseconds: config.healthTimeoutMilliseconds, state: .scheduled, fingerprint: fingerprint,
            createdAt: existing?.createdAt ?? now, updatedAt: now, series: config.name,
            onFailure: config.onFailure, maxParallel: config.maxParallel)
        record.onHealthFailure = config.onHealthFailure
        let notices = config.notices.map { NoticeRecord(windowId: occurrence.id, offsetMilliseconds: $0, dueAt: record.startAt - $0, state: .pending) }
        var plan = OccurrencePlan(action: existing == nil ? .insert : .replan, record: record, targets: occurrence.targets,
                                  stages: occurrence.stages, notices: notices)
        func event(_ kind: String, target: String? = nil, _ message: String) {
            plan.events.append(WindowStep.Event(window: occurrence.id, target: target, kind: kind, message: message))
        }
        if let existing, existing.fingerprint == fingerprint || existing.origin != .file {
            plan.action = .none
            return plan
        }
        if let existing, existing.state != .scheduled {
            plan.action = .keep(existing.state)
            plan.notes.append(.init(severity: .notice, text: "window \(occurrence.id) changed in \(config.file), but it is \(existing.state) already; the change is not applied"))
            return plan
        }
        let dropped = notices.map { var notice = $0; notice.state = .skipped; return notice }
        // An occurrence that has begun before its definition was first stored switches nothing:
        // it is recorded as skipped, and the next one is planned. (Catch-up after the daemon's own
        // downtime is for windows stored before their start.)
        if existing == nil && record.startAt < now {
            let over = record.endAt.map { $0 <= now } ?? false
            plan.record.state = .skipped
            plan.notices = dropped
            event("window.skipped", "defined after its \(over ? "end" : "start") (\(TimeText.local(occurrence.start, zone: zone))); nothing is switched"
                    + (config.recurrence == nil ? "" : "; the next occurrence is planned"))
            plan.notes.append(.init(severity: .notice, text: "window \(occurrence.id): skipped, defined after its \(over ? "end" : "start")"))
            return plan
        }
        // A recurring window leaves out the targets a freeze covers (a one-off one is refused at
        // load); the other targets keep the occurrence. Only when every target is frozen is the
        // occurrence canceled.
        if !frozen.isEmpty && frozen.count == occurrence.targets.count {
            let summary = frozen.map { "\($0.target) (\($0.freeze.name))" }.joined(separator: ", ")
            plan.record.state = .canceled
            plan.notices = existing == nil ? dropped : []
            plan.stages = existing == nil ? occurrence.stages : [:]
            event("window.canceled", "skipped: the freeze \(frozen[0].freeze.summary) covers every target: \(summary)")
            plan.notes.append(.init(severity: .notice, text: "window \(occurrence.id): skipped, every target frozen: \(summary)"))
            return plan
        }
        let frozenNames = Set(frozen.map(\.target))
        plan.targets.removeAll { frozenNames.contains($0) }
        plan.stages = occurrence.stages.filter { !frozenNames.contains($0.key) }
        if existing == nil {
            event("window.planned", "planned from \(config.file)" + (config.recurrence.map { " (\($0.source))" } ?? "") + ": \(plan.targets.joined(separator: ", "))")
            plan.announcesScheduled = now < record.startAt && config.recurrence == nil
        } else {
            event("window.replanned", "re-planned from \(config.file)")
        }
        for (target, freeze) in frozen {
            plan.notes.append(.init(severity: .notice, text: "window \(occurrence.id): \(target) left out, within the freeze \(freeze.name)"))
            event("target.frozen", target: target, "left out of this occurrence: the freeze \(freeze.summary) covers \(target)")
        }
        plan.notes.append(.init(severity: .info, text: "window \(occurrence.id): \(existing == nil ? "planned" : "re-planned") for \(TimeText.local(occurrence.start, zone: zone))"))
        return plan
    }
}

/// What planning an occurrence needs of the window stored under its id: little enough to read
/// for every definition at each start without decoding whole windows.
public struct StoredOccurrence: Sendable, Equatable {
    public var origin: WindowOrigin
    public var state: WindowState
    public var fingerprint: String?
    public var createdAt: Int64

    public init(origin: WindowOrigin, state: WindowState, fingerprint: String?, createdAt: Int64) {
        self.origin = origin
        self.state = state
        self.fingerprint = fingerprint
        self.createdAt = createdAt
    }

    public init(_ window: WindowRecord) {
        self.init(origin: window.origin, state: window.state, fingerprint: window.fingerprint, createdAt: window.createdAt)
    }
}

extension Schedule {
    /// How `occurrence` of `config` is stored at `now`, given what is stored under its id: with
    /// the freezes over its targets, shown in its zone (a per-target window: its first target's).
    public func plan(_ occurrence: Occurrence, of config: WindowConfig, existing: StoredOccurrence?, now: Date) -> OccurrencePlan {
        let zone: TimeZone = {
            if case .fixed(let fixed) = config.zone { return fixed }
            return occurrence.targets.first.flatMap { targetSummaries[$0]?.timezone } ?? config.timezone
        }()
        let frozen = config.force ? [] : self.frozen(occurrence.start, occurrence.end, targets: occurrence.targets)
        return OccurrencePlan.plan(occurrence, of: config, frozen: frozen, zone: zone, existing: existing, now: now.epochMilliseconds)
    }

    /// Every occurrence of the files' windows that starts from `from` (not before `now`) through
    /// `through`, as it would be stored: for listing beyond what the daemon has stored so far.
    public func forecast(from: Date, through: Date, now: Date) -> [OccurrencePlan] {
        let from = max(from, now)
        guard from <= through else { return [] }
        let zones = targetZones
        var plans: [OccurrencePlan] = []
        for name in windows.keys.sorted() {
            guard let config = windows[name] else { continue }
            for occurrence in config.occurrences(targetZones: zones, storedAt: now, from: from, through: through)
            where occurrence.start >= from && occurrence.start <= through {
                plans.append(plan(occurrence, of: config, existing: nil, now: now))
            }
        }
        return plans.sorted { ($0.record.startAt, $0.record.id) < ($1.record.startAt, $1.record.id) }
    }
}

extension WindowConfig {
    /// Everything written of the definition: a stored occurrence whose fingerprint differs was edited.
    public var fingerprint: String {
        var parts: [String] = [headline, message, selectors.joined(separator: ","),
                               notices.map(String.init).joined(separator: ","), channels.joined(separator: ","),
                               targets.joined(separator: ","), String(healthTimeoutMilliseconds ?? -1),
                               StoredJSON.text(page), recurrence?.source ?? "",
                               StoredJSON.text(stages), onFailure.rawValue, String(maxParallel ?? 0),
                               onHealthFailure.rawValue]
        switch zone {
        case .fixed(let zone): parts.append(zone.identifier)
        case .target: parts.append("target")
        }
        switch start {
        case .instant(let date): parts.append("at:\(date.epochMilliseconds)")
        case .relative(let offset): parts.append("in:\(offset)")
        case .local(let local): parts.append("local:\(local)")
        case .timeOfDay(let seconds): parts.append("daily:\(seconds)")
        }
        switch end {
        case .instant(let date): parts.append("until:\(date.epochMilliseconds)")
        case .duration(let length): parts.append("for:\(length)")
        }
        return parts.joined(separator: "\u{1F}")
    }
}
