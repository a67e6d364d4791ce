import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintStore

/// `maint status`: each target in maintenance or not, its current and next window; the daemon;
/// dead deliveries. Asked of the daemon when one runs (it has the schedule in memory); else read
/// from the files and the database here. The same JSON either way, and the table drawn from it.
enum StatusCommand {
    static func run(_ session: Session) throws -> ExitCode {
        let report: JSONValue
        var note: String?
        if let (client, _) = try session.daemonClient() {
            guard session.json else {
                // The daemon draws the table: a large report is not sent as JSON to be decoded here.
                let zone = try session.displayZone().identifier
                let text = try session.ask { () throws(ControlClient.Failure) in
                    try client.getBytes("/v1/status?format=text&zone=" + ControlClient.escape(zone))
                }
                FileHandle.standardOutput.write(text)
                return .success
            }
            report = try session.ask { () throws(ControlClient.Failure) in try client.get("/v1/status") }
        } else {
            let store = try session.openStore()
            var schedule: Schedule?
            do {
                schedule = try session.loadSchedule()
            } catch {
                note = "the schedule files have errors (run `maint validate`); showing targets from the database"
            }
            let gathered = try StatusReport(store: store, schedule: schedule, secrets: SecretSource(environment: session.environment))
            report = gathered.json(actual: gathered.probe?.read() ?? [:], daemon: nil)
        }
        if session.json {
            printJSON(report)
            return .success
        }
        var text = StatusText.render(report, zone: try session.displayZone())
        if let note, let end = text.firstIndex(of: "\n") { text.insert(contentsOf: "\nnote: \(note)", at: end) }
        print(text)
        return .success
    }
}
