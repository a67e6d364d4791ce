import Foundation
import MaintCore
import Testing

/// Each channel kind and webhook format read from a schedule file, asked to render an
/// announcement and to say how it is delivered, with no request or mail sent.
struct ChannelDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)
    static let secrets = SecretSource(environment: ["HOOK": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "SMTP_PASSWORD": "pw-789"])

    static func channel(_ text: String) throws -> ChannelConfig {
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", "{ channels: { c: { \(text) } } }")])
        return try #require(schedule.channels["c"])
    }

    static func issues(_ text: String) -> [ScheduleIssue] {
        do {
            _ = try ScheduleLoader(now: now).load(sources: [("s.json5", "{ channels: { c: { \(text) } } }")])
            return []
        } catch {
            return error.issues
        }
    }

    static func announcement(_ event: AnnouncementEvent, channel: ChannelConfig) -> Announcement {
        let start = now.epochMilliseconds + 3_600_000
        let window = WindowRecord(id: "db-upgrade", origin: .file, sourceFile: nil, headline: "Database upgrade", message: "Back soon <3",
                                  page: PageFields(), selectors: ["shop"], channels: ["c"], timezone: "Europe/Paris", startAt: start,
                                  endAt: start + 7_200_000, healthTimeoutMilliseconds: nil, state: .scheduled, fingerprint: nil,
                                  createdAt: 0, updatedAt: 0)
        let target = TargetStateRecord(windowId: "db-upgrade", target: "shop", state: .pending, attempts: 0, nextAttemptAt: nil,
                                       phaseStartedAt: nil, activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil)
        return Announcement(event: event, window: window, targets: [target], channel: channel, extra: [:], now: now)
    }

    @Test func everyKindAndFormatIsFoundByItsName() {
        #expect(ChannelRegistry.kinds.map { $0.type } == ["webhook", "email"])
        #expect(WebhookFormats.all.map { $0.name } == ["json", "slack", "teams", "discord"])
        for format in WebhookFormats.all { #expect(WebhookFormats.named(format.name)?.name == format.name) }
        #expect(WebhookFormats.all.filter { $0.signed }.map { $0.name } == ["json"])
    }

    @Test func anUnknownFormatOrTypeListsTheChoices() throws {
        let format = try #require(Self.issues(#"type: "webhook", url: "https://hooks.example/x", format: "mattermost""#).first)
        #expect(format.path == "channels.c.format")
        #expect(format.message == "\"mattermost\" is not one of: json, slack, teams, discord")
        let type = try #require(Self.issues(#"type: "pager", url: "https://hooks.example/x""#).first)
        #expect(type.path == "channels.c.type")
        #expect(type.message.hasSuffix("available: webhook, email"))
    }

    @Test func aKeyOfTheOtherKindIsNamedAsSuch() throws {
        let issue = try #require(Self.issues(#"type: "webhook", url: "https://hooks.example/x", smtp: "smtp://127.0.0.1:25""#).first)
        #expect(issue.path == "channels.c.smtp")
        #expect(issue.message == "\"smtp\" is for the email channel type, not webhook")
    }

    @Test func onlyTheJSONFormatTakesASigningKey() throws {
        let issue = try #require(Self.issues(#"type: "webhook", format: "slack", url: "https://hooks.example/x", secret: "{{secret:HOOK}}""#).first)
        #expect(issue.path == "channels.c.secret")
        #expect(issue.message == "only the json format is signed")
    }

    @Test func aJSONWebhookIsSignedOverItsIdTimestampAndBody() throws {
        let channel = try Self.channel(#"type: "webhook", url: "https://hooks.example/x", secret: "{{secret:HOOK}}""#)
        let body = channel.kind.render(Self.announcement(.scheduled, channel: channel), id: "msg_1", invitation: nil)
        let parsed = try JSONValue.parseJSON(Data(body.utf8))
        #expect(parsed["type"]?.stringValue == "window.scheduled")
        #expect(parsed["data"]?["window"]?["id"]?.stringValue == "db-upgrade")
        // A stand-in for HMAC that shows what was signed with which key.
        let authenticate: MessageAuthenticator = { message, key in Data("\(key.count)|".utf8) + message }
        guard case .request(let request) = try channel.kind.delivery(of: body, id: "msg_1", now: Self.now, secrets: Self.secrets, authenticate: authenticate) else {
            Issue.record("not a request"); return
        }
        #expect(request.method == "POST" && request.url == "https://hooks.example/x")
        #expect(request.body == Data(body.utf8))
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(headers["webhook-id"] == "msg_1")
        #expect(headers["webhook-timestamp"] == "1900000000")
        // The whsec_ key is base64 after the prefix: its decoded length is what was signed with.
        let keyLength = try #require(Data(base64Encoded: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).count
        let expected = "v1," + (Data("\(keyLength)|".utf8) + Data("msg_1.1900000000.\(body)".utf8)).base64EncodedString()
        #expect(headers["webhook-signature"] == expected)
        // The preview shows where it goes, never the key.
        #expect(channel.kind.previewLines.contains("webhook-signature: v1,… (HMAC-SHA256 with {{secret:HOOK}})"))
        #expect(!channel.kind.previewLines.joined().contains("whsec_"))
    }

    @Test(arguments: ["slack", "teams", "discord"])
    func chatFormatsCarryTheSubjectAndAreNotSigned(_ format: String) throws {
        let channel = try Self.channel(#"type: "webhook", url: "https://hooks.example/x", format: "\#(format)""#)
        let announcement = Self.announcement(.start, channel: channel)
        let parsed = try JSONValue.parseJSON(Data(channel.kind.render(announcement, id: "msg_2", invitation: nil).utf8))
        switch format {
        case "slack": #expect(parsed["text"]?.stringValue == announcement.subject)
        case "teams": #expect(parsed["type"]?.stringValue == "message")
        default: #expect(parsed["username"]?.stringValue == "maint")
        }
        guard case .request(let request) = try channel.kind.delivery(of: "{}", id: "msg_2", now: Self.now, secrets: Self.secrets,
                                                                       authenticate: { _, _ in Data() }) else { Issue.record("not a request"); return }
        #expect(!request.headers.contains { $0.name.hasPrefix("webhook-") })
    }

    @Test func anEmailIsSentThroughSMTPWithItsPasswordReadAtSendingTime() throws {
        let channel = try Self.channel("""
            type: "email", smtp: "smtp://127.0.0.1:2525", starttls: "off", user: "ops", password: "{{secret:SMTP_PASSWORD}}",
            from: "Shop Ops <ops@example.com>", to: ["a@example.com", "B <b@example.com>"]
            """)
        #expect(channel.kind.invites(.scheduled) && !channel.kind.invites(.start))
        let message = channel.kind.render(Self.announcement(.scheduled, channel: channel), id: "msg_3", invitation: "BEGIN:VCALENDAR")
        #expect(message.contains("Message-ID: <msg_3@example.com>"))
        #expect(message.contains("Content-Disposition: attachment; filename=\"maintenance.ics\""))
        guard case .mail(let mail) = try channel.kind.delivery(of: message, id: "msg_3", now: Self.now, secrets: Self.secrets,
                                                                authenticate: { _, _ in Data() }) else { Issue.record("not a mail"); return }
        #expect(mail.url == "smtp://127.0.0.1:2525" && mail.startTLS == .off)
        #expect(mail.from == "ops@example.com" && mail.recipients == ["a@example.com", "b@example.com"])
        #expect(mail.user == "ops" && mail.password == "pw-789")
        #expect(!channel.kind.previewLines.joined().contains("pw-789"))
    }
}
