import Foundation
import MaintEngine

/// How the control API reaches the engine: through the scheduler loop's mailbox in the daemon,
/// or directly in a CLI process working on the database itself (no daemon running).
public protocol EngineAccess: Sendable {
    /// Runs `work` where the engine lives; nil when it cannot (the daemon is stopping).
    func run<Answer: Sendable>(_ work: @escaping @Sendable (Engine) -> Answer) -> Answer?
}

extension LoopMailbox: EngineAccess {
    public func run<Answer: Sendable>(_ work: @escaping @Sendable (Engine) -> Answer) -> Answer? {
        run(timeout: 30, work)
    }
}

/// The engine of this process, used on the thread that made it (a CLI command).
public final class DirectAccess: EngineAccess, @unchecked Sendable {
    let engine: Engine

    public init(_ engine: Engine) { self.engine = engine }

    public func run<Answer: Sendable>(_ work: @escaping @Sendable (Engine) -> Answer) -> Answer? { work(engine) }
}
