import Foundation

/// Slack incoming webhook: `text` (the notification line) and Block Kit blocks.
public enum SlackFormat: WebhookFormatter {
    public static let name = "slack"
    public static let signed = false

    public static func body(_ announcement: Announcement) -> String {
        let fields: [JSONValue] = ChatPayload.facts(announcement).map { .object(["type": .string("mrkdwn"), "text": .string("*\(ChatPayload.escapeSlack($0.0))*\n\(ChatPayload.escapeSlack($0.1))")]) }
        return JSONValue.object([
            "text": .string(announcement.subject),
            "blocks": .array([
                .object(["type": .string("header"), "text": .object(["type": .string("plain_text"), "text": .string(String(announcement.subject.prefix(150)))])]),
                .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(ChatPayload.escapeSlack(String(announcement.body.prefix(2900))))])]),
                .object(["type": .string("section"), "fields": .array(fields)]),
                .object(["type": .string("context"), "elements": .array([.object(["type": .string("mrkdwn"), "text": .string("maint · \(ChatPayload.escapeSlack(announcement.event.rawValue))")])])]),
            ]),
        ]).serialized()
    }
}
