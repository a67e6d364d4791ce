import Dispatch
import Foundation
import Synchronization

/// Blocking work (a local socket, a file written, a page image fetched) run on worker threads,
/// so that the scheduler loop never waits on it. As with `ProcessPool`, the loop learns of a
/// finished job through `wake` (an eventfd it polls) and collects it with `take`. Each job brings
/// its own timeout (a socket's, a transfer's).
public final class WorkerPool<Output: Sendable>: Sendable {
    public struct Completion: Sendable {
        public var tag: Int
        public var result: Result<Output, WorkError>
        public var elapsedMilliseconds: Int
    }

    public struct WorkError: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public let wake: WakeSignal
    private let state = Mutex<(nextTag: Int, running: Int, finished: [Completion])>((0, 0, []))

    public init() throws(SystemError) {
        wake = try WakeSignal()
    }

    public var inFlight: Int { state.withLock { $0.running } }

    /// Starts `work` on a worker thread and returns its tag.
    public func start(_ work: @escaping @Sendable () throws -> Output) -> Int {
        let tag = state.withLock { state in
            state.nextTag += 1
            state.running += 1
            return state.nextTag
        }
        DispatchQueue.global().async { [self] in
            let began = Date()
            let result: Result<Output, WorkError>
            do {
                result = .success(try work())
            } catch {
                result = .failure(WorkError("\(error)"))
            }
            let completion = Completion(tag: tag, result: result, elapsedMilliseconds: Int(Date().timeIntervalSince(began) * 1000))
            state.withLock { state in
                state.running -= 1
                state.finished.append(completion)
            }
            wake.wake()
        }
        return tag
    }

    /// The jobs finished since the last call.
    public func take() -> [Completion] {
        state.withLock { state in
            defer { state.finished.removeAll() }
            return state.finished
        }
    }
}
