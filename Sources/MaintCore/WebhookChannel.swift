import Foundation

/// `type: "webhook"`: an HTTP POST of the announcement in one of the `WebhookFormats` (json by
/// default; slack, teams, discord). The json format follows Standard Webhooks: `webhook-id` (the
/// delivery's, stable across retries), `webhook-timestamp` and, with a `secret`,
/// `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).
public struct WebhookChannel: Channel {
    public static let type = "webhook"
    public static let keys: Set<String> = ["format", "url", "secret"]

    public var format: any WebhookFormatter.Type
    public var url: Template
    /// The signing key, a `{{secret:NAME}}`.
    public var secret: Template?

    public init(format: any WebhookFormatter.Type = JSONFormat.self, url: Template, secret: Template? = nil) {
        self.format = format
        self.url = url
        self.secret = secret
    }

    public static func read(_ channel: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> WebhookChannel? {
        var format: any WebhookFormatter.Type = JSONFormat.self
        if let name = reader.string(channel, "format", path) {
            if let named = WebhookFormats.named(name) {
                format = named
            } else {
                reader.fail(path.appending("format"), "\(Quoted(name)) is not one of: \(WebhookFormats.all.map { $0.name }.joined(separator: ", "))")
            }
        }
        let url = reader.urlTemplate(channel, "url", path, required: true)
        var secret: Template?
        if let text = reader.string(channel, "secret", path) {
            secret = reader.template(text, path.appending("secret"))
            if let secret, secret.secretNames.isEmpty {
                reader.fail(path.appending("secret"), "write the signing key as \"{{secret:NAME}}\" so that it stays out of files and logs")
            }
            if !format.signed { reader.fail(path.appending("secret"), "only the \(WebhookFormats.all.filter { $0.signed }.map { $0.name }.joined(separator: ", ")) format is signed", key: true) }
        }
        guard let url else { return nil }
        return WebhookChannel(format: format, url: url, secret: secret)
    }

    public var secretNames: [String] { url.secretNames + (secret?.secretNames ?? []) }

    public func render(_ announcement: Announcement, id: String, invitation: String?) -> String { format.body(announcement) }

    public func delivery(of body: String, _ delivery: DeliveryContext) throws(SecretError) -> ChannelDelivery {
        let context = TemplateContext(values: [:], secrets: delivery.secrets)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if format.signed {
            let timestamp = Int64(delivery.now.timeIntervalSince1970)
            headers.append(("webhook-id", delivery.id))
            headers.append(("webhook-timestamp", String(timestamp)))
            if let secret = try secret?.render(context) {
                headers.append(("webhook-signature", Self.signature(id: delivery.id, timestamp: timestamp, body: body, secret: secret,
                                                                    authenticate: delivery.authenticate)))
            }
        }
        return .request(HTTPRequest(method: "POST", url: try url.renderURL(context), headers: headers, body: Data(body.utf8), timeoutMilliseconds: 15_000))
    }

    public var previewLines: [String] {
        // The URL as written: it may hold a secret, which a preview must not show.
        var lines = ["POST \(url.source)", "Content-Type: application/json"]
        if format.signed {
            lines += ["webhook-id: msg_preview (each delivery has its own)", "webhook-timestamp: (the time of sending)"]
            if let secret { lines.append("webhook-signature: v1,… (HMAC-SHA256 with \(secret.source))") }
        }
        return lines
    }

    /// Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`.
    public static func signature(id: String, timestamp: Int64, body: String, secret: String, authenticate: MessageAuthenticator) -> String {
        "v1," + authenticate(Data("\(id).\(timestamp).\(body)".utf8), signingKey(secret)).base64EncodedString()
    }

    /// A `whsec_`-prefixed secret is base64 after the prefix (as Standard Webhooks libraries read
    /// it); any other secret is used as its UTF-8 bytes.
    static func signingKey(_ secret: String) -> Data {
        if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) { return decoded }
        return Data(secret.utf8)
    }
}
