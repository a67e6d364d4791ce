import Foundation

/// `driver: "http"`: templated requests to the site's own admin API (`activate`, `deactivate`),
/// an optional `notice` request for an in-app banner ahead of time, and an optional `probe` that
/// reads the real state.
public struct HTTPDriver: Driver {
    public static let name = "http"
    public static let keys: Set<String> = ["activate", "deactivate", "notice", "probe"]

    public var activate: HTTPAction
    public var deactivate: HTTPAction
    public var notice: HTTPAction?
    /// A request whose condition holds while the site is in maintenance.
    public var probe: StateProbeRequest?

    public init(activate: HTTPAction, deactivate: HTTPAction, notice: HTTPAction? = nil, probe: StateProbeRequest? = nil) {
        self.activate = activate
        self.deactivate = deactivate
        self.notice = notice
        self.probe = probe
    }

    public static func read(_ target: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> HTTPDriver? {
        let activate = reader.action(target["activate"], path.appending("activate"), required: true)
        let deactivate = reader.action(target["deactivate"], path.appending("deactivate"), required: true)
        let notice = target["notice"] == nil ? nil : reader.action(target["notice"], path.appending("notice"), required: false)
        var probe: StateProbeRequest?
        if let value = target["probe"], let fields = reader.object(value, path.appending("probe"), allowed: ["url", "headers", "expect", "timeout"]) {
            let probePath = path.appending("probe")
            let url = reader.urlTemplate(fields, "url", probePath, required: true)
            var condition: Condition?
            if let text = reader.string(fields, "expect", probePath, required: true) {
                do { condition = try Condition(parsing: text) } catch { reader.fail(probePath.appending("expect"), error.message, offset: error.offset) }
            }
            if let url, let condition {
                probe = StateProbeRequest(url: url, headers: reader.headers(fields, probePath), condition: condition,
                                          timeoutMilliseconds: reader.duration(fields, "timeout", probePath) ?? 5_000)
            }
        }
        guard let activate, let deactivate else { return nil }
        return HTTPDriver(activate: activate, deactivate: deactivate, notice: notice, probe: probe)
    }

    public var secretNames: [String] {
        activate.secretNames + deactivate.secretNames + (notice?.secretNames ?? [])
            + (probe.map { $0.url.secretNames + $0.headers.flatMap(\.value.secretNames) } ?? [])
    }

    public var noticeAction: HTTPAction? { notice }

    public func retries(activate: Bool) -> Int { (activate ? self.activate : deactivate).retries }

    public func switchWork(activate: Bool, _ context: DriverContext) throws(DriverError) -> DriverWork {
        do {
            return .request(try (activate ? self.activate : deactivate).request(context.templates))
        } catch {
            throw DriverError(error.description)
        }
    }

    public func outcome(activate: Bool, _ result: DriverResult) -> SwitchOutcome {
        switch result {
        case .response(let response) where (activate ? self.activate : deactivate).accepts(response.status):
            return .success("HTTP \(response.status)")
        case .response(let response):
            return .failure("HTTP \(response.status)" + (response.text.isEmpty ? "" : ": \(response.text)"))
        case .failed(let reason):
            return .failure(reason)
        case .exited, .written, .exists, .answers, .skipped:
            return .failure("not an HTTP answer")
        }
    }

    /// The request carries the window's text and end, so both need it sent again.
    public func refreshes(on change: WindowChange) -> Bool { true }

    public func look(openEnded: Bool, probeInterval: Int64) -> Look? { probe == nil ? nil : .probe(after: probeInterval) }

    public var readsState: Bool { probe != nil }

    public func probeWork(_ context: DriverContext) throws(DriverError) -> DriverWork {
        guard let probe else { return .known(.skipped("no probe")) }
        do {
            var headers: [(name: String, value: String)] = []
            for header in probe.headers { headers.append((header.name, try header.value.render(context.templates))) }
            return .request(HTTPRequest(method: "GET", url: try probe.url.renderURL(context.templates), headers: headers,
                                        timeoutMilliseconds: probe.timeoutMilliseconds))
        } catch {
            throw DriverError(error.description)
        }
    }

    public func probeOutcome(_ result: DriverResult) -> ProbeReading {
        guard let probe else { return ProbeReading(nil, "no probe") }
        switch result {
        case .response(let response):
            let on = probe.condition.evaluate(HealthObservation(status: response.status, responseTimeMilliseconds: response.elapsedMilliseconds,
                                                                body: response.text))
            return ProbeReading(on, on ? "probe: in maintenance" : "probe: not in maintenance (HTTP \(response.status))")
        case .failed(let reason), .skipped(let reason):
            return ProbeReading(nil, reason)
        case .exited, .written, .exists, .answers:
            return ProbeReading(nil, "not an HTTP answer")
        }
    }
}

/// A request that reads whether a site is in maintenance: the condition holds when it is.
public struct StateProbeRequest: Sendable {
    public var url: Template
    public var headers: [HTTPAction.Header]
    public var condition: Condition
    public var timeoutMilliseconds: Int64
}

extension HTTPAction {
    /// The request, with its templates rendered and its secrets read at the last moment.
    public func request(_ context: TemplateContext) throws(SecretError) -> HTTPRequest {
        var headers: [(name: String, value: String)] = []
        for header in self.headers { headers.append((header.name, try header.value.render(context))) }
        var body: Data?
        switch self.body {
        case .json(let template):
            body = Data(try template.utf8(context))
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/json"))
            }
        case .raw(let template):
            body = Data(try template.render(context).utf8)
        case nil:
            break
        }
        var request = HTTPRequest(method: method, url: try url.renderURL(context), headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds)
        if let basicAuth {
            request.credentials = (try basicAuth.user.render(context), try basicAuth.password.render(context))
        }
        return request
    }

    public func accepts(_ status: Int) -> Bool { expect.isEmpty ? (200...299).contains(status) : expect.contains(status) }
}
