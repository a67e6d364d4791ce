import Foundation

/// Microsoft Teams incoming webhook (Workflows): a message with one Adaptive Card.
public enum TeamsFormat: WebhookFormatter {
    public static let name = "teams"
    public static let signed = false

    public static func body(_ announcement: Announcement) -> String {
        let card: JSONValue = .object([
            "$schema": .string("http://adaptivecards.io/schemas/adaptive-card.json"),
            "type": .string("AdaptiveCard"),
            "version": .string("1.4"),
            "body": .array([
                .object(["type": .string("TextBlock"), "text": .string(announcement.subject), "weight": .string("Bolder"), "size": .string("Medium"), "wrap": .bool(true),
                         "color": .string([.failure, .missed].contains(announcement.event) ? "Attention" : "Default")]),
                .object(["type": .string("TextBlock"), "text": .string(announcement.body), "wrap": .bool(true)]),
                .object(["type": .string("FactSet"), "facts": .array(ChatPayload.facts(announcement).map { .object(["title": .string($0.0), "value": .string($0.1)]) })]),
            ]),
        ])
        return JSONValue.object([
            "type": .string("message"),
            "attachments": .array([.object(["contentType": .string("application/vnd.microsoft.card.adaptive"), "contentUrl": .null, "content": card])]),
        ]).serialized()
    }
}
