import Foundation

/// Where the schedule files and the database are, in the order SPEC "Schedule files" and "Storage" give.
struct Paths {
    var config: String
    var database: String

    init(arguments: Arguments, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let config = arguments.value("--config") ?? environment["MAINT_CONFIG"] {
            self.config = config
        } else {
            var isDirectory: ObjCBool = false
            self.config = FileManager.default.fileExists(atPath: "/etc/maint", isDirectory: &isDirectory) && isDirectory.boolValue
                ? "/etc/maint" : "./schedules"
        }
        if let database = arguments.value("--db") ?? environment["MAINT_DB"] {
            self.database = database
        } else if let state = environment["STATE_DIRECTORY"], !state.isEmpty {
            // systemd may pass several directories separated by ':'; the first is ours.
            self.database = String(state.split(separator: ":").first ?? Substring(state)) + "/maint.db"
        } else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            self.database = xdg + "/maint/maint.db"
        } else {
            self.database = (environment["HOME"] ?? ".") + "/.local/state/maint/maint.db"
        }
    }

    var lock: String { database + ".lock" }
}
