import Foundation
import MaintCore
import MaintNet
import MaintStore

/// The alertmanager driver's requests: a silence from now to the window's end
/// (`POST /api/v2/silences`, with the id again to update it), expired at the end
/// (`DELETE /api/v2/silence/{id}`).
struct AlertmanagerSilence {
    var driver: AlertmanagerDriver
    var secrets: SecretSource

    /// How long a silence for an open-ended window lasts before it is renewed.
    static let openEndedLength: Int64 = 24 * 3_600_000

    enum Outcome {
        case success(String, silenceId: String?)
        case failure(String)
    }

    /// The request to send, or nil when there is nothing to do (no silence to expire).
    func request(activate: Bool, silenceId: String?, window: WindowRecord, values: [String: String], now: Date) throws -> HTTPRequest? {
        let context = TemplateContext(values: values, secrets: secrets)
        var base = try driver.url.render(context)
        while base.hasSuffix("/") { base.removeLast() }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        for header in driver.headers { headers.append((header.name, try header.value.render(context))) }
        if !activate {
            guard let silenceId, !silenceId.isEmpty else { return nil }
            return HTTPRequest(method: "DELETE", url: "\(base)/api/v2/silence/\(silenceId)", headers: headers, timeoutMilliseconds: driver.timeoutMilliseconds)
        }
        let end = window.endAt ?? (now.epochMilliseconds + Self.openEndedLength)
        var body: [String: JSONValue] = [
            "matchers": .array(driver.matchers.map {
                .object(["name": .string($0.name), "value": .string($0.value), "isRegex": .bool($0.isRegex), "isEqual": .bool($0.isEqual)])
            }),
            "startsAt": .string(TimeText.rfc3339(now)),
            "endsAt": .string(TimeText.rfc3339(Date(timeIntervalSince1970: Double(end) / 1000))),
            "createdBy": .string(driver.createdBy),
            "comment": .string(try driver.comment.render(context)),
        ]
        // The same silence, updated (a new end after `maint extend`), rather than a second one.
        if let silenceId, !silenceId.isEmpty { body["id"] = .string(silenceId) }
        return HTTPRequest(method: "POST", url: "\(base)/api/v2/silences", headers: headers, body: Data(JSONValue.object(body).serialized().utf8),
                           timeoutMilliseconds: driver.timeoutMilliseconds)
    }

    static func outcome(activate: Bool, result: Result<HTTPResponse, TransferError>) -> Outcome {
        switch result {
        case .failure(let error):
            return .failure(error.message)
        case .success(let response) where activate:
            guard (200...299).contains(response.status), let reply = try? JSONValue.parseJSON(response.body),
                  let id = reply["silenceID"]?.stringValue, !id.isEmpty else {
                return .failure("HTTP \(response.status): \(response.text)")
            }
            return .success("silence \(id)", silenceId: id)
        case .success(let response):
            // Already expired or gone counts as done: the goal is that no silence is left.
            if (200...299).contains(response.status) || response.status == 404 || response.text.contains("already expired") {
                return .success("silence expired (HTTP \(response.status))", silenceId: nil)
            }
            return .failure("HTTP \(response.status): \(response.text)")
        }
    }
}
