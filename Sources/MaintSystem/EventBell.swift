import Foundation

/// Rings when something new is written (an event's id); threads that follow the event log wait
/// on it instead of asking again and again. Closed when the daemon stops, which wakes them all.
public final class EventBell: @unchecked Sendable {
    // NSCondition guards `latest` and `closed`; every access is under its lock.
    private let condition = NSCondition()
    private var latest: Int64 = 0
    private var closed = false

    public init() {}

    public func ring(_ id: Int64) {
        condition.lock()
        latest = max(latest, id)
        condition.broadcast()
        condition.unlock()
    }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public enum Wait: Equatable, Sendable {
        /// Something past the id was written: its newest id.
        case rang(Int64)
        case timedOut
        case closed
    }

    /// Waits until an id past `id` is rung, `timeout` seconds pass, or the bell is closed.
    public func wait(after id: Int64, timeout: TimeInterval) -> Wait {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if closed { return .closed }
            if latest > id { return .rang(latest) }
            if !condition.wait(until: deadline) { return latest > id ? .rang(latest) : .timedOut }
        }
    }
}
