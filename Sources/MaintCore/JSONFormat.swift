import Foundation

/// The generic JSON body (schema in docs/webhook-json.schema.json):
/// `{"type": "window.EVENT", "timestamp": RFC 3339, "data": {...}}`, after the Standard Webhooks
/// layout; the only format that is signed.
public enum JSONFormat: WebhookFormatter {
    public static let name = "json"
    public static let signed = true

    public static func body(_ announcement: Announcement) -> String {
        let (event, window, targets, zone, now, extra, values) = (announcement.event, announcement.window, announcement.targets,
                                                                  announcement.zone, announcement.now, announcement.extra, announcement.values)
        var page: [String: JSONValue] = [:]
        for (key, value) in [("bypassUrl", window.page.bypassUrl), ("buttonText", window.page.buttonText),
                             ("imageUrl", window.page.imageUrl), ("icon", window.page.icon)] {
            if let value { page[key] = .string(value) }
        }
        var windowObject: [String: JSONValue] = [
            "id": .string(window.id),
            "state": .string(window.state.rawValue),
            "headline": .string(window.headline),
            "message": .string(values["message"] ?? window.message),
            "start": .string(values["start"] ?? ""),
            "startLocal": .string(values["start.local"] ?? ""),
            "end": window.endAt == nil ? .null : .string(values["end"] ?? ""),
            "endLocal": window.endAt == nil ? .null : .string(values["end.local"] ?? ""),
            "timezone": .string(zone.identifier),
            "targets": .array(targets.map { .object(["name": .string($0.target), "state": .string($0.state.rawValue)]) }),
            "page": .object(page),
        ]
        if let end = window.endAt { windowObject["durationSeconds"] = .number(Double((end - window.startAt) / 1000)) }
        var data: [String: JSONValue] = ["event": .string(event.rawValue), "window": .object(windowObject),
                                         "subject": .string(announcement.subject), "text": .string(announcement.body)]
        for (key, value) in extra { data[key] = value }
        return JSONValue.object([
            "type": .string("window.\(event.rawValue)"),
            "timestamp": .string(TimeText.rfc3339(now)),
            "data": .object(data),
        ]).serialized()
    }
}
