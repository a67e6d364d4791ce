import Foundation
import MaintControl
import MaintCore
import MaintEngine

/// `maint export --ics`: the windows as an iCalendar feed on stdout; the daemon's feed
/// (`/calendar.ics`) when one runs.
enum ExportCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.has("--ics") else { throw Failure(.usage, "say which format: --ics") }
        if let (client, _) = try session.daemonClient() {
            FileHandle.standardOutput.write(try session.ask { () throws(ControlClient.Failure) in try client.getBytes("/calendar.ics") })
            return .success
        }
        let schedule = try session.loadSchedule()
        let store = try session.openStore()
        FileHandle.standardOutput.write(Data(try CalendarFeed(store: store, schedule: schedule).render().utf8))
        return .success
    }
}
