import Foundation

/// Where announcements go: one type per kind of channel, each in its own file, found by its
/// `type:` in `ChannelRegistry`. A channel reads its own keys, renders an announcement into the
/// exact bytes it sends (once, when queued, so every retry sends the same), and says which
/// transfer delivers them; the engine's outbox performs it.
///
/// Adding a kind of channel: one new file with a type conforming to `Channel`, its name in
/// `ChannelRegistry.kinds`, and its tests. A webhook format is a `WebhookFormatter` the same way.
public protocol Channel: Sendable {
    /// The word after `type:` in a schedule file.
    static var type: String { get }
    /// The keys of a channel object this kind reads, besides those every channel has.
    static var keys: Set<String> { get }
    static func read(_ channel: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> Self?

    var secretNames: [String] { get }
    /// Whether its message for `event` carries an iCalendar invitation.
    func invites(_ event: AnnouncementEvent) -> Bool
    /// Exactly what is sent: `id` is the delivery's, the same on every retry.
    func render(_ announcement: Announcement, id: String, invitation: String?) -> String
    /// The transfer that delivers a rendered body, with its secrets read now.
    func delivery(of body: String, _ context: DeliveryContext) throws(SecretError) -> ChannelDelivery
    /// The id of what an accepted delivery made on the other side (a status page's incident),
    /// kept for the window's later deliveries to this channel.
    func reference(from response: HTTPResponse) -> String?
    /// At most one request per `interval` for each `key` (a platform's rate limit), or nil.
    var pacing: ChannelPacing? { get }
    /// Whether each delivery changes what the window's earlier ones made (a status page's
    /// incident): then a window's deliveries wait for the one before (delivered or dead), never
    /// undo a later one, and are given the `reference` the earlier ones left.
    static var ordered: Bool { get }
    /// The events this kind acts on; `*` in the file means these.
    static var events: Set<AnnouncementEvent> { get }
    /// The targets it names, by the key under which it names them (`components`), checked once
    /// every target is read.
    var targetsNamed: (key: String, names: [String])? { get }
    /// What `maint preview` shows above the body: where it goes and how, with no secret.
    var previewLines: [String] { get }
}

extension Channel {
    public func invites(_ event: AnnouncementEvent) -> Bool { false }
    public func reference(from response: HTTPResponse) -> String? { nil }
    public var pacing: ChannelPacing? { nil }
    public static var ordered: Bool { false }
    public static var events: Set<AnnouncementEvent> { Set(AnnouncementEvent.allCases) }
    public var targetsNamed: (key: String, names: [String])? { nil }
}

/// What a delivery is sent with besides its body.
public struct DeliveryContext {
    /// The delivery's id, the same on every retry.
    public var id: String
    public var event: AnnouncementEvent
    /// What an earlier delivery of the window to this channel made, if any (`reference(from:)`).
    public var reference: String?
    public var now: Date
    public var secrets: SecretSource
    public var authenticate: MessageAuthenticator

    public init(id: String, event: AnnouncementEvent, reference: String? = nil, now: Date, secrets: SecretSource, authenticate: @escaping MessageAuthenticator) {
        self.id = id
        self.event = event
        self.reference = reference
        self.now = now
        self.secrets = secrets
        self.authenticate = authenticate
    }
}

/// A rate limit a channel keeps: one request per `interval` for each `key`.
public struct ChannelPacing: Sendable, Hashable {
    /// What the limit is counted by, with no secret in it (an API key's `{{secret:NAME}}`).
    public var key: String
    public var interval: TimeInterval

    public init(key: String, interval: TimeInterval) {
        self.key = key
        self.interval = interval
    }
}

/// The transfer a channel asks for.
public enum ChannelDelivery: Sendable {
    case request(HTTPRequest)
    case mail(MailRequest)
    /// Nothing to send, and why (a cancellation of what was never created).
    case unneeded(String)
}

/// HMAC-SHA256 of a message with a key: libcrypto's, handed in by the engine.
public typealias MessageAuthenticator = @Sendable (_ message: Data, _ key: Data) -> Data
