import Foundation
import MaintCore
import MaintStore

/// A restart with unchanged files need not read them before it is ready: the daemon keeps a copy
/// of their targets, channels and api section in the database, starts from it, and reads the
/// files meanwhile (as a reload). Windows are in the database already.
extension Engine {
    /// The schedule stored by the last daemon, if `stamp` (the files as they are now) is the one
    /// it was stored with; nil when there is none, or it no longer matches, or it does not read.
    /// Channels and the api section are read now; targets one by one, as windows need them.
    public static func storedSchedule(_ store: MaintenanceStore, stamp: String?) -> Schedule? {
        guard let stamp, let stored = try? store.definitionStamp(), stored == stamp,
              let definitions = try? store.definitions([.channel, .api]),
              var schedule = try? ScheduleLoader(now: Date()).load(stored: definitions) else { return nil }
        schedule.secretNames = (try? store.definitionSecretNames()) ?? schedule.secretNames
        return schedule
    }

    /// A target of the schedule in force. Started from the stored copy, the engine reads a
    /// target's definition the first time a window needs it.
    func targetConfig(_ name: String) -> TargetConfig? {
        if let target = schedule.targets[name] { return target }
        guard schedule.origin == .stored, !unreadableTargets.contains(name) else { return nil }
        do {
            guard let definition = try store.definition(.target, named: name) else { return nil }
            guard let target = try ScheduleLoader(now: Date()).load(stored: [definition]).targets[name] else { return nil }
            schedule.targets[name] = target
            targetZones[name] = target.timezone
            return target
        } catch let error as ScheduleIssues {
            unreadableTargets.insert(name)
            log(.error, "target \(name): its stored definition does not read (\(error.issues.first.map(String.init(describing:)) ?? "")); it is switched once the files are read")
            return nil
        } catch {
            log(.error, "target \(name): its stored definition cannot be read: \(error)")
            return nil
        }
    }

    /// What needs every target and freeze (choosing targets by tag, planning) waits for the files.
    func requireFiles() throws {
        guard schedule.origin == .stored else { return }
        throw CommandRefusal(.notReady, "the daemon runs on its stored schedule: its schedule files could not be read (see `maint reload`); fix them and reload")
    }

    /// Reads the stored definitions of these targets now, so that the window machine (which
    /// looks targets up as it decides) finds them.
    func loadStoredTargets(_ names: [String]) {
        guard schedule.origin == .stored else { return }
        for name in names { _ = targetConfig(name) }
    }

    /// Stores the definitions the files gave, with their stamp, then lets go of the text. If
    /// they cannot be stored, the stamp is removed, so the next start reads the files.
    func storeDefinitions() {
        guard let stamp = schedule.stamp else { return }
        let definitions = schedule.definitions
        schedule.definitions = []
        schedule.stamp = nil
        // Files unchanged since the copy was made (a restart's read, a reload with nothing
        // edited): the copy is theirs already; nothing to write on the loop.
        if let stored = try? store.definitionStamp(), stored == stamp { return }
        do {
            try store.transaction {
                // A value that cannot be written as JSON (a number that is not finite) has no copy.
                guard !definitions.contains(where: { $0.body == "null" }) else {
                    try store.forgetDefinitionStamp()
                    return
                }
                try store.replaceDefinitions(definitions, stamp: stamp, secretNames: schedule.secretNames)
            }
        } catch {
            log(.warning, "the copy of the schedule for a quick restart cannot be stored: \(error); the next start reads the files first")
            try? store.forgetDefinitionStamp()
        }
    }
}
