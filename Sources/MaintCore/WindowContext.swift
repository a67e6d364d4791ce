import Foundation

/// The values a window's templates see, for one target (or none, for channels).
public enum WindowContext {
    public static func values(_ window: WindowRecord, target: String?, zone: TimeZone, now: Date) -> [String: String] {
        let start = Date(timeIntervalSince1970: Double(window.startAt) / 1000)
        let end = window.endAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        var values: [String: String] = [
            "headline": window.headline,
            "window.id": window.id,
            "target": target ?? "",
            "start": TimeText.rfc3339(start),
            "start.local": TimeText.local(start, zone: zone),
            "end": end.map { TimeText.rfc3339($0) } ?? "",
            "end.local": end.map { TimeText.local($0, zone: zone) } ?? "until further notice",
            "duration": window.endAt.map { DurationText.format($0 - window.startAt) } ?? "open-ended",
            "retryAfter": end.map { String(max(0, Int($0.timeIntervalSince(now).rounded(.up)))) } ?? "3600",
            "startsIn": String(max(0, Int(start.timeIntervalSince(now).rounded(.up)))),
            "page.bypassUrl": window.page.bypassUrl ?? "",
            "page.buttonText": window.page.buttonText ?? "",
            "page.imageUrl": window.page.imageUrl ?? "",
            "page.icon": window.page.icon ?? "",
        ]
        values["message"] = renderMessage(window.message, values: values)
        return values
    }

    /// The values for a target outside any window (`maint check`, `maint status`): its name and
    /// times now, for templates that use them in URLs or headers.
    public static func values(standaloneTarget name: String, zone: TimeZone, now: Date) -> [String: String] {
        let nowMs = now.epochMilliseconds
        let window = WindowRecord(id: "", origin: .cli, sourceFile: nil, headline: "", message: "", page: PageFields(), selectors: [],
                                  channels: [], timezone: zone.identifier, startAt: nowMs, endAt: nil, healthTimeoutMilliseconds: nil,
                                  state: .active, fingerprint: nil, createdAt: nowMs, updatedAt: nowMs)
        return values(window, target: name, zone: zone, now: now)
    }

    /// The message itself may use placeholders (`back at {{end.local}}`); secrets are refused at load.
    static func renderMessage(_ message: String, values: [String: String]) -> String {
        guard let template = try? Template(parsing: message) else { return message }
        return (try? template.render(TemplateContext(values: values, secrets: SecretSource(environment: [:])))) ?? message
    }
}
