import Foundation

/// What the chat formats (Slack, Microsoft Teams, Discord) share: a colour per event and the facts shown.
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

    /// Slack's mrkdwn needs &, < and > escaped.
    static func escapeSlack(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
