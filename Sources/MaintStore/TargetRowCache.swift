import MaintCore

/// The target rows of the windows being stepped, as the connection that writes them last read
/// or wrote them. A window switching a fleet is stepped at each round while the answers come
/// in, and each step reads all of its rows: a thousand rows a round, where a few changed.
///
/// The copy is kept true by the connection's own writes (`update`, `forget`) and is let go of
/// whenever it could be wrong: after a rollback on this connection (of a savepoint too), and
/// after another connection committed (`PRAGMA data_version` moved). It holds at most `limit`
/// rows; a window that ends is let go of.
struct TargetRowCache {
    /// A window's rows in the order of `targets(of:)`, and each one's place by target name.
    struct Rows {
        var records: [TargetStateRecord]
        var places: [String: Int]

        func record(_ target: String) -> TargetStateRecord? { places[target].map { records[$0] } }
    }

    static let limit = 20_000

    private var windows: [String: Rows] = [:]
    private var count = 0
    /// `Database.rollbacks` and `PRAGMA data_version` when the rows were read.
    private var seen: (rollbacks: Int, dataVersion: Int64)?

    /// Whether what is kept can be used: nothing was rolled back and no one else wrote since.
    /// If not, everything is let go of.
    mutating func check(rollbacks: Int, dataVersion: Int64) {
        if let seen, seen.rollbacks == rollbacks, seen.dataVersion == dataVersion { return }
        windows = [:]
        count = 0
        seen = (rollbacks, dataVersion)
    }

    func rows(of window: String) -> Rows? { windows[window] }

    mutating func keep(_ records: [TargetStateRecord], of window: String) {
        forget(window)
        guard records.count <= Self.limit else { return }
        if count + records.count > Self.limit {
            windows = [:]
            count = 0
        }
        windows[window] = Rows(records: records, places: records.placesByTarget())
        count += records.count
    }

    /// Rows of one window as `saveTargets` wrote them (the stage is not written, and stays as
    /// read). The window's rows are looked up once for all of them.
    mutating func update(_ written: ArraySlice<TargetStateRecord>, of window: String) {
        guard var rows = windows.removeValue(forKey: window) else { return }
        for record in written {
            if let place = rows.places[record.target] { rows.records[place].replace(with: record) }
        }
        windows[window] = rows
    }

    mutating func forget(_ window: String) {
        if let rows = windows.removeValue(forKey: window) { count -= rows.records.count }
    }
}

extension TargetStateRecord {
    /// Takes what `saveTarget` writes from `written`.
    fileprivate mutating func replace(with written: TargetStateRecord) {
        let stage = self.stage
        self = written
        self.stage = stage
    }
}
