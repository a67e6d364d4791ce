import Foundation

/// Where the schedule files, the database and the control socket are, in the order SPEC
/// "Schedule files", "Storage" and "Control API" give.
struct Paths {
    var config: String
    var database: String
    /// The daemon's control socket (SPEC "Control API").
    var socket: String

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
        } else if FileManager.default.fileExists(atPath: Self.systemDatabase) {
            // The system's daemon (the unit's StateDirectory=maint): an admin's shell finds it.
            self.database = Self.systemDatabase
        } else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            self.database = xdg + "/maint/maint.db"
        } else {
            self.database = (environment["HOME"] ?? ".") + "/.local/state/maint/maint.db"
        }
        if let socket = arguments.value("--socket") ?? environment["MAINT_SOCKET"] {
            self.socket = socket
        } else if let runtime = environment["RUNTIME_DIRECTORY"], !runtime.isEmpty {
            self.socket = String(runtime.split(separator: ":").first ?? Substring(runtime)) + "/maint.sock"
        } else if database == Self.systemDatabase && FileManager.default.fileExists(atPath: Self.systemSocket) {
            // The unit's RuntimeDirectory=maint, which an admin's shell does not have in its environment.
            self.socket = Self.systemSocket
        } else {
            self.socket = database + ".sock"
        }
    }

    var lock: String { database + ".lock" }

    static let systemDatabase = "/var/lib/maint/maint.db"
    static let systemSocket = "/run/maint/maint.sock"
}
