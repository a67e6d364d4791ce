import MaintCore

/// Exit codes of SPEC "Command line" (sysexits where they apply).
enum ExitCode: Int32 {
    case success = 0
    case partialFailure = 1
    case usage = 2
    case invalidInput = 65
    case unavailable = 69
    case temporaryFailure = 75
}

/// An error that ends the command with a message and an exit code.
struct Failure: Error {
    var code: ExitCode
    var message: String
    /// The API's status when the daemon (or the API in process) refused: 404 tells "no such
    /// window" from the rest.
    var status: Int?

    init(_ code: ExitCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A window id that names nothing.
    static func noWindow(_ id: String) -> Failure {
        Failure(.invalidInput, "no window \(Quoted(id)) (see `maint ls --all`)")
    }
}
