import Foundation
import Synchronization

/// Work spread over the machine's cores on threads of its own, which end with the work: a
/// daemon idle afterwards has no thread left to wake it (the one `concurrentPerform` left behind
/// woke it every second).
public enum Parallel {
    /// `work(0)` to `work(count - 1)`, their results in that order; the calling thread takes
    /// its share too.
    public static func map<Result: Sendable>(_ count: Int, _ work: @escaping @Sendable (Int) -> Result) -> [Result] {
        let threads = min(count, ProcessInfo.processInfo.activeProcessorCount)
        guard threads > 1 else { return (0..<count).map(work) }
        let shared = Shared<Result>(count: count)
        let run: @Sendable () -> Void = {
            while let index = shared.take() { shared.put(work(index), at: index) }
        }
        for _ in 1..<threads {
            Thread {
                run()
                shared.finished.signal()
            }.start()
        }
        run()
        for _ in 1..<threads { shared.finished.wait() }
        return shared.results()
    }

    /// `work` on `items` cut in shares, each on a core: one share per `perShare` items, four
    /// per core at most (so that a share that takes longer leaves no core idle), one share if not
    /// `inParallel`. The shares' results, in the items' order.
    public static func inShares<Item: Sendable, Result: Sendable>(_ items: [Item], perShare: Int, inParallel: Bool,
                                                                _ work: @escaping @Sendable (ArraySlice<Item>) -> Result) -> [Result] {
        let shares = !inParallel || items.count < perShare ? 1 : min(items.count / perShare, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let size = (items.count + shares - 1) / shares
        return map(shares) { share in work(items[min(share * size, items.count)..<min((share + 1) * size, items.count)]) }
    }

    /// Frees `values` on a thread of its own, which ends when they are freed; the caller is left
    /// with none, and goes on at once.
    public static func letGo<Value: Sendable>(_ values: inout [Value]) {
        let held = Mutex(values)
        values = []
        Thread { held.withLock { $0 = [] } }.start()
    }

    private final class Shared<Result: Sendable>: Sendable {
        let state: Mutex<(next: Int, results: [Result?])>
        let finished = DispatchSemaphore(value: 0)

        init(count: Int) { state = Mutex((0, [Result?](repeating: nil, count: count))) }

        func take() -> Int? {
            state.withLock { state in
                guard state.next < state.results.count else { return nil }
                defer { state.next += 1 }
                return state.next
            }
        }

        func put(_ result: Result, at index: Int) { state.withLock { $0.results[index] = result } }

        /// Every index was taken and put before the threads finished.
        func results() -> [Result] { state.withLock { $0.results.compactMap { $0 } } }
    }
}
