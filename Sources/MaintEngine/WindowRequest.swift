import Foundation
import MaintCore

/// A window asked for on the command line (`maint add`, `maint now`).
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
    public enum Kind: Sendable { case input, state }
    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
