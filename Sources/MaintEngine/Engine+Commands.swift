import Foundation
import MaintCore
import MaintStore

extension Engine {
    /// The window a command names, or a refusal that quotes the name.
    func existingWindow(_ id: String) throws -> WindowRecord {
        guard let window = try store.window(id) else { throw CommandRefusal(.notFound, "no window \(Quoted(id))") }
        return window
    }

    /// Stores a window asked for on the command line and returns its id.
    public func addWindow(_ request: WindowRequest, now: Date, by actor: Actor = .commandLine) throws -> String {
        try requireFiles()
        let resolved = schedule.resolve(request.selectors)
        if !resolved.unknown.isEmpty {
            throw CommandRefusal(.input, resolved.unknown.map(schedule.unknownSelector).joined(separator: "; "))
        }
        guard !resolved.targets.isEmpty else { throw CommandRefusal(.input, "no target given") }
        let channels = request.channels ?? schedule.channels.keys.sorted()
        if let unknown = channels.first(where: { schedule.channels[$0] == nil }) {
            throw CommandRefusal(.input, "unknown channel \(Quoted(unknown))")
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
        // A planned window must lie ahead: one already over would only be announced as missed,
        // and one already begun belongs to `maint now`.
        if !request.emergency {
            if let end = request.end, end <= now {
                throw CommandRefusal(.input, "the window is already over (it ended \(TimeText.local(end, zone: request.timezone))); nothing to plan")
            }
            if request.start < now {
                throw CommandRefusal(.input, "the start \(TimeText.local(request.start, zone: request.timezone)) is past; to start maintenance now, use `maint now TARGET… --for DURATION` or `--until TIME`")
            }
        }
        let nowMs = Self.milliseconds(now)
        let stamp = TimeText.rfc3339(now).filter { $0.isNumber }.prefix(14)
        // Readable and short; a hundred windows a second through the API must still not collide.
        var id: String
        repeat {
            id = (request.emergency ? "now-" : "win-") + stamp + "-" + UUID().uuidString.prefix(6).lowercased()
        } while try store.window(id) != nil
        let record = WindowRecord(
            id: id, origin: actor.origin, sourceFile: nil, headline: request.headline, message: request.message, page: request.page,
            selectors: request.selectors, channels: channels, timezone: request.timezone.identifier,
            startAt: Self.milliseconds(request.start), endAt: request.end.map(Self.milliseconds), healthTimeoutMilliseconds: nil,
            state: .scheduled, fingerprint: nil, createdAt: nowMs, updatedAt: nowMs)
        let notices = request.notices.map { NoticeRecord(windowId: id, offsetMilliseconds: $0, dueAt: record.startAt - $0, state: .pending) }
        // The overlap check and the insert are one immediate transaction: of simultaneous
        // requests for one slot, exactly one is stored and the others see it.
        try store.transaction {
            if !request.emergency && !request.force {
                let end = request.end ?? request.start.addingTimeInterval(86_400)
                if let (freeze, target) = schedule.freeze(overlapping: request.start, end, targets: resolved.targets) {
                    throw CommandRefusal(.conflict, "overlaps the freeze \(freeze.summary) on \(target); choose another time, or add --force")
                }
                if let (other, target) = try overlappingWindow(request.start, end, targets: resolved.targets) {
                    throw CommandRefusal(.conflict, "overlaps window \(other.id) (\(other.state), \(TimeText.local(other.period.lowerBound, zone: request.timezone))) on \(target); choose another time, or add --force")
                }
            }
            try store.insertWindow(record, targets: resolved.targets, notices: notices)
            try store.appendEvent(at: nowMs, window: id, kind: "window.planned",
                                  message: "\(request.emergency ? "emergency window" : "planned") from \(actor.via): \(resolved.targets.joined(separator: ", "))",
                                  actor: actor.name)
            if !request.emergency && nowMs < record.startAt { try enqueue(.scheduled, window: record, now: now) }
        }
        return id
    }

    /// A window's claim on its targets for a period.
    public struct PlannedPeriod {
        public var id: String
        public var state: WindowState
        public var period: Range<Date>
        public var targets: [String]
    }

    /// Every open window (planned or running) that overlaps `from..<through`, and the schedule
    /// files' windows that no daemon has stored yet. An open-ended window counts as lasting a day.
    public func plannedPeriods(from: Date, through: Date) throws -> [PlannedPeriod] {
        var periods: [PlannedPeriod] = []
        for window in try store.openWindows() {
            let start = Self.date(window.startAt)
            let end = window.endAt.map(Self.date) ?? max(start, from).addingTimeInterval(86_400)
            guard start < through, end > from else { continue }
            periods.append(PlannedPeriod(id: window.id, state: window.state, period: start..<end, targets: try store.targets(of: window.id).map(\.target)))
        }
        let zones = schedule.targetZones
        for name in schedule.windows.keys.sorted() {
            guard let config = schedule.windows[name] else { continue }
            let longest: TimeInterval = { if case .duration(let length) = config.end { return Double(length) / 1000 } else { return 0 } }()
            for occurrence in config.occurrences(targetZones: zones, storedAt: Date(), from: from.addingTimeInterval(-longest), through: through)
            where occurrence.start < through && occurrence.end > from {
                guard try store.window(occurrence.id) == nil else { continue }
                periods.append(PlannedPeriod(id: occurrence.id, state: .scheduled, period: occurrence.start..<occurrence.end, targets: occurrence.targets))
            }
        }
        return periods
    }

    /// An open window that shares a target with the period and overlaps it.
    func overlappingWindow(_ start: Date, _ end: Date, targets: [String]) throws -> (PlannedPeriod, String)? {
        for planned in try plannedPeriods(from: start, through: end) {
            if let target = planned.targets.first(where: targets.contains) { return (planned, target) }
        }
        return nil
    }

    /// `maint plan`: slots for the targets, clear of their freezes and windows.
    public func planSlots(_ selectors: [String], duration: TimeInterval, within: TimeInterval, count: Int, now: Date) throws -> (targets: [TargetConfig], outcome: SlotPlanner.Outcome) {
        try requireFiles()
        let resolved = schedule.resolve(selectors)
        if !resolved.unknown.isEmpty {
            throw CommandRefusal(.input, resolved.unknown.map(schedule.unknownSelector).joined(separator: "; "))
        }
        let targets = resolved.targets.compactMap { targetConfig($0) }
        guard !targets.isEmpty else { throw CommandRefusal(.input, "no target given") }
        let through = now.addingTimeInterval(within)
        let windows = try plannedPeriods(from: now, through: through)
        let participants = targets.map { target in
            var busy: [(period: Range<Date>, reason: String)] = []
            for freeze in schedule.freezes.values where freeze.targets.contains(target.name) {
                busy.append((freeze.start..<freeze.end, "freeze \(freeze.name)"))
            }
            for window in windows where window.targets.contains(target.name) {
                busy.append((window.period, "window \(window.id)"))
            }
            return SlotPlanner.Participant(name: target.name, zone: target.timezone, offPeak: target.offPeak, busy: busy)
        }
        let planner = SlotPlanner(participants: participants, duration: duration, now: now, within: within, count: count)
        return (targets, planner.plan())
    }

    /// Ends a running window now: the next step deactivates, verifies and announces.
    public func endWindow(_ id: String, now: Date, by actor: Actor = .commandLine) throws {
        let window = try existingWindow(id)
        let nowMs = Self.milliseconds(now)
        if !window.hasBegun(at: nowMs) {
            throw CommandRefusal(.state, "window \(id) has not started; to drop it, run `maint cancel \(id)`")
        }
        switch window.state {
        case .activating, .active, .reactivating:
            try store.transaction {
                try store.setWindowEnd(id, endAt: nowMs, at: nowMs)
                try store.appendEvent(at: nowMs, window: id, kind: "window.end-requested", message: "end requested from \(actor.via)", actor: actor.name)
            }
        case .scheduled:
            throw CommandRefusal(.state, "window \(id) has not started; to drop it, run `maint cancel \(id)`")
        case .deactivating, .verifying:
            break
        case .completed, .canceled, .failed, .degraded, .missed, .skipped:
            // Already over: what was asked for holds, so a retried `end` (a CI job's cleanup
            // step run twice) succeeds and says so.
            log(.info, "window \(id): end asked for, but it is already over (\(window.state))")
        }
    }

    /// Moves a window's end. A running window's targets are told the new end (their activate
    /// request again, carrying `{{end}}` and `{{retryAfter}}`); `extended` is announced.
    public func extendWindow(_ id: String, until end: Date, now: Date, by actor: Actor = .commandLine) throws {
        let window = try changeableWindow(id, verb: "extend")
        let endMs = Self.milliseconds(end)
        guard endMs > window.startAt, endMs > Self.milliseconds(now) else {
            throw CommandRefusal(.input, "the new end \(TimeText.local(end, zone: TimeZone(identifier: window.timezone) ?? .current)) is not after the start and now")
        }
        try change(window, .end, now: now, event: .extended, message: "end moved to \(TimeText.rfc3339(end))", actor: actor) {
            try store.setWindowEnd(id, endAt: endMs, at: Self.milliseconds(now))
        }
    }

    /// Changes a window's message, its headline, or both. A running window's targets are told;
    /// `updated` is announced.
    public func updateMessage(_ id: String, message: String?, headline: String? = nil, now: Date, by actor: Actor = .commandLine) throws {
        let window = try changeableWindow(id, verb: "update")
        for (text, what) in [(message, "message"), (headline, "headline")] {
            guard let text else { continue }
            do {
                if !(try Template(parsing: text)).secretNames.isEmpty { throw CommandRefusal(.input, "secrets cannot be used in a \(what)") }
            } catch let error as Template.ParseError {
                throw CommandRefusal(.input, "in the \(what): \(error.message)")
            }
        }
        let changed = [message.map { _ in "message" }, headline.map { _ in "headline" }].compactMap { $0 }.joined(separator: " and ")
        try change(window, .text, now: now, event: .updated, message: "\(changed) changed", actor: actor) {
            let nowMs = Self.milliseconds(now)
            if let message { try store.setWindowMessage(id, message, at: nowMs) }
            if let headline { try store.setWindowHeadline(id, headline, at: nowMs) }
        }
    }

    func changeableWindow(_ id: String, verb: String) throws -> WindowRecord {
        let window = try existingWindow(id)
        switch window.state {
        case .scheduled, .activating, .active, .reactivating: return window
        case .deactivating, .verifying: throw CommandRefusal(.state, "window \(id) is already ending (\(window.state)); nothing to \(verb)")
        case .completed, .canceled, .failed, .degraded, .missed, .skipped: throw CommandRefusal(.state, "window \(id) is over (\(window.state)); nothing to \(verb)")
        }
    }

    /// Applies a change in one transaction with its log entry, its announcement, and, for a
    /// running window, the refresh of the targets whose driver shows what changed.
    func change(_ window: WindowRecord, _ change: WindowChange, now: Date, event: AnnouncementEvent, message: String, actor: Actor,
                apply: () throws -> Void) throws {
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try apply()
            try store.saveTargets(machine(now).tellAgain(try store.targets(of: window.id), of: window, refreshes: {
                targetConfig($0)?.driver.refreshes(on: change) != false
            }))
            try store.appendEvent(at: nowMs, window: window.id, kind: "window.\(event)", message: message + " from \(actor.via)", actor: actor.name)
            if let updated = try store.window(window.id) { try enqueue(event, window: updated, now: now) }
        }
    }

    /// `maint cancel SERIES`: every stored occurrence of a recurring window that has not begun is
    /// canceled and announced. Returns their ids. The definition stays in the files: occurrences
    /// beyond the stored ones are planned as they come, unless it is removed from there.
    public func cancelSeries(_ name: String, now: Date, by actor: Actor = .commandLine) throws -> [String] {
        let occurrences = try store.occurrences(ofSeries: name)
        guard !occurrences.isEmpty else { throw CommandRefusal(.notFound, "no window or recurring window \(Quoted(name))") }
        let nowMs = Self.milliseconds(now)
        var canceled: [String] = []
        for window in occurrences where !window.isTerminal && !window.hasBegun(at: nowMs) {
            try close(window, as: .canceled, reason: "canceled with its series \(name) from \(actor.via)", now: now, actor: actor)
            canceled.append(window.id)
        }
        return canceled
    }

    /// `maint skip OCCURRENCE`: one occurrence of a recurring window is left out, announced as
    /// canceled; the series goes on.
    public func skipOccurrence(_ id: String, now: Date, by actor: Actor = .commandLine) throws {
        let window = try existingWindow(id)
        // A one-off window of the files is its own series (its id is its name): not an occurrence.
        guard let series = window.series, series != window.id else {
            throw CommandRefusal(.input, "window \(id) is not an occurrence of a recurring window; to drop it, run `maint cancel \(id)`")
        }
        guard !window.hasBegun(at: Self.milliseconds(now)) else {
            throw CommandRefusal(.state, window.isTerminal ? "window \(id) is already over (\(window.state))"
                                 : "window \(id) has started (\(window.state)); to end it now, run `maint end \(id)`")
        }
        try close(window, as: .canceled, reason: "skipped from \(actor.via); the series \(series) goes on", now: now, actor: actor)
    }

    /// Cancels a window that has not started, and announces it.
    public func cancelWindow(_ id: String, now: Date, by actor: Actor = .commandLine) throws {
        let window = try existingWindow(id)
        guard !window.hasBegun(at: Self.milliseconds(now)) else {
            throw CommandRefusal(.state, window.isTerminal
                ? "window \(id) is already over (\(window.state))"
                : "window \(id) has started (\(window.state)); to end it now, run `maint end \(id)`")
        }
        try close(window, as: .canceled, reason: "canceled from \(actor.via)", now: now, actor: actor)
    }
}
