import Foundation
import MaintControl
import MaintCore

/// `maint reload`: the daemon reads its files again and says what changed, or every error
/// (then the running schedule stays in force).
enum ReloadCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.isEmpty else { throw Failure(.usage, "reload takes no arguments") }
        guard let (client, pid) = try session.daemonClient() else {
            throw Failure(.unavailable, "no daemon is running on \(session.paths.database): nothing to reload (`maint validate` checks the files)")
        }
        let answer = try session.ask { () throws(ControlClient.Failure) in try client.post("/v1/reload", .object([:])) }
        if session.json {
            printJSON(answer)
        } else {
            print("the daemon (pid \(pid)) reloaded \(session.paths.config): \(answer["summary"]?.stringValue ?? "done")")
        }
        return .success
    }
}
