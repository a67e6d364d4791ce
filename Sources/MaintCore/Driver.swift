import Foundation

/// How one kind of target is switched: one type per driver, each in its own file, found by its
/// name in `DriverRegistry`. A driver reads its own keys of a target, and decides; it does no I/O.
/// What it asks for (a request, a program, files, a runtime-socket exchange) is a `DriverWork`
/// value that the engine performs off its loop, and the result comes back to `outcome`.
///
/// Adding a driver: one new file with a type conforming to `Driver`, its name in
/// `DriverRegistry.kinds`, and its tests.
public protocol Driver: Sendable {
    /// The word after `driver:` in a schedule file.
    static var name: String { get }
    /// The keys of a target object this driver reads, besides those every target has.
    static var keys: Set<String> { get }
    /// Reads this driver's keys of a target, reporting every problem through `reader`.
    static func read(_ target: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> Self?

    /// Every secret its templates name.
    var secretNames: [String] { get }
    /// How often a failed switch is tried again before the target fails.
    func retries(activate: Bool) -> Int
    /// The work that switches maintenance on (or off) for the window in `context`.
    func switchWork(activate: Bool, _ context: DriverContext) throws(DriverError) -> DriverWork
    /// What the result of that work means.
    func outcome(activate: Bool, _ result: DriverResult) -> SwitchOutcome
    /// Whether a target in maintenance must be switched on again when its window gets a new end
    /// (`maint extend`) or a new text (`maint update`), so that it shows them.
    func refreshes(on change: WindowChange) -> Bool
    /// When a target in maintenance is next looked at, and how; nil: not until its window ends.
    func look(openEnded: Bool, probeInterval: Int64) -> Look?
    /// Whether `probeWork` can read the real state at all.
    var readsState: Bool { get }
    /// The work that reads whether the target really is in maintenance.
    func probeWork(_ context: DriverContext) throws(DriverError) -> DriverWork
    /// What that work found: in maintenance or not (nil: cannot tell), and how it knows.
    func probeOutcome(_ result: DriverResult) -> ProbeReading
    /// A request to the platform's own banner at each notice, if the driver has one.
    var noticeAction: HTTPAction? { get }
}

extension Driver {
    public var noticeAction: HTTPAction? { nil }
}

/// What a driver's work is built from: the window it shows (for a target held by several, the
/// newest hold with the latest end), its template values, and what the driver kept last time.
public struct DriverContext: Sendable {
    public var values: [String: String]
    public var secrets: SecretSource
    public var headline: String
    public var message: String
    public var page: PageFields
    /// Nil for an open-ended window.
    public var end: Date?
    /// What the last successful switch left to remember (an Alertmanager silence id).
    public var driverState: String?
    public var now: Date

    public init(values: [String: String], secrets: SecretSource, headline: String = "", message: String = "", page: PageFields = PageFields(),
                end: Date? = nil, driverState: String? = nil, now: Date) {
        self.values = values
        self.secrets = secrets
        self.headline = headline
        self.message = message
        self.page = page
        self.end = end
        self.driverState = driverState
        self.now = now
    }

    public var templates: TemplateContext { TemplateContext(values: values, secrets: secrets) }
}

/// Work that cannot be built, so no retry can mend it (a secret that is not set).
public struct DriverError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What a switch came to.
public enum SwitchOutcome: Sendable, Equatable {
    /// Done; with what the driver keeps for the next switch, if anything.
    case success(String, keep: String? = nil)
    /// Not done; tried again while retries last.
    case failure(String)
}

/// What `maint extend` and `maint update` change.
public enum WindowChange: Sendable, CaseIterable {
    case end, text
}

/// The next look at a target in maintenance.
public enum Look: Sendable, Equatable {
    /// Switch it on again after this long: what it set expires (a WordPress flag, a silence).
    case rearm(after: Int64)
    /// Read its real state after this long, and switch it back on if it drifted out.
    case probe(after: Int64)

    public var delay: Int64 {
        switch self {
        case .rearm(let after), .probe(let after): return after
        }
    }
}

/// A reading of a target's real state: true in maintenance, false not, nil cannot tell.
public struct ProbeReading: Sendable, Equatable {
    public var inMaintenance: Bool?
    public var detail: String

    public init(_ inMaintenance: Bool?, _ detail: String) {
        self.inMaintenance = inMaintenance
        self.detail = detail
    }
}
