import MaintCore

/// Target rows decided in a transaction and not written yet: a run of outcomes (a fleet's answers
/// arriving together) writes its targets' rows at its end, so that rows taking the same values
/// are written by one statement (`MaintenanceStore.saveTargets`). Until then a row is read from
/// here, the newest of it first.
struct UnsavedTargets {
    private(set) var records: [TargetStateRecord] = []
    /// Where the newest record of each window's target is in `records`.
    private var places: [WindowTargetKey: Int] = [:]

    /// Room for `count` records (a run's outcomes), kept without growing as they come.
    init(expecting count: Int = 0) {
        records.reserveCapacity(count)
        places.reserveCapacity(count)
    }

    mutating func append(_ written: [TargetStateRecord]) {
        for record in written {
            places[WindowTargetKey(record)] = records.count
            records.append(record)
        }
    }

    func record(_ target: String, of window: String) -> TargetStateRecord? {
        places[WindowTargetKey(window: window, target: target)].map { records[$0] }
    }
}
