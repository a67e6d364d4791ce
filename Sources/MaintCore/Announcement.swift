import Foundation

/// What one channel says about one event: a subject and a plain-text body, in the channel's
/// zone, from the channel's own wording or the defaults. Every format (JSON, chat, e-mail) is
/// built from it, so that they all say the same thing.
public struct Announcement {
    public var event: AnnouncementEvent
    public var subject: String
    public var body: String
    public var values: [String: String]
    public var window: WindowRecord
    public var targets: [TargetStateRecord]
    public var extra: [String: JSONValue]
    public var zone: TimeZone
    public var now: Date
    /// The body from the channel's own wording for the event, when it has one.
    public var customBody: String?

    /// `displayNames`: what people call each target (`displayName` in the files), for
    /// `{{targets}}`; a target without one is named by its key.
    public init(event: AnnouncementEvent, window: WindowRecord, targets: [TargetStateRecord], channel: ChannelConfig?, extra: [String: JSONValue], now: Date,
                displayNames: [String: String] = [:]) {
        let zone = channel?.timezone ?? TimeZone(identifier: window.timezone) ?? .current
        var values = WindowContext.values(window, target: nil, zone: zone, now: now)
        values["event"] = event.rawValue
        values["targets"] = targets.map { displayNames[$0.target] ?? $0.target }.joined(separator: ", ")
        values["state"] = window.state.rawValue
        values["channel"] = channel?.name ?? ""
        values["result"] = extra["result"]?.stringValue ?? ""
        values["notice.offset"] = extra["notice"]?["offset"]?.stringValue ?? ""
        for key in ["target", "action", "error", "next"] {
            values["failure.\(key)"] = extra["failure"]?[key]?.stringValue ?? ""
        }
        values["health"] = Self.healthText(extra["health"])
        let wording = channel?.templates[event] ?? channel?.allEvents
        let defaults = DefaultWording.for(event)
        let context = TemplateContext(values: values, secrets: SecretSource(environment: [:]))
        subject = ((try? (wording?.subject ?? defaults.subject).render(context)) ?? window.headline)
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        body = (try? (wording?.body ?? defaults.body).render(context)) ?? window.message
        customBody = wording?.body == nil ? nil : body
        self.event = event
        self.values = values
        self.window = window
        self.targets = targets
        self.extra = extra
        self.zone = zone
        self.now = now
    }

    /// `- shop-eu: healthy (home: ok; api: ok)`, one line per target.
    static func healthText(_ health: JSONValue?) -> String {
        guard case .array(let targets)? = health else { return "" }
        return targets.map { target in
            var line = "- \(target["target"]?.stringValue ?? "?"): \(target["state"]?.stringValue ?? "?")"
            if case .array(let checks)? = target["checks"], !checks.isEmpty {
                line += " (" + checks.map { check in
                    "\(check["check"]?.stringValue ?? "?"): " + (check["ok"] == .bool(true) ? "ok" : (check["detail"]?.stringValue ?? "failed"))
                }.joined(separator: "; ") + ")"
            }
            return line
        }.joined(separator: "\n")
    }
}
