import MaintCore

/// The records a step's effects name, by target, of the step's own window only: the step's
/// record of a target (`changed`, each target once, as `WindowStep` saves them) before the one
/// read. A fleet's effects name the targets its step changed, in the same order: each is found
/// where the last one was found, next in `changed`, and no table of a thousand names is made
/// unless an effect names another target.
struct EffectRecords {
    let window: String
    let read: [TargetStateRecord]
    let changed: [TargetStateRecord]
    /// Where the next effect's target is likely to be in `changed`.
    private var nextChanged = 0
    private var changedPlaces: [String: Int]?
    private var readPlaces: [String: Int]?

    init(window: String, read: [TargetStateRecord], changed: [TargetStateRecord]) {
        self.window = window
        self.read = read
        self.changed = changed
    }

    mutating func record(_ name: String) -> TargetStateRecord? {
        if nextChanged < changed.count, changed[nextChanged].target == name, changed[nextChanged].windowId == window {
            nextChanged += 1
            return changed[nextChanged - 1]
        }
        if changedPlaces == nil { changedPlaces = changed.placesByTarget(of: window) }
        if let place = changedPlaces?[name] {
            nextChanged = place + 1
            return changed[place]
        }
        if readPlaces == nil { readPlaces = read.placesByTarget(of: window) }
        return readPlaces?[name].map { read[$0] }
    }

    /// The names of all of the window's targets among them.
    var names: Set<String> {
        Set(read.filter { $0.windowId == window }.map(\.target)).union(changed.filter { $0.windowId == window }.map(\.target))
    }
}
