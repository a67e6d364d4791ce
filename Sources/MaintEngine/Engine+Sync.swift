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
        routineNotes = (0, 0)
        defer {
            if let held = routineNotes?.held, held > 0 {
                log(.info, "… and \(held) more window(s) planned or re-planned (each in `maint log`; `maint ls` lists them)")
            }
            routineNotes = nil
        }
        var failures: [String] = []
        let names = schedule.windows.keys.sorted()
        // On a first start nothing is stored yet: each window's look-ups of what is stored under
        // its name (its occurrence, its series' planned ones) would find nothing, 100,000 times.
        let nothingStored = try !store.holdsAnyWindow()
        // Many definitions per transaction, one write to disk each batch rather than each window;
        // every definition is a savepoint of its own, so one that cannot be stored is left out alone.
        for first in stride(from: 0, to: names.count, by: Self.syncBatch) {
            let batch = names[first..<min(first + Self.syncBatch, names.count)]
            var batchFailures: [String] = []
            do {
                try store.transaction {
                    for name in batch {
                        do {
                            try store.transaction { try syncWindow(name, now: now, nothingStored: nothingStored) }
                        } catch {
                            batchFailures.append(name)
                            log(.error, "window \(name): cannot be stored: \(error); tried again at the next reload or start")
                        }
                    }
                }
                failures += batchFailures
            } catch {
                failures += batch
                log(.error, "windows \(batch.first ?? "") to \(batch.last ?? ""): cannot be stored: \(error); tried again at the next reload or start")
            }
        }
        if failures.count == schedule.windows.count && !failures.isEmpty {
            throw SyncFailure(windows: failures)
        }
        var reported = Set<String>()
        for (id, name) in try store.plannedFileWindows() where schedule.windows[name] == nil && reported.insert(name).inserted {
            log(.warning, "window \(name) is no longer in the schedule files but \(id) is still planned; run `maint cancel \(id)` to cancel it")
        }
    }

    /// Window definitions stored per transaction by `sync`.
    static let syncBatch = 2_000

    /// How far ahead occurrences are stored: two weeks, or longer when a notice is due earlier.
    static func horizon(_ config: WindowConfig) -> Int64 {
        max(14 * 86_400_000, (config.notices.max() ?? 0) + 86_400_000)
    }

    /// `nothingStored`: the database held no window when the sync began (see `sync`).
    func syncWindow(_ name: String, now: Date, nothingStored: Bool = false) throws {
        guard let config = schedule.windows[name] else { return }
        let zones = targetZones
        let duration: Int64 = { if case .duration(let length) = config.end { return length } else { return 0 } }()
        var storedAt = now
        if case .relative = config.start, !nothingStored, let existing = try store.storedOccurrence(name) {
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
            try syncOccurrence(occurrence, config: config, existing: nothingStored ? nil : try store.storedOccurrence(occurrence.id), now: now)
        }
        if nothingStored { return }
        // Occurrences an edited rule no longer produces, among those it was asked for: from one
        // still under way to the horizon (or the next one found beyond it). One that began
        // earlier is past, and is marked missed when the loop comes to it, not canceled as if
        // the files had changed; one stored later (a longer horizon then) was not looked for.
        let produced = Set(occurrences.map(\.id))
        let lookedFrom = Self.milliseconds(from)
        let lookedThrough = Self.milliseconds(occurrences.map(\.start).reduce(through, max))
        for planned in try store.plannedOccurrences(series: name)
        where !produced.contains(planned.id) && planned.startAt >= lookedFrom && planned.startAt <= lookedThrough && planned.id != name {
            guard let stale = try store.window(planned.id) else { continue }
            try close(stale, as: .canceled, reason: "no longer an occurrence of \(name) after \(config.file) changed", now: now)
        }
    }

    /// Stores one occurrence as `OccurrencePlan` decides, in one transaction with its events.
    func syncOccurrence(_ occurrence: Occurrence, config: WindowConfig, existing: StoredOccurrence?, now: Date) throws {
        let plan = schedule.plan(occurrence, of: config, existing: existing, now: now)
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
        note(plan.notes.filter { $0.severity != .info || !holdsRoutineNote() })
    }

    /// Whether a plan's routine line ("planned for …") is counted rather than logged: past the
    /// first `routineNotesPerSync` of a sync.
    func holdsRoutineNote() -> Bool {
        guard var counts = routineNotes else { return false }
        defer { routineNotes = counts }
        guard counts.logged >= Self.routineNotesPerSync else {
            counts.logged += 1
            return false
        }
        counts.held += 1
        return true
    }

    /// The next instant something is due, leaving out work already in flight.
    public func nextDue(now: Date) throws -> Date? {
        var candidates: [Int64] = []
        if let instant = try store.nextDueInstant(startLead: Self.armLead) { candidates.append(instant) }
        let attempt = try store.firstTargetAttempt { window, target in
            !busy.switching(target) && !busy.contains(.checks(window: window, target: target)) && !busy.contains(.probe(window: window, target: target))
                && !throttled.contains(.action(window: window, target: target))
        }
        if let attempt { candidates.append(attempt) }
        // A channel with a delivery in flight sends its next one when that one is answered.
        // A delivery held behind an earlier one waits for that one; a paced one for its key.
        let pending = try store.pendingDeliveryTimes()
        let held = heldDeliveries(pending)
        for pending in pending where !held.contains(pending.id) {
            guard !busy.contains(.delivery(pending.id)) && !busyChannels.contains(pending.channel) else { continue }
            let paced = schedule.channels[pending.channel]?.kind.pacing.flatMap { pacedUntil[$0.key] }.map(Self.milliseconds) ?? pending.at
            candidates.append(max(pending.at, paced))
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
