/// What the window machine decided for one window at one instant: the records to store, the
/// events and announcements to write with them (all in one transaction), and, only once that
/// transaction is committed, the work to start.
public struct WindowStep: Sendable {
    /// The window as it is now; its state is stored when it differs from the one read.
    public var window: WindowRecord
    /// Targets whose record changed, this window's and, for a hold handed on, another's.
    /// The target records to store, each once (saved through `save`).
    public private(set) var targets: [TargetStateRecord] = []
    /// Where each saved target is in `targets`, by window and name: made once a step saves more
    /// than a few (most steps save one, and a table of one costs more than looking through one).
    private var positions: [WindowTargetKey: Int] = [:]
    private static let fewTargets = 8
    /// Notices whose state changed.
    public var notices: [NoticeRecord] = []
    /// The window's notices still pending are dropped: it started, or will never start.
    public var dropsPendingNotices = false
    public var events: [Event] = []
    public var announcements: [Announce] = []
    /// Work to start after the commit.
    public var effects: [Effect] = []
    public var notes: [Note] = []
    /// An outcome was recorded that lets a window go on at once: run another round, do not sleep.
    public var movedOn = false

    public init(window: WindowRecord) { self.window = window }

    public var isEmpty: Bool { targets.isEmpty && notices.isEmpty && events.isEmpty && announcements.isEmpty && !dropsPendingNotices }

    /// A line of the event log.
    public struct Event: Sendable, Equatable {
        public var window: String
        public var target: String?
        public var kind: String
        public var message: String
        public var detail: String?
    }

    /// An announcement to queue for the window's channels.
    public struct Announce: Sendable, Equatable {
        public var event: AnnouncementEvent
        public var extra: [String: JSONValue]
    }

    public enum Effect: Sendable, Equatable {
        /// Send the target's activate (or deactivate) work.
        case switchOn(String), switchOff(String)
        /// Read the target's real state.
        case probe(String)
        /// Run the target's health checks.
        case checks(String)
        /// One round of `maint done`'s checks, when due.
        case doneRound
        /// An occurrence of a recurring definition began: store the next ones.
        case renewSeries(String)
    }

    /// A line for the daemon's log. Its text is made when read: a command's log drops routine
    /// lines, and a fleet's switches made one each.
    public struct Note: Sendable, Equatable {
        public enum Severity: Sendable { case info, notice, warning, error }
        public var severity: Severity
        private let line: @Sendable () -> String
        public var text: String { line() }

        public init(severity: Severity, text: @autoclosure @escaping @Sendable () -> String) {
            self.severity = severity
            line = text
        }

        public static func == (first: Note, second: Note) -> Bool { first.severity == second.severity && first.text == second.text }
    }

    /// Room for `count` more saved targets, saved without growing twice over.
    mutating func reserveTargets(_ count: Int) {
        targets.reserveCapacity(targets.count + count)
        if targets.count + count > Self.fewTargets { positions.reserveCapacity(targets.count + count) }
    }

    mutating func save(_ target: TargetStateRecord) {
        if targets.count < Self.fewTargets {
            if let index = targets.firstIndex(where: { $0.target == target.target && $0.windowId == target.windowId }) {
                targets[index] = target
            } else {
                targets.append(target)
            }
            return
        }
        if positions.isEmpty {
            for (index, saved) in targets.enumerated() { positions[WindowTargetKey(saved)] = index }
        }
        let key = WindowTargetKey(target)
        if let index = positions[key] {
            targets[index] = target
        } else {
            positions[key] = targets.count
            targets.append(target)
        }
    }

    /// Takes in a later decision on the same window: its records replace this one's, its lines,
    /// announcements and work follow this one's.
    mutating func append(_ later: WindowStep) {
        window = later.window
        later.targets.forEach { save($0) }
        notices += later.notices
        dropsPendingNotices = dropsPendingNotices || later.dropsPendingNotices
        events += later.events
        announcements += later.announcements
        effects += later.effects
        notes += later.notes
        movedOn = movedOn || later.movedOn
    }

    mutating func event(_ kind: String, target: String? = nil, _ message: String, detail: String? = nil) {
        events.append(Event(window: window.id, target: target, kind: kind, message: message, detail: detail))
    }

    mutating func announce(_ event: AnnouncementEvent, _ extra: [String: JSONValue] = [:]) {
        announcements.append(Announce(event: event, extra: extra))
    }

    mutating func note(_ severity: Note.Severity, _ text: @autoclosure @escaping @Sendable () -> String) {
        let id = window.id
        notes.append(Note(severity: severity, text: "window \(id): \(text())"))
    }
}
