import Foundation

/// `type: "email"`: SMTP or SMTPS through libcurl, with STARTTLS and AUTH; a MIME message with
/// text and HTML parts and, for a planned window, an iCalendar invitation.
public struct EmailChannel: Channel {
    public static let type = "email"
    public static let keys: Set<String> = ["smtp", "starttls", "user", "password", "from", "to", "caFile", "timeout"]

    /// `smtp://host:587` or `smtps://host:465`.
    public var server: Template
    /// For smtp:// only.
    public var startTLS: StartTLS
    public var user: String?
    public var password: Template?
    /// `Shop Operations <ops@example.com>`
    public var from: String
    public var to: [String]
    public var caFile: String?
    public var timeoutMilliseconds: Int64

    public static func read(_ channel: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> EmailChannel? {
        var server: Template?
        if let text = reader.string(channel, "smtp", path, required: true), let parsed = reader.template(text, path.appending("smtp")) {
            if case .text(let prefix)? = parsed.parts.first, !(prefix.hasPrefix("smtp://") || prefix.hasPrefix("smtps://")) {
                reader.fail(path.appending("smtp"), "not an smtp:// or smtps:// URL")
            } else {
                server = parsed
            }
        }
        let startTLS = reader.choice(channel, "starttls", path, default: StartTLS.required)
        var password: Template?
        if let text = reader.string(channel, "password", path) {
            password = reader.template(text, path.appending("password"))
            if let password, password.secretNames.isEmpty {
                reader.fail(path.appending("password"), "write the password as \"{{secret:NAME}}\" so that it stays out of files and logs")
            }
        }
        let from = reader.string(channel, "from", path, required: true)
        if let from, MailAddress.bare(from) == nil { reader.fail(path.appending("from"), "\(Quoted(from)) is not an address such as \"Ops <ops@example.com>\"") }
        let to = reader.strings(channel, "to", path) ?? []
        if channel["to"] == nil { reader.fail(path, "the field \"to\" is missing") } else if to.isEmpty { reader.fail(path.appending("to"), "give at least one recipient") }
        for (index, recipient) in to.enumerated() where MailAddress.bare(recipient) == nil {
            reader.fail(path.appending("to").appending(index), "\(Quoted(recipient)) is not an e-mail address")
        }
        let caFile = reader.string(channel, "caFile", path)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            reader.fail(path.appending("caFile"), "cannot read \(caFile)")
        }
        let timeout = reader.duration(channel, "timeout", path) ?? 30_000
        guard let server, let from, !to.isEmpty else { return nil }
        return EmailChannel(server: server, startTLS: startTLS, user: reader.string(channel, "user", path), password: password,
                            from: from, to: to, caFile: caFile, timeoutMilliseconds: timeout)
    }

    public var secretNames: [String] { server.secretNames + (password?.secretNames ?? []) }

    /// Planned, reminded, moved or called off: the calendar entry comes along.
    public func invites(_ event: AnnouncementEvent) -> Bool { [.scheduled, .notice, .updated, .extended, .canceled].contains(event) }

    public func render(_ announcement: Announcement, id: String, invitation: String?) -> String {
        MailMessage.render(announcement, email: self, id: id, invitation: invitation)
    }

    public func delivery(of body: String, _ delivery: DeliveryContext) throws(SecretError) -> ChannelDelivery {
        let context = TemplateContext(values: [:], secrets: delivery.secrets)
        return .mail(MailRequest(url: try server.render(context), from: MailAddress.bare(from) ?? from, recipients: to.compactMap(MailAddress.bare),
                                 message: Data(body.utf8), user: user, password: try password?.render(context), startTLS: startTLS,
                                 caFile: caFile, timeoutMilliseconds: timeoutMilliseconds))
    }

    public var previewLines: [String] { ["SMTP \(server.source) (STARTTLS \(startTLS)) from \(from) to \(to.joined(separator: ", "))"] }
}
