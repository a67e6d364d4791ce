import Foundation

/// `type: "statuspage"`: an Atlassian Statuspage (or an API that speaks the same) kept in step
/// with the window, as one scheduled maintenance per window. `scheduled` creates it; `updated`,
/// `extended`, `canceled`, `start`, `end` and `missed` change it; the incident's id, from the
/// answer to the creation, is kept by the engine as the window's reference on this channel.
/// A window that was never announced as scheduled (`maint now`) creates its incident at the
/// first event it has. `Authorization: OAuth KEY`; one request a second per key, as the
/// platform allows.
public struct StatuspageChannel: Channel {
    public static let type = "statuspage"
    public static let keys: Set<String> = ["pageId", "apiKey", "components", "api"]
    public static let defaultAPI = "https://api.statuspage.io/v1"
    /// Statuspage reminds its own subscribers (`scheduled_remind_prior`); a target's failure is
    /// for the operators' channels, not the public page.
    public static let events: Set<AnnouncementEvent> = [.scheduled, .updated, .extended, .canceled, .start, .end, .missed]
    /// Each event changes the incident the one before made.
    public static let ordered = true

    public let api: Template
    public let pageId: String
    /// The API key, a `{{secret:NAME}}`.
    public let apiKey: Template
    /// Statuspage component id by target name; targets not named have no component.
    public let components: [String: String]
    /// One request a second per key (a little more, for the jitter between sending and arriving),
    /// counted by the key's `{{secret:NAME}}` and the API, never its value.
    public let pacing: ChannelPacing?

    public init(api: Template, pageId: String, apiKey: Template, components: [String: String]) {
        self.api = api
        self.pageId = pageId
        self.apiKey = apiKey
        self.components = components
        pacing = ChannelPacing(key: "statuspage \(api.source) \(apiKey.source)", interval: 1.05)
    }

    public static func read(_ channel: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> StatuspageChannel? {
        let pageId = reader.string(channel, "pageId", path, required: true)
        if let pageId, pageId.isEmpty || !pageId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            reader.fail(path.appending("pageId"), "\(Quoted(pageId)) is not a page id (letters and digits, as in the page's API settings)")
        }
        var apiKey: Template?
        if let text = reader.string(channel, "apiKey", path, required: true) {
            apiKey = reader.template(text, path.appending("apiKey"))
            if let key = apiKey, key.secretNames.isEmpty {
                reader.fail(path.appending("apiKey"), "write the API key as \"{{secret:NAME}}\" so that it stays out of files and logs")
            }
        }
        let api: Template?
        if channel["api"] != nil {
            api = reader.urlTemplate(channel, "api", path, required: true)
        } else {
            api = try? Template(parsing: defaultAPI)
        }
        var components: [String: String] = [:]
        if let value = channel["components"] {
            guard case .object(let byTarget) = value else {
                reader.fail(path.appending("components"), "expected an object of component ids by target, got \(value.kindName)")
                return nil
            }
            for (target, id) in byTarget.sorted(by: { $0.key < $1.key }) {
                guard case .string(let id) = id, !id.isEmpty else {
                    reader.fail(path.appending("components").appending(target), "expected the component's id, a string")
                    continue
                }
                components[target] = id
            }
        }
        guard let pageId, let apiKey, let api else { return nil }
        return StatuspageChannel(api: api, pageId: pageId, apiKey: apiKey, components: components)
    }

    public var secretNames: [String] { api.secretNames + apiKey.secretNames }

    public var targetsNamed: (key: String, names: [String])? { ("components", components.keys.sorted()) }

    /// The incident, whole, as this event leaves it: whichever request carries it (the creation or
    /// a change) sets the page to what the window is now.
    public func render(_ announcement: Announcement, id: String, invitation: String?) -> String {
        let window = announcement.window
        let componentIds = announcement.targets.compactMap { components[$0.target] }
        var incident: [String: JSONValue] = [
            "name": .string(window.headline),
            "status": .string(Self.status(announcement.event, window: window.state).rawValue),
            "body": .string(announcement.customBody ?? Self.body(announcement)),
            "scheduled_for": .string(TimeText.rfc3339(Date(timeIntervalSince1970: Double(window.startAt) / 1000))),
            "component_ids": .array(componentIds.map(JSONValue.string)),
            // maint moves it at the real instants, which a held or extended window changes.
            "scheduled_auto_in_progress": .bool(false),
            "scheduled_auto_completed": .bool(false),
            "scheduled_remind_prior": .bool(true),
            "deliver_notifications": .bool(true),
        ]
        if let end = window.endAt {
            incident["scheduled_until"] = .string(TimeText.rfc3339(Date(timeIntervalSince1970: Double(end) / 1000)))
        }
        if let state = Self.componentState(announcement.event) {
            incident["components"] = .object(Dictionary(componentIds.map { ($0, JSONValue.string(state)) }) { first, _ in first })
        }
        return JSONValue.object(["incident": .object(incident)]).serialized()
    }

    public func delivery(of body: String, _ delivery: DeliveryContext) throws(SecretError) -> ChannelDelivery {
        if delivery.reference == nil, delivery.event == .canceled || delivery.event == .missed {
            return .unneeded("no incident was created for the window, so there is none to close")
        }
        let context = TemplateContext(values: [:], secrets: delivery.secrets)
        var url = try api.renderURL(context)
        while url.hasSuffix("/") { url.removeLast() }
        url += "/pages/" + Template.percentEncoded(pageId) + "/incidents"
        if let reference = delivery.reference { url += "/" + Template.percentEncoded(reference) }
        let headers: [(name: String, value: String)] = [("Authorization", "OAuth " + (try apiKey.render(context))), ("Content-Type", "application/json")]
        return .request(HTTPRequest(method: delivery.reference == nil ? "POST" : "PATCH", url: url, headers: headers, body: Data(body.utf8),
                                    timeoutMilliseconds: 15_000))
    }

    /// The incident's id, from the answer to its creation (or to a change, which names it too).
    public func reference(from response: HTTPResponse) -> String? {
        guard let answer = try? JSONValue.parseJSON(response.body), case .string(let id)? = answer["id"], !id.isEmpty else { return nil }
        return id
    }

    public var previewLines: [String] {
        let base = api.source.hasSuffix("/") ? String(api.source.dropLast()) : api.source
        return ["POST \(base)/pages/\(pageId)/incidents (the first time; then PATCH …/incidents/INCIDENT_ID)",
                "Authorization: OAuth \(apiKey.source)", "Content-Type: application/json"]
    }

    /// A scheduled maintenance's statuses on Statuspage.
    enum Status: String {
        case scheduled, inProgress = "in_progress", completed
    }

    static func status(_ event: AnnouncementEvent, window: WindowState) -> Status {
        switch event {
        case .scheduled, .notice: return .scheduled
        case .start, .failure: return .inProgress
        case .end, .canceled, .missed: return .completed
        case .updated, .extended: return window == .scheduled ? .scheduled : (window.isTerminal ? .completed : .inProgress)
        }
    }

    /// What the targets' components are set to, or nil to leave them as they are.
    static func componentState(_ event: AnnouncementEvent) -> String? {
        switch event {
        case .start: return "under_maintenance"
        case .end, .canceled, .missed: return "operational"
        case .scheduled, .notice, .updated, .extended, .failure: return nil
        }
    }

    /// What the page's readers are told, when the channel has no wording of its own: the
    /// window's message, and what changed; never the operators' details (health checks, errors).
    static func body(_ announcement: Announcement) -> String {
        let values = announcement.values
        let message = values["message"] ?? announcement.window.message
        switch announcement.event {
        case .scheduled, .notice, .updated, .failure: return message
        case .start: return "The maintenance has started.\n\n" + message
        case .extended: return "The maintenance now ends at \(values["end.local"] ?? "").\n\n" + message
        case .canceled: return "This maintenance is canceled: nothing will be interrupted."
        case .end: return "The maintenance is over."
        case .missed: return "This maintenance did not take place."
        }
    }

}
