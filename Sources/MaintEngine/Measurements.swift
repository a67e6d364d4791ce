import Foundation
import Synchronization

/// What the daemon measures as it works, for `/metrics`: how late each switch left after its
/// due instant, how long each took, and how the last reload went.
public final class Measurements: Sendable {
    /// A Prometheus histogram: cumulative counts per upper bound, their sum and count.
    public struct Histogram: Sendable, Equatable {
        public let bounds: [Double]
        public private(set) var counts: [Int]
        public private(set) var sum = 0.0
        public private(set) var count = 0

        public init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        public mutating func observe(_ value: Double) {
            for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            count += 1
        }
    }

    /// Lag: a millisecond up to a minute (a start caught up after downtime lands in +Inf).
    public static let lagBounds = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 60]
    /// Duration of a switch: from a few milliseconds to the longest timeouts.
    public static let durationBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private let lag = Mutex(Histogram(bounds: Measurements.lagBounds))
    private let durations = Mutex<[String: Histogram]>([:])
    private let reload = Mutex<(succeeded: Bool, at: Date)?>(nil)

    public init() {}

    func switchSent(lateBy seconds: Double) { lag.withLock { $0.observe(max(0, seconds)) } }

    func switchDone(_ action: String, seconds: Double) {
        durations.withLock { $0[action, default: Histogram(bounds: Self.durationBounds)].observe(seconds) }
    }

    func reloaded(_ succeeded: Bool, at date: Date) { reload.withLock { $0 = (succeeded, date) } }

    public var switchLag: Histogram { lag.withLock { $0 } }
    public var switchDurations: [String: Histogram] { durations.withLock { $0 } }
    public var lastReload: (succeeded: Bool, at: Date)? { reload.withLock { $0 } }
}
