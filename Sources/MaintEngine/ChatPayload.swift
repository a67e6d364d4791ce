import Foundation
import MaintCore

/// Chat formats of an announcement: what Slack, Microsoft Teams and Discord incoming webhooks accept.
enum ChatPayload {
    /// A colour per kind of news: blue planned, amber under way, green over, red trouble.
    static func color(_ event: AnnouncementEvent, result: String) -> Int {
        switch event {
        case .failure, .missed: return 0xD73A49
        case .end: return result == "completed" ? 0x2DA44E : 0xD73A49
        case .start, .updated, .extended: return 0xBF8700
        case .scheduled, .notice, .canceled: return 0x0969DA
        }
    }

    static func facts(_ announcement: Announcement) -> [(String, String)] {
        var facts = [("Start", announcement.values["start.local"] ?? ""), ("End", announcement.values["end.local"] ?? "")]
        if !(announcement.values["targets"] ?? "").isEmpty { facts.append(("Targets", announcement.values["targets"] ?? "")) }
        facts.append(("Window", announcement.window.id))
        return facts
    }

    /// Slack incoming webhook: `text` (the notification line) and Block Kit blocks.
    static func slack(_ announcement: Announcement) -> String {
        let fields: [JSONValue] = facts(announcement).map { .object(["type": .string("mrkdwn"), "text": .string("*\(escapeSlack($0.0))*\n\(escapeSlack($0.1))")]) }
        return JSONValue.object([
            "text": .string(announcement.subject),
            "blocks": .array([
                .object(["type": .string("header"), "text": .object(["type": .string("plain_text"), "text": .string(String(announcement.subject.prefix(150)))])]),
                .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(escapeSlack(String(announcement.body.prefix(2900))))])]),
                .object(["type": .string("section"), "fields": .array(fields)]),
                .object(["type": .string("context"), "elements": .array([.object(["type": .string("mrkdwn"), "text": .string("maint · \(escapeSlack(announcement.event.rawValue))")])])]),
            ]),
        ]).serialized()
    }

    /// Slack's mrkdwn needs &, < and > escaped.
    static func escapeSlack(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Microsoft Teams incoming webhook (Workflows): a message with one Adaptive Card.
    static func teams(_ announcement: Announcement) -> String {
        let card: JSONValue = .object([
            "$schema": .string("http://adaptivecards.io/schemas/adaptive-card.json"),
            "type": .string("AdaptiveCard"),
            "version": .string("1.4"),
            "body": .array([
                .object(["type": .string("TextBlock"), "text": .string(announcement.subject), "weight": .string("Bolder"), "size": .string("Medium"), "wrap": .bool(true),
                         "color": .string([.failure, .missed].contains(announcement.event) ? "Attention" : "Default")]),
                .object(["type": .string("TextBlock"), "text": .string(announcement.body), "wrap": .bool(true)]),
                .object(["type": .string("FactSet"), "facts": .array(facts(announcement).map { .object(["title": .string($0.0), "value": .string($0.1)]) })]),
            ]),
        ])
        return JSONValue.object([
            "type": .string("message"),
            "attachments": .array([.object(["contentType": .string("application/vnd.microsoft.card.adaptive"), "contentUrl": .null, "content": card])]),
        ]).serialized()
    }

    /// Discord webhook: one embed (title ≤ 256, description ≤ 4096, field values ≤ 1024 characters).
    static func discord(_ announcement: Announcement) -> String {
        JSONValue.object([
            "username": .string("maint"),
            "embeds": .array([.object([
                "title": .string(String(announcement.subject.prefix(256))),
                "description": .string(String(announcement.body.prefix(4096))),
                "color": .number(Double(color(announcement.event, result: announcement.values["result"] ?? ""))),
                "timestamp": .string(TimeText.rfc3339(announcement.now)),
                "fields": .array(facts(announcement).map { .object(["name": .string($0.0), "value": .string(String($0.1.prefix(1024))), "inline": .bool($0.0 != "Targets")]) }),
                "footer": .object(["text": .string("maint · \(announcement.event.rawValue)")]),
            ])]),
        ]).serialized()
    }
}
