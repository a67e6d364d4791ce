/// Exponential backoff with jitter: 1 s, 2 s, 4 s… up to `cap`, each drawn between half and all of it,
/// so many retries never line up.
public struct Backoff: Sendable {
    public var base: Int64
    public var cap: Int64

    public init(base: Int64 = 1_000, cap: Int64 = 60_000) {
        self.base = base
        self.cap = cap
    }

    /// Delay before the attempt that follows `attempts` failed ones.
    public func delay(afterAttempts attempts: Int, random: Double = Double.random(in: 0...1)) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 30)
        let full = min(cap, base << Int64(exponent))
        return full / 2 + Int64(Double(full / 2) * random)
    }
}
