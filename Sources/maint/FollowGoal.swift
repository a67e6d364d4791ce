import MaintCore

/// What a command follows a window until. Decided from the window's state, and from its targets
/// only when the state leaves it open: a window of a thousand targets followed to its end is not
/// read target by target at every round.
enum FollowGoal {
    /// Every target has answered its first switch (`maint now`).
    case settled
    /// The window is over (`maint end`, `maint done`).
    case over
    /// No target is still being told a new end or message (`maint extend`, `maint update`).
    case told

    func isReached(_ state: WindowState?, targets: () throws -> [Progress.Target]) rethrows -> Bool {
        // A window gone (nil) is over too: nothing more will happen to it.
        if state?.isTerminal ?? true { return true }
        switch self {
        case .over: return false
        case .settled: return try state != .scheduled && state != .activating && !targets().contains { $0.state == .activating }
        case .told: return try !targets().contains { $0.state == .refreshing }
        }
    }
}
