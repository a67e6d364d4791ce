import Foundation
import MaintCore
import MaintEngine

/// `maint export --ics`: the windows as an iCalendar feed on stdout.
enum ExportCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.has("--ics") else { throw Failure(.usage, "say which format: --ics") }
        let schedule = try session.loadSchedule()
        let store = try session.openStore()
        FileHandle.standardOutput.write(Data(try CalendarFeed(store: store, schedule: schedule).render().utf8))
        return .success
    }
}
