import Foundation
import MaintSystem
import Synchronization

/// Work handed to the scheduler loop from other threads (the control API's connections): each
/// job runs on the loop, between rounds, where the engine and its database connection live, and
/// its caller waits for the answer. So a request never touches the engine concurrently, and the
/// loop is never made to wait for a caller.
public final class LoopMailbox: Sendable {
    public typealias Job = @Sendable (Engine) -> Void

    private let jobs = Mutex<[Job]>([])
    private let closed = Atomic<Bool>(false)
    let wake: WakeSignal

    public init() throws(SystemError) {
        wake = try WakeSignal()
    }

    /// Runs `work` on the loop and returns its result; nil if the loop has stopped taking work,
    /// or did not get to it within `timeout` seconds (the work then still runs, once).
    public func run<Answer: Sendable>(timeout: TimeInterval = 30, _ work: @escaping @Sendable (Engine) -> Answer) -> Answer? {
        let slot = Mutex<Answer?>(nil)
        let done = DispatchSemaphore(value: 0)
        let accepted = jobs.withLock { queue -> Bool in
            guard !closed.load(ordering: .acquiring) else { return false }
            queue.append { engine in
                let answer = work(engine)
                slot.withLock { $0 = answer }
                done.signal()
            }
            return true
        }
        guard accepted else { return nil }
        wake.wake()
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return slot.withLock { $0 }
    }

    /// The jobs waiting, taken off the queue; the loop runs them.
    func take() -> [Job] {
        wake.drain()
        return jobs.withLock { queue in defer { queue = [] }; return queue }
    }

    /// No more jobs are accepted: the loop is stopping.
    func close() { closed.store(true, ordering: .releasing) }
}
