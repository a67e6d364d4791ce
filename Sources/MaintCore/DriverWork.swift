import Foundation

/// What a driver asks the engine to do. Each kind has one performer in the engine, none of which
/// blocks its loop: requests go on the curl multi handle, programs on the process pool, files and
/// runtime sockets on worker threads.
public enum DriverWork: Sendable {
    case request(HTTPRequest)
    case program(ProgramRun)
    case files(FileWork)
    case socket(SocketExchange)
    /// Nothing to send: the result is known already (`.skipped`: no silence left to expire).
    case known(DriverResult)
}

/// A program run with no shell.
public struct ProgramRun: Sendable {
    public var argv: [String]
    /// The program's own variables; the engine adds PATH, HOME and LANG under them.
    public var environment: [String: String]
    public var directory: String?
    public var timeoutMilliseconds: Int64

    public init(argv: [String], environment: [String: String], directory: String?, timeoutMilliseconds: Int64) {
        self.argv = argv
        self.environment = environment
        self.directory = directory
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// Local files: written whole (beside, then renamed into place), removed, or looked for.
public enum FileWork: Sendable {
    case write([FileWrite])
    case remove([String])
    case exists(String)
}

public struct FileWrite: Sendable {
    public enum Content: Sendable {
        case text(String)
        /// The maintenance page, rendered when written, with its image fetched then and embedded.
        case page(MaintenancePage)
    }

    public var path: String
    public var content: Content

    public init(path: String, content: Content) {
        self.path = path
        self.content = content
    }
}

/// Command lines sent one by one over a stream socket (a Unix path or `tcp://HOST:PORT`), each on
/// its own connection, as HAProxy's runtime API wants; the answers come back in order.
public struct SocketExchange: Sendable {
    public var address: String
    public var commands: [String]
    public var timeoutMilliseconds: Int64

    public init(address: String, commands: [String], timeoutMilliseconds: Int64) {
        self.address = address
        self.commands = commands
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// What performing a `DriverWork` gave. Texts that came from outside are already cleared of secrets.
public enum DriverResult: Sendable {
    case response(HTTPResponse)
    case exited(ProgramExit)
    /// Files written or removed.
    case written
    case exists(Bool)
    /// The socket's answers, one per command.
    case answers([String])
    /// No answer at all: refused, timed out, a program that would not start, a disk that is full.
    case failed(String)
    /// Nothing was needed, and why (no silence left to expire).
    case skipped(String)
}

public struct ProgramExit: Sendable {
    public var status: Int32
    public var timedOut: Bool
    /// The end of what it wrote to stderr.
    public var stderr: String
    /// The end of what it wrote to stdout: what a failure says when stderr is empty (PHP's
    /// "Could not open input file" goes there).
    public var stdout: String

    public init(status: Int32, timedOut: Bool, stderr: String, stdout: String = "") {
        self.status = status
        self.timedOut = timedOut
        self.stderr = stderr
        self.stdout = stdout
    }
}
