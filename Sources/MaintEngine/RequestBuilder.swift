import Foundation
import MaintCore
import MaintNet

/// Turns a notice action or a health check into an HTTP request, with templates rendered and
/// secrets read at the last moment. Secrets never leave this request: errors are redacted.
struct RequestBuilder {
    var secrets: SecretSource

    func request(_ action: HTTPAction, values: [String: String]) throws(SecretError) -> HTTPRequest {
        try action.request(TemplateContext(values: values, secrets: secrets))
    }

    func request(_ check: HealthCheck, values: [String: String]) throws(SecretError) -> HTTPRequest {
        let context = TemplateContext(values: values, secrets: secrets)
        var headers: [(name: String, value: String)] = []
        for header in check.headers { headers.append((header.name, try header.value.render(context))) }
        var request = HTTPRequest(method: "GET", url: try check.url.renderURL(context), headers: headers, timeoutMilliseconds: check.timeoutMilliseconds)
        request.wantsCertificate = request.url.lowercased().hasPrefix("https://")
        request.caFile = check.caFile
        return request
    }

}
