import Foundation
import MaintCore

/// A window asked for on the command line or the control API (`maint add`, `maint now`).
public struct WindowRequest: Sendable {
    public var selectors: [String]
    public var start: Date
    public var end: Date?
    public var headline: String
    public var message: String
    public var notices: [Int64]
    /// Channels to announce on; nil means every channel of the schedule.
    public var channels: [String]?
    public var timezone: TimeZone
    public var emergency: Bool
    /// Planned even over a freeze or another window.
    public var force: Bool
    /// The maintenance page's fields (bypass link, button, image, icon).
    public var page = PageFields()

    public static let plannedHeadline = "Scheduled maintenance"
    public static let plannedMessage = "This site is undergoing scheduled maintenance."
    public static let emergencyHeadline = "Maintenance in progress"

    public init(selectors: [String], start: Date, end: Date?, headline: String, message: String, notices: [Int64],
                channels: [String]?, timezone: TimeZone, emergency: Bool, force: Bool = false) {
        self.selectors = selectors
        self.start = start
        self.end = end
        self.headline = headline
        self.message = message
        self.notices = notices
        self.channels = channels
        self.timezone = timezone
        self.emergency = emergency
        self.force = force
    }
}

/// A request the current state of things refuses, said so that the user knows what to do instead.
public struct CommandRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The request is wrong in itself (an unknown target, an end before the start).
        case input
        /// It names a window that does not exist.
        case notFound
        /// It clashes with another window or a freeze.
        case conflict
        /// The window is in a state that does not allow it.
        case state
        /// The daemon cannot do it yet: it runs on its stored schedule and has not read the
        /// files (they have errors); worth another try once they are fixed and reloaded.
        case notReady
    }
    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
