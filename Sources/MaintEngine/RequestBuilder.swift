import Foundation
import MaintCore
import MaintNet

/// Turns a driver action or a health check into an HTTP request, with templates rendered and
/// secrets read at the last moment. Secrets never leave this request: errors are redacted.
struct RequestBuilder {
    var secrets: SecretSource

    func request(_ action: HTTPAction, values: [String: String]) throws(SecretError) -> HTTPRequest {
        let context = TemplateContext(values: values, secrets: secrets)
        var headers: [(name: String, value: String)] = []
        for header in action.headers { headers.append((header.name, try header.value.render(context))) }
        var body: Data?
        switch action.body {
        case .json(let value):
            body = Data(try JSONTemplate.render(value, context).serialized().utf8)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/json"))
            }
        case .raw(let template):
            body = Data(try template.render(context).utf8)
        case nil:
            break
        }
        return HTTPRequest(method: action.method, url: try action.url.render(context), headers: headers, body: body,
                           timeoutMilliseconds: action.timeoutMilliseconds)
    }

    func request(_ check: HealthCheck, values: [String: String]) throws(SecretError) -> HTTPRequest {
        let context = TemplateContext(values: values, secrets: secrets)
        var headers: [(name: String, value: String)] = []
        for header in check.headers { headers.append((header.name, try header.value.render(context))) }
        var request = HTTPRequest(method: "GET", url: try check.url.render(context), headers: headers, timeoutMilliseconds: check.timeoutMilliseconds)
        request.wantsCertificate = request.url.lowercased().hasPrefix("https://")
        request.caFile = check.caFile
        return request
    }

}

extension HTTPAction {
    func accepts(_ status: Int) -> Bool { expect.isEmpty ? (200...299).contains(status) : expect.contains(status) }
}
