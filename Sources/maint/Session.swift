import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintHTTP
import MaintNet
import MaintStore
import MaintSystem

/// What every command needs: paths, the log, and the ways to open the schedule and the database.
struct Session {
    let arguments: Arguments
    let paths: Paths
    let log: Log
    let environment: [String: String]

    init(arguments: Arguments, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.arguments = arguments
        self.paths = Paths(arguments: arguments, environment: environment)
        // The daemon logs what it does; other commands print their own progress and log only problems.
        let daemon = CommandLine.arguments.dropFirst().first == "daemon"
        self.log = Log(environment: environment, threshold: arguments.has("--verbose") ? .debug : (daemon ? .info : .warning))
        self.environment = environment
    }

    var json: Bool { arguments.has("--json") }

    /// The one zone a view shows its times in: `--utc`, `--zone`, else the system's.
    func displayZone() throws(Failure) -> TimeZone {
        if arguments.has("--utc") {
            guard arguments.value("--zone") == nil else { throw Failure(.usage, "give --zone or --utc, not both") }
            return TimeZone(identifier: "UTC") ?? .current
        }
        guard let name = arguments.value("--zone") else { return .current }
        guard let zone = TimeZone(identifier: name) else { throw Failure(.usage, "--zone \(Quoted(name)): not an IANA time zone such as Europe/Paris or UTC") }
        return zone
    }

    func loadSchedule(directory: String? = nil, keepingDefinitions: Bool = false, inParallel: Bool = true) throws(Failure) -> Schedule {
        do {
            return try ScheduleLoader(now: Date(), keepsDefinitions: keepingDefinitions, readsInParallel: inParallel).load(directory: directory ?? paths.config)
        } catch {
            throw Failure(.invalidInput, error.description + "\n\(error.issues.count) error(s) in the schedule files; nothing was changed")
        }
    }

    /// The database, left with its write-ahead log when this process is done unless
    /// `checkpointsOnClose` (the daemon's; see `Database(path:checkpointsOnClose:)`).
    func openStore(checkpointsOnClose: Bool = false) throws(Failure) -> MaintenanceStore {
        do {
            return try MaintenanceStore(path: paths.database, checkpointsOnClose: checkpointsOnClose)
        } catch {
            throw Failure(error.isBusy ? .temporaryFailure : .unavailable, "cannot open the database \(paths.database): \(error)")
        }
    }

    func engine(schedule: Schedule, store: MaintenanceStore, pool: TransferPool) throws(Failure) -> Engine {
        do {
            return try Engine(store: store, schedule: schedule, secrets: SecretSource(environment: environment), log: log, pool: pool)
        } catch {
            throw Failure(.temporaryFailure, "cannot start: \(error)")
        }
    }

    func lock() throws(Failure) -> ProcessLock {
        do {
            return try ProcessLock(path: paths.lock)
        } catch {
            throw Failure(.unavailable, "cannot open the lock file \(paths.lock): \(error)")
        }
    }

    /// The daemon's handler of API requests. Building a large answer (the status of 10,000
    /// targets: 16 MB) leaves the heap of its connection's thread free but resident; it is
    /// handed back to the system before the answer is sent.
    static func serving(_ api: ControlAPI) -> ControlServer.Handler {
        { request in
            let response = api.handle(request)
            if response.body.count >= 256 << 10 { Memory.returnFreePages() }
            return response
        }
    }

    /// Serves the control API on the Unix socket until `stop`.
    func controlServer(_ api: ControlAPI) throws(Failure) -> RunningServer {
        let listener: UnixListener
        do {
            listener = try UnixListener(path: paths.socket)
        } catch {
            throw Failure(.unavailable, "cannot listen on the control socket \(paths.socket): \(error) (set --socket or MAINT_SOCKET)")
        }
        do {
            return RunningServer(server: try ControlServer(listeningFD: listener.fd, handler: Self.serving(api)), listener: listener)
        } catch {
            listener.remove()
            throw Failure(.unavailable, "cannot serve the control socket \(paths.socket): \(error)")
        }
    }

    /// Serves the control API on TCP, as the schedule's api section says.
    func networkServer(_ api: ControlAPI, _ config: APIConfig) throws(Failure) -> ControlServer {
        do {
            let fd = try TCPListener.listen(host: config.host, port: config.port)
            do {
                return try ControlServer(listeningFD: fd, network: true, handler: Self.serving(api))
            } catch {
                close(fd)
                throw error
            }
        } catch {
            throw Failure(.unavailable, "cannot listen on \(config.host):\(config.port) (api.listen in \(config.file)): \(error)")
        }
    }

    /// The running daemon's control socket, or nil when no daemon runs (the command then works
    /// on the database itself).
    func daemonClient() throws(Failure) -> (client: ControlClient, pid: pid_t)? {
        // No lock file: nothing ever ran on this database (and none is made just to ask).
        guard FileManager.default.fileExists(atPath: paths.lock), case .daemon(let pid)? = try lock().holder() else { return nil }
        return (ControlClient(socket: paths.socket), pid)
    }

    /// Asks the daemon; its refusals and silence become the CLI's failures.
    func ask<Answer>(_ body: () throws(ControlClient.Failure) -> Answer) throws(Failure) -> Answer {
        do {
            return try body()
        } catch {
            switch error {
            case .unreachable(let text): throw Failure(.unavailable, text + " (is --socket or MAINT_SOCKET the daemon's?)")
            case .refused(let status, _, _, _):
                // A window in the wrong state for the command is input that cannot be carried out
                // (65), not a usage error: the command was written right.
                var failure = Failure([400, 404, 409, 422].contains(status) ? .invalidInput : .temporaryFailure, error.description)
                failure.status = status
                throw failure
            }
        }
    }

    /// Nudges whoever switches (the daemon, or a command switching because none runs) to read
    /// the database now. Returns it, or nil if nobody switches.
    @discardableResult
    func wake() -> ProcessLock.Holder? {
        guard let lock = try? lock(), let holder = lock.holder() else { return nil }
        kill(holder.pid, SIGUSR1)
        return holder
    }

    /// Carries out what the database now asks for, until `done`: here, holding the switching lock,
    /// when no other process switches; else by waking the one that does (the daemon, or a sibling
    /// command) and following the database, taking over if it lets go first. So commands started
    /// together with no daemon all see their windows through, one after the other.
    func carryOut(runner: Runner, until done: () throws -> Bool, progress: () -> Void, followingAtMost patience: TimeInterval = .infinity) throws {
        let lock = try lock()
        let deadline = Date().addingTimeInterval(patience)
        var followed: ProcessLock.Holder?
        while true {
            if lock.tryLock() {
                defer { lock.unlock() }
                print("no daemon is running: switching from here")
                _ = try runner.run {
                    progress()
                    return try done()
                }
                progress()
                return
            }
            guard let holder = lock.holder() else {  // let go meanwhile: try again
                usleep(10_000)
                continue
            }
            if holder != followed {
                switch holder {
                case .daemon(let pid): print("the daemon (pid \(pid)) is switching")
                case .command(let pid): print("no daemon is running; maint command pid \(pid) is switching, and this one goes on after it")
                }
                followed = holder
                kill(holder.pid, SIGUSR1)
            }
            while lock.holder() == holder && Date() < deadline {
                progress()
                if try done() { return }
                usleep(100_000)
            }
            progress()
            if try done() || Date() >= deadline { return }
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

func printJSON(_ value: JSONValue) {
    print(value.prettyPrinted())
}

/// The control API being served, and its socket file, removed when it stops.
struct RunningServer {
    let server: ControlServer
    let listener: UnixListener

    func stop() {
        server.stop()
        listener.remove()
    }
}
