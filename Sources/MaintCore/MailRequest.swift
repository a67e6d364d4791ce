import Foundation

/// One message to send through SMTP with libcurl: `smtp://host:port` (STARTTLS as `tls` says)
/// or `smtps://host:port` (TLS from the start).
public struct MailRequest: Sendable {
    public var url: String
    public var from: String
    public var recipients: [String]
    /// The whole message, headers and body, with CRLF line ends.
    public var message: Data
    public var user: String?
    public var password: String?
    public var startTLS: StartTLS
    /// A PEM bundle of the certificates to trust instead of the system's.
    public var caFile: String?
    public var timeoutMilliseconds: Int64

    public init(url: String, from: String, recipients: [String], message: Data, user: String? = nil, password: String? = nil,
                startTLS: StartTLS = .required, caFile: String? = nil, timeoutMilliseconds: Int64 = 30_000) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.message = message
        self.user = user
        self.password = password
        self.startTLS = startTLS
        self.caFile = caFile
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}
