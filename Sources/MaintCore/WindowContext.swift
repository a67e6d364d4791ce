import Foundation

/// The values a window's templates see, for one target (or none, for channels).
public enum WindowContext {
    public static func values(_ window: WindowRecord, target: String?, zone: TimeZone, now: Date) -> [String: String] {
        withTarget(target, shared(window, zone: zone, now: now), message: Message(window.message))
    }

    /// The values every target of a window shares in one zone at one instant.
    static func shared(_ window: WindowRecord, zone: TimeZone, now: Date) -> [String: String] {
        let start = Date(timeIntervalSince1970: Double(window.startAt) / 1000)
        let end = window.endAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        return [
            "headline": window.headline,
            "window.id": window.id,
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
    }

    /// The shared values with the target's name, and the message rendered with them (it may name
    /// the target).
    static func withTarget(_ target: String?, _ shared: [String: String], message: Message) -> [String: String] {
        var values = shared
        values["target"] = target ?? ""
        values["message"] = message.rendered(values)
        return values
    }

    /// A window's message, read once as a template.
    struct Message: Equatable {
        let source: String
        let template: Template?

        init(_ source: String) {
            self.source = source
            template = try? Template(parsing: source)
        }

        /// Whether it reads the target's name: if not, it is the same for every target.
        var namesTarget: Bool { template?.parts.contains(.placeholder("target")) ?? false }

        /// The message may use placeholders (`back at {{end.local}}`); secrets are refused at load.
        func rendered(_ values: [String: String]) -> String {
            guard let template else { return source }
            return (try? template.render(TemplateContext(values: values, secrets: SecretSource(environment: [:])))) ?? source
        }
    }

    /// `values` for one window's targets one after another (a switch of a whole fleet): the values
    /// they share are made once, and again only when the window's text or times, the zone or the
    /// instant differ from the last call's.
    public struct Memo {
        private var key: Key?
        private var shared: [String: String] = [:]
        private var message = Message("")
        /// The shared values with the message rendered, when it does not name the target.
        private var sharedWithMessage: [String: String]?

        public init() {}

        public mutating func values(_ window: WindowRecord, target: String?, zone: TimeZone, now: Date) -> [String: String] {
            if !(key?.matches(window, zone: zone, now: now) ?? false) {
                shared = WindowContext.shared(window, zone: zone, now: now)
                message = Message(window.message)
                sharedWithMessage = message.namesTarget ? nil : WindowContext.withTarget(nil, shared, message: message)
                key = Key(window: window, zone: zone, now: now)
            }
            guard sharedWithMessage != nil else { return WindowContext.withTarget(target, shared, message: message) }
            // Changed in place: the last target's copy is let go of by the time the next one
            // asks, so the dictionary is not copied for each target of a fleet.
            sharedWithMessage?["target"] = target ?? ""
            return sharedWithMessage ?? [:]
        }

        /// What `shared` and the message read.
        private struct Key {
            var id: String, headline: String, message: String, startAt: Int64, endAt: Int64?, page: PageFields, zone: TimeZone, now: Date
            init(window: WindowRecord, zone: TimeZone, now: Date) {
                (id, headline, message, startAt, endAt, page) = (window.id, window.headline, window.message, window.startAt, window.endAt, window.page)
                (self.zone, self.now) = (zone, now)
            }

            /// Compared field by field, in place: a key made for each target of a fleet would
            /// copy the window's texts each time.
            func matches(_ window: WindowRecord, zone: TimeZone, now: Date) -> Bool {
                self.now == now && startAt == window.startAt && endAt == window.endAt && id == window.id && headline == window.headline
                    && message == window.message && page == window.page && self.zone == zone
            }
        }
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
}
