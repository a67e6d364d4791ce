import Foundation
import MaintCore
import MaintEngine
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

    func loadSchedule(directory: String? = nil) throws(Failure) -> Schedule {
        do {
            return try ScheduleLoader(now: Date()).load(directory: directory ?? paths.config)
        } catch {
            throw Failure(.invalidInput, error.description + "\n\(error.issues.count) error(s) in the schedule files; nothing was changed")
        }
    }

    func openStore() throws(Failure) -> MaintenanceStore {
        do {
            return try MaintenanceStore(path: paths.database)
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

    /// Nudges a running daemon to read the database now. Returns its PID, or nil if none runs.
    @discardableResult
    func wakeDaemon() -> pid_t? {
        guard let lock = try? lock(), let pid = lock.holder() else { return nil }
        kill(pid, SIGUSR1)
        return pid
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

func printJSON(_ value: JSONValue) {
    let data = (try? JSONSerialization.data(withJSONObject: value.foundationObject, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
    print(String(decoding: data, as: UTF8.self))
}
