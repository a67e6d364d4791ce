import Foundation
import MaintCore
import MaintEngine
import MaintStore
import Synchronization

/// What a read of the API works on: the database (to read), the schedule in force, the secrets
/// (for the drivers' state reads) and the daemon's measurements. Used on one thread.
public struct ReadView {
    public let store: MaintenanceStore
    public let schedule: Schedule
    public let secrets: SecretSource
    public let measurements: Measurements
}

/// How the control API reaches the engine. Changes run where the engine lives, one at a time;
/// reads do not need it: in the daemon they run on the caller's thread, on a connection of their
/// own, so that no request ever holds up the scheduler loop.
public protocol EngineAccess: Sendable {
    /// Runs `work` where the engine lives; nil when it cannot (the daemon is stopping).
    func run<Answer: Sendable>(_ work: @escaping @Sendable (Engine) -> Answer) -> Answer?
    /// Runs `work` on a view for reading, here.
    func read<Answer>(_ work: (ReadView) throws -> Answer) -> Result<Answer, any Error>
}

/// The daemon's engine: changes through the loop's mailbox, reads on a read-only connection
/// opened for the request, with the schedule the loop last put in force.
public final class DaemonAccess: EngineAccess {
    let mailbox: LoopMailbox
    let databasePath: String
    let secrets: SecretSource
    let measurements: Measurements
    private let schedule: Mutex<Schedule>

    public init(mailbox: LoopMailbox, databasePath: String, schedule: Schedule, secrets: SecretSource, measurements: Measurements) {
        self.mailbox = mailbox
        self.databasePath = databasePath
        self.secrets = secrets
        self.measurements = measurements
        self.schedule = Mutex(schedule)
    }

    /// The loop put another schedule in force (a reload).
    public func publish(_ schedule: Schedule) { self.schedule.withLock { $0 = schedule } }

    public func run<Answer: Sendable>(_ work: @escaping @Sendable (Engine) -> Answer) -> Answer? {
        mailbox.run(timeout: 30, work)
    }

    public func read<Answer>(_ work: (ReadView) throws -> Answer) -> Result<Answer, any Error> {
        Result {
            let store = try MaintenanceStore(readingOnly: databasePath)
            return try work(ReadView(store: store, schedule: schedule.withLock { $0 }, secrets: secrets, measurements: measurements))
        }
    }
}

/// The engine of this process, used on the thread that made it (a CLI command).
public final class DirectAccess: EngineAccess, @unchecked Sendable {
    let engine: Engine

    public init(_ engine: Engine) { self.engine = engine }

    public func run<Answer: Sendable>(_ work: @escaping @Sendable (Engine) -> Answer) -> Answer? { work(engine) }

    public func read<Answer>(_ work: (ReadView) throws -> Answer) -> Result<Answer, any Error> {
        Result { try work(ReadView(store: engine.store, schedule: engine.schedule, secrets: engine.secrets, measurements: engine.measurements)) }
    }
}
