import Foundation

/// `driver: "alertmanager"`: a Prometheus Alertmanager silence for the target's alerts from now to
/// the window's end (`POST /api/v2/silences`, with its id again to update it), expired at the end
/// (`DELETE /api/v2/silence/{id}`). The silence id is what the driver keeps between switches.
public struct AlertmanagerDriver: Driver {
    public static let name = "alertmanager"
    public static let keys: Set<String> = ["alertmanager"]
    /// How long a silence for an open-ended window lasts; it is renewed an hour before it lapses.
    public static let openEndedLength: Int64 = 24 * 3_600_000

    /// The Alertmanager's base URL, `http://127.0.0.1:9093`.
    public var url: Template
    public var matchers: [Matcher]
    public var headers: [HTTPAction.Header]
    public var createdBy: String
    public var comment: Template
    public var timeoutMilliseconds: Int64
    public var retries: Int

    public struct Matcher: Sendable, Equatable {
        public var name: String
        public var value: String
        public var isRegex: Bool
        public var isEqual: Bool

        /// amtool's syntax: `instance=shop-eu:443`, `job=~node.*`, `env!=dev`, `team!~ops|sre`.
        public init?(parsing text: String) {
            for (op, regex, equal) in [("!~", true, false), ("=~", true, true), ("!=", false, false), ("=", false, true)] {
                guard let range = text.range(of: op) else { continue }
                let name = String(text[..<range.lowerBound]).trimmingWhitespace()
                let value = String(text[range.upperBound...]).trimmingWhitespace().trimmingCharacters(in: "\"")
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
                self.name = name
                self.value = value
                self.isRegex = regex
                self.isEqual = equal
                return
            }
            return nil
        }
    }

    public static func read(_ target: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> AlertmanagerDriver? {
        guard let (object, path) = reader.section(target, "alertmanager", path,
                                                  allowed: ["url", "matchers", "headers", "createdBy", "comment", "timeout", "retries"],
                                                  example: "alertmanager: { url: \"http://127.0.0.1:9093\", matchers: [\"instance=shop\"] }") else { return nil }
        let url = reader.urlTemplate(object, "url", path, required: true)
        var matchers: [Matcher] = []
        let texts = reader.strings(object, "matchers", path) ?? []
        if object["matchers"] == nil { reader.fail(path, "the field \"matchers\" is missing (a silence without matchers would silence everything)") }
        else if texts.isEmpty { reader.fail(path.appending("matchers"), "give at least one matcher: a silence without matchers would silence everything") }
        for (index, text) in texts.enumerated() {
            guard let matcher = Matcher(parsing: text) else {
                reader.fail(path.appending("matchers").appending(index), "\(Quoted(text)) is not a matcher such as instance=shop-eu:443, job=~node.* or env!=dev")
                continue
            }
            matchers.append(matcher)
        }
        let headers = reader.headers(object, path)
        let comment = reader.string(object, "comment", path).flatMap { reader.template($0, path.appending("comment")) }
            ?? (try? Template(parsing: "{{headline}} (maint window {{window.id}})")) ?? Template.literal("maint")
        let timeout = reader.duration(object, "timeout", path) ?? 10_000
        let retries = reader.integer(object, "retries", path, range: 0...100) ?? 5
        guard let url, !matchers.isEmpty, matchers.count == texts.count else { return nil }
        return AlertmanagerDriver(url: url, matchers: matchers, headers: headers, createdBy: reader.string(object, "createdBy", path) ?? "maint",
                                  comment: comment, timeoutMilliseconds: timeout, retries: retries)
    }

    public var secretNames: [String] { url.secretNames + headers.flatMap(\.value.secretNames) + comment.secretNames }

    public func retries(activate: Bool) -> Int { retries }

    /// The base URL without a trailing slash, and the headers, rendered.
    func endpoint(_ context: DriverContext) throws(SecretError) -> (base: String, headers: [(name: String, value: String)]) {
        var base = try url.renderURL(context.templates)
        while base.hasSuffix("/") { base.removeLast() }
        var rendered: [(name: String, value: String)] = [("Content-Type", "application/json")]
        for header in headers { rendered.append((header.name, try header.value.render(context.templates))) }
        return (base, rendered)
    }

    public func switchWork(activate: Bool, _ context: DriverContext) throws(DriverError) -> DriverWork {
        do {
            let (base, headers) = try endpoint(context)
            let silenceId = context.driverState.flatMap { $0.isEmpty ? nil : $0 }
            guard activate else {
                guard let silenceId else { return .known(.skipped("no silence to expire")) }
                return .request(HTTPRequest(method: "DELETE", url: "\(base)/api/v2/silence/\(silenceId)", headers: headers,
                                            timeoutMilliseconds: timeoutMilliseconds))
            }
            let end = context.end ?? context.now.addingTimeInterval(Double(Self.openEndedLength) / 1000)
            var body: [String: JSONValue] = [
                "matchers": .array(matchers.map {
                    .object(["name": .string($0.name), "value": .string($0.value), "isRegex": .bool($0.isRegex), "isEqual": .bool($0.isEqual)])
                }),
                "startsAt": .string(TimeText.rfc3339(context.now)),
                "endsAt": .string(TimeText.rfc3339(end)),
                "createdBy": .string(createdBy),
                "comment": .string(try comment.render(context.templates)),
            ]
            // The same silence, updated (a new end after `maint extend`), rather than a second one.
            if let silenceId { body["id"] = .string(silenceId) }
            return .request(HTTPRequest(method: "POST", url: "\(base)/api/v2/silences", headers: headers,
                                        body: Data(JSONValue.object(body).serialized().utf8), timeoutMilliseconds: timeoutMilliseconds))
        } catch {
            throw DriverError(error.description)
        }
    }

    public func outcome(activate: Bool, _ result: DriverResult) -> SwitchOutcome {
        switch result {
        case .response(let response) where activate:
            guard (200...299).contains(response.status), let reply = try? JSONValue.parseJSON(response.body),
                  let id = reply["silenceID"]?.stringValue, !id.isEmpty else {
                return .failure("HTTP \(response.status): \(response.text)")
            }
            return .success("silence \(id)", keep: id)
        case .response(let response):
            // Already expired or gone counts as done: the goal is that no silence is left.
            if (200...299).contains(response.status) || response.status == 404 || response.text.contains("already expired") {
                return .success("silence expired (HTTP \(response.status))")
            }
            return .failure("HTTP \(response.status): \(response.text)")
        case .skipped(let reason):
            return .success(reason)
        case .failed(let reason):
            return .failure(reason)
        case .exited, .written, .exists, .answers:
            return .failure("not an HTTP answer")
        }
    }

    /// The silence's comment has the headline, and it lasts until the window's end.
    public func refreshes(on change: WindowChange) -> Bool { true }

    public func look(openEnded: Bool, probeInterval: Int64) -> Look? {
        openEnded ? .rearm(after: Self.openEndedLength - 3_600_000) : .probe(after: probeInterval)
    }

    public var readsState: Bool { true }

    public func probeWork(_ context: DriverContext) throws(DriverError) -> DriverWork {
        guard let id = context.driverState, !id.isEmpty else { return .known(.skipped("no silence")) }
        do {
            let (base, headers) = try endpoint(context)
            return .request(HTTPRequest(method: "GET", url: "\(base)/api/v2/silence/\(id)", headers: headers, timeoutMilliseconds: 5_000))
        } catch {
            throw DriverError(error.description)
        }
    }

    public func probeOutcome(_ result: DriverResult) -> ProbeReading {
        switch result {
        case .response(let response):
            let state = (try? JSONValue.parseJSON(response.body))?["status"]?["state"]?.stringValue
            return ProbeReading(state == "active", "silence \(state ?? "unknown (HTTP \(response.status))")")
        case .skipped(let reason):
            // No silence was ever made: the alerts are not silenced.
            return ProbeReading(false, reason)
        case .failed(let reason):
            return ProbeReading(nil, reason)
        case .exited, .written, .exists, .answers:
            return ProbeReading(nil, "not an HTTP answer")
        }
    }
}
