import Foundation
import MaintNet

/// Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`.
public enum WebhookSigner {
    /// The signing key: a `whsec_`-prefixed secret is base64 after the prefix (as Standard Webhooks
    /// libraries read it); any other secret is used as its UTF-8 bytes.
    public static func key(from secret: String) -> Data {
        if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) {
            return decoded
        }
        return Data(secret.utf8)
    }

    public static func signature(id: String, timestamp: Int64, body: String, secret: String) -> String {
        let signed = Data("\(id).\(timestamp).\(body)".utf8)
        return "v1," + HMACSHA256.authenticate(signed, key: key(from: secret)).base64EncodedString()
    }
}
