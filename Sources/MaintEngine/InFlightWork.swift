/// Work in flight, so that nothing is sent twice at once. It keeps counts of actions by target
/// and by window beside the keys, so that "is this target being switched?" and `maxParallel`
/// cost the same with one request in flight or a thousand.
struct InFlightWork: Sendable {
    enum Key: Hashable, Sendable {
        case action(window: String, target: String)
        case checks(window: String, target: String)
        case probe(window: String, target: String)
        case delivery(String)

        /// Hashed without the window's id: the work in flight is mostly one window's, whose long
        /// id would be hashed for each of its targets to no purpose. Equality still compares it.
        func hash(into hasher: inout Hasher) {
            switch self {
            case .action(_, let target): hasher.combine(0); hasher.combine(target)
            case .checks(_, let target): hasher.combine(1); hasher.combine(target)
            case .probe(_, let target): hasher.combine(2); hasher.combine(target)
            case .delivery(let id): hasher.combine(3); hasher.combine(id)
            }
        }
    }

    private var keys: Set<Key> = []
    private var actionsByTarget: [String: Int] = [:]
    private var actionsByWindow: [String: Int] = [:]

    func contains(_ key: Key) -> Bool { keys.contains(key) }

    /// Whether an activate or deactivate request of `target` is in flight, for any window.
    func switching(_ target: String) -> Bool { actionsByTarget[target] != nil }

    /// How many actions of `window` are in flight.
    func actions(of window: String) -> Int { actionsByWindow[window] ?? 0 }

    mutating func insert(_ key: Key) {
        guard keys.insert(key).inserted, case .action(let window, let target) = key else { return }
        actionsByTarget[target, default: 0] += 1
        actionsByWindow[window, default: 0] += 1
    }

    mutating func remove(_ key: Key) {
        guard keys.remove(key) != nil, case .action(let window, let target) = key else { return }
        Self.decrement(&actionsByTarget, target)
        Self.decrement(&actionsByWindow, window)
    }

    /// One less of `key`, found once: a fleet's answers each take two counts down.
    private static func decrement(_ counts: inout [String: Int], _ key: String) {
        guard let place = counts.index(forKey: key) else { return }
        if counts.values[place] > 1 { counts.values[place] -= 1 } else { counts.remove(at: place) }
    }
}
