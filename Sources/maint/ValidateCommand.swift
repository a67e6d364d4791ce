import Foundation
import MaintCore

/// `maint validate [DIR]`: every problem of every file, or a summary.
enum ValidateCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count <= 1 else { throw Failure(.usage, "validate takes at most one directory") }
        let directory = session.arguments.positionals.first ?? session.paths.config
        let schedule = try session.loadSchedule(directory: directory)
        // Warnings do not fail: the files are valid, but something will not happen as written.
        for warning in schedule.warnings {
            var line = warning
            line.message = "warning: " + warning.message
            print(line)
        }
        print("\(directory): ok: \(schedule.files.count) file(s), \(schedule.targets.count) target(s), \(schedule.channels.count) channel(s), \(schedule.windows.count) window(s)" + (schedule.warnings.isEmpty ? "" : ", \(schedule.warnings.count) warning(s)"))
        // The process ends next: what was read is left for its end to free, not freed value by
        // value (100,000 windows took a quarter of a second).
        _ = Unmanaged.passRetained(Kept(schedule))
        return .success
    }

    private final class Kept {
        let schedule: Schedule
        init(_ schedule: Schedule) { self.schedule = schedule }
    }
}
