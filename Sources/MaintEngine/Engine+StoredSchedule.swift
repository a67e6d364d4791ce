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

    /// A target of the schedule in force. Started from the stored copy, or once it let go of the
    /// files' definitions, the engine reads a target's definition when a window needs it, and
    /// holds it while its windows run (`trimTargetDefinitions`).
    func targetConfig(_ name: String) -> TargetConfig? {
        if let target = schedule.targets[name] { return target }
        guard schedule.origin == .stored || readsTargetsBack, !unreadableTargets.contains(name) else { return nil }
        do {
            guard let target = try store.storedTarget(name) else { return nil }
            schedule.targets[name] = target
            targetZones[name] = target.timezone
            return target
        } catch let error as ScheduleIssues {
            unreadableTargets.insert(name)
            log(.error, "target \(name): its stored definition does not read (\(error.issues.first.map(String.init(describing:)) ?? "")); it is not switched until the files are read again")
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

    /// Lets go of the definitions read back for windows that are over, once there are more than
    /// `heldTargetDefinitions` (and twice as many as the running windows need, so that a fleet
    /// larger than that is not read again every round). Housekeeping: if the database cannot
    /// say which are needed, all are kept.
    func trimTargetDefinitions() {
        guard readsTargetsBack, schedule.targets.count > max(heldTargetDefinitions, 2 * targetDefinitionsInUse),
              let running = try? store.runningTargetNames() else { return }
        schedule.targets = schedule.targets.filter { running.contains($0.key) }
        targetDefinitionsInUse = schedule.targets.count
    }


    /// Stores the definitions the files gave, with their stamp, then lets go of the text. If
    /// they cannot be stored, the stamp is removed, so the next start reads the files. Returns
    /// whether the database now holds the definitions in force.
    func storeDefinitions() -> Bool {
        guard let stamp = schedule.stamp else { return false }
        let definitions = schedule.definitions
        schedule.definitions = []
        schedule.stamp = nil
        // Files unchanged since the copy was made (a restart's read, a reload with nothing
        // edited): the copy is theirs already; nothing to write on the loop.
        if let stored = try? store.definitionStamp(), stored == stamp { return true }
        // A value that cannot be written as JSON (a number that is not finite) has no copy.
        let storable = !definitions.contains(where: { $0.body == "null" })
        do {
            try store.transaction {
                guard storable else {
                    try store.forgetDefinitionStamp()
                    return
                }
                try store.replaceDefinitions(definitions, stamp: stamp, secretNames: schedule.secretNames)
            }
            return storable
        } catch {
            log(.warning, "the copy of the schedule for a quick restart cannot be stored: \(error); the next start reads the files first")
            try? store.forgetDefinitionStamp()
            return false
        }
    }
}
