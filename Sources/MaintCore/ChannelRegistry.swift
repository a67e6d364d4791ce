/// Every kind of channel, by the name a schedule file gives it.
public enum ChannelRegistry {
    public static let kinds: [any Channel.Type] = [WebhookChannel.self, EmailChannel.self, StatuspageChannel.self]

    static var allKeys: Set<String> { kinds.reduce(into: Set<String>()) { $0.formUnion($1.keys) } }
}
