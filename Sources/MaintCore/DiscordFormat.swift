import Foundation

/// Discord webhook: one embed (title ≤ 256, description ≤ 4096, field values ≤ 1024 characters).
public enum DiscordFormat: WebhookFormatter {
    public static let name = "discord"
    public static let signed = false

    public static func body(_ announcement: Announcement) -> String {
        JSONValue.object([
            "username": .string("maint"),
            "embeds": .array([.object([
                "title": .string(String(announcement.subject.prefix(256))),
                "description": .string(String(announcement.body.prefix(4096))),
                "color": .number(Double(ChatPayload.color(announcement.event, result: announcement.values["result"] ?? ""))),
                "timestamp": .string(TimeText.rfc3339(announcement.now)),
                "fields": .array(ChatPayload.facts(announcement).map { .object(["name": .string($0.0), "value": .string(String($0.1.prefix(1024))), "inline": .bool($0.0 != "Targets")]) }),
                "footer": .object(["text": .string("maint · \(announcement.event.rawValue)")]),
            ])]),
        ]).serialized()
    }
}
