import Foundation
import MaintCore
import MaintStore

extension MaintenanceStore {
    /// A target's whole definition as the daemon stored it at its last read of the files; nil
    /// when none is stored under that name. Throws when it cannot be read, or no longer reads.
    public func storedTarget(_ name: String) throws -> TargetConfig? {
        guard let definition = try definition(.target, named: name) else { return nil }
        return try ScheduleLoader(now: Date()).load(stored: [definition]).targets[name]
    }
}
