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
    func delivery(of body: String, id: String, now: Date, secrets: SecretSource, authenticate: MessageAuthenticator) throws(SecretError) -> ChannelDelivery
    /// What `maint preview` shows above the body: where it goes and how, with no secret.
    var previewLines: [String] { get }
}

extension Channel {
    public func invites(_ event: AnnouncementEvent) -> Bool { false }
}

/// The transfer a channel asks for.
public enum ChannelDelivery: Sendable {
    case request(HTTPRequest)
    case mail(MailRequest)
}

/// HMAC-SHA256 of a message with a key: libcrypto's, handed in by the engine.
public typealias MessageAuthenticator = @Sendable (_ message: Data, _ key: Data) -> Data
