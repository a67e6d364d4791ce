/// The body of a webhook channel, in one receiver's format: one type per format, each in its
/// own file, found by its `format:` name in `WebhookFormatter.all`.
public protocol WebhookFormatter: Sendable {
    /// The word after `format:` in a schedule file.
    static var name: String { get }
    /// Whether deliveries carry Standard Webhooks ids and signatures.
    static var signed: Bool { get }
    static func body(_ announcement: Announcement) -> String
}

public enum WebhookFormats {
    public static let all: [any WebhookFormatter.Type] = [JSONFormat.self, SlackFormat.self, TeamsFormat.self, DiscordFormat.self]

    public static func named(_ name: String) -> (any WebhookFormatter.Type)? { all.first { $0.name == name } }
}
