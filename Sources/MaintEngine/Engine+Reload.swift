import Foundation
import MaintCore
import MaintStore

/// What a reload changed, by name: for `maint reload`, the log and the event.
public struct ReloadSummary: Sendable, Equatable {
    public var targetsAdded: [String] = []
    public var targetsRemoved: [String] = []
    public var channelsAdded: [String] = []
    public var channelsRemoved: [String] = []
    /// Window definitions with nothing stored before this reload.
    public var windowsAdded: [String] = []
    /// Planned windows of the files whose definition is gone (they stay planned until canceled).
    public var windowsRemoved: [String] = []

    public var isEmpty: Bool { self == ReloadSummary() }

    public var description: String {
        let parts = [("target(s) added", targetsAdded), ("target(s) removed", targetsRemoved), ("channel(s) added", channelsAdded),
                     ("channel(s) removed", channelsRemoved), ("window(s) added", windowsAdded), ("window(s) no longer in the files", windowsRemoved)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.1.count) \($0.0): \($0.1.prefix(10).joined(separator: ", "))\($0.1.count > 10 ? ", …" : "")" }
        return parts.isEmpty ? "no definition added or removed" : parts.joined(separator: "; ")
    }
}

extension Engine {
    /// Puts a schedule read from the files in force and stores its windows: for SIGHUP and
    /// `POST /v1/reload` alike. Returns what changed.
    public func reload(to new: Schedule, now: Date, by actor: Actor? = nil) throws -> ReloadSummary {
        var summary = ReloadSummary()
        let old = schedule
        // Started from the stored copy, the engine has read only the targets its windows needed.
        let oldTargets = old.origin == .stored ? Set(try store.definitionNames(.target)) : Set(old.targetSummaries.keys)
        summary.targetsAdded = new.targetSummaries.keys.filter { !oldTargets.contains($0) }.sorted()
        summary.targetsRemoved = oldTargets.filter { new.targetSummaries[$0] == nil }.sorted()
        summary.channelsAdded = new.channels.keys.filter { old.channels[$0] == nil }.sorted()
        summary.channelsRemoved = old.channels.keys.filter { new.channels[$0] == nil }.sorted()
        let stored = try store.fileWindowNames()
        summary.windowsAdded = new.windows.keys.filter { !stored.contains($0) }.sorted()
        summary.windowsRemoved = Array(Set(try store.plannedFileWindows().map(\.name).filter { new.windows[$0] == nil })).sorted()
        replace(schedule: new)
        databaseChanged()
        try sync(now: now)
        try store.appendEvent(at: Self.milliseconds(now), window: nil, kind: "schedule.reloaded",
                              message: "\(new.targetSummaries.count) target(s), \(new.windows.count) window(s); \(summary.description)", actor: actor?.name)
        log(.notice, "schedule \(old.origin == .stored ? "files read (the daemon started from its stored copy)" : "reloaded"): \(new.targetSummaries.count) target(s), \(new.windows.count) window(s); \(summary.description)")
        letGoOfStoredDefinitions()
        measurements.reloaded(true, at: now)
        return summary
    }
}

extension Engine {
    /// The files were refused: said in the log and the event log; the running schedule stays.
    public func reloadRefused(errors: Int, now: Date, by actor: Actor? = nil) {
        measurements.reloaded(false, at: now)
        log(.error, "reload rejected (\(errors) error(s)); the running schedule stays in force")
        _ = try? store.appendEvent(at: Self.milliseconds(now), window: nil, kind: "schedule.reload-failed",
                                   message: "the schedule files have \(errors) error(s); the running schedule stays in force", actor: actor?.name)
    }
}

extension Engine {
    /// One line for systemd's `STATUS=` (`systemctl status maint`): what runs, what is held in
    /// maintenance, what comes next, what failed to be announced.
    public func statusLine() -> String {
        guard let summary = try? store.summary() else { return "running; the database cannot be read" }
        let next = summary.nextStart.map { "next start \(TimeText.rfc3339(Self.date($0)))" } ?? "nothing planned"
        return "\(summary.running) window(s) running, \(summary.held) target(s) in maintenance, \(next), \(summary.dead) dead deliveries"
    }
}
