import Foundation
import MaintCore
import Testing

/// Each channel kind and webhook format read from a schedule file, asked to render an
/// announcement and to say how it is delivered, with no request or mail sent.
struct ChannelDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)
    static let secrets = SecretSource(environment: ["HOOK": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "SMTP_PASSWORD": "pw-789", "SP_KEY": "sp-key-42"])

    /// Targets a channel may name; the announcements' window holds only the shop.
    static let shop = #"targets: { shop: { driver: "file", file: { path: "/nonexistent/shop" } }, blog: { driver: "file", file: { path: "/nonexistent/blog" } } },"#

    static func channel(_ text: String) throws -> ChannelConfig {
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", "{ \(shop) channels: { c: { \(text) } } }")])
        return try #require(schedule.channels["c"])
    }

    static func issues(_ text: String) -> [ScheduleIssue] {
        do {
            _ = try ScheduleLoader(now: now).load(sources: [("s.json5", "{ \(shop) channels: { c: { \(text) } } }")])
            return []
        } catch {
            return error.issues
        }
    }

    static func context(_ id: String, event: AnnouncementEvent = .scheduled, reference: String? = nil,
                        authenticate: @escaping MessageAuthenticator = { _, _ in Data() }) -> DeliveryContext {
        DeliveryContext(id: id, event: event, reference: reference, now: now, secrets: secrets, authenticate: authenticate)
    }

    static func announcement(_ event: AnnouncementEvent, channel: ChannelConfig, state: WindowState = .scheduled) -> Announcement {
        let start = now.epochMilliseconds + 3_600_000
        let window = WindowRecord(id: "db-upgrade", origin: .file, sourceFile: nil, headline: "Database upgrade", message: "Back soon <3",
                                  page: PageFields(), selectors: ["shop"], channels: ["c"], timezone: "Europe/Paris", startAt: start,
                                  endAt: start + 7_200_000, healthTimeoutMilliseconds: nil, state: state, fingerprint: nil,
                                  createdAt: 0, updatedAt: 0)
        let target = TargetStateRecord(windowId: "db-upgrade", target: "shop", state: .pending, attempts: 0, nextAttemptAt: nil,
                                       phaseStartedAt: nil, activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil)
        return Announcement(event: event, window: window, targets: [target], channel: channel, extra: [:], now: now)
    }

    @Test func everyKindAndFormatIsFoundByItsName() {
        #expect(ChannelRegistry.kinds.map { $0.type } == ["webhook", "email", "statuspage"])
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
        #expect(type.message.hasSuffix("available: webhook, email, statuspage"))
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
        guard case .request(let request) = try channel.kind.delivery(of: body, Self.context("msg_1", authenticate: authenticate)) else {
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
        guard case .request(let request) = try channel.kind.delivery(of: "{}", Self.context("msg_2")) else { Issue.record("not a request"); return }
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
        guard case .mail(let mail) = try channel.kind.delivery(of: message, Self.context("msg_3")) else { Issue.record("not a mail"); return }
        #expect(mail.url == "smtp://127.0.0.1:2525" && mail.startTLS == .off)
        #expect(mail.from == "ops@example.com" && mail.recipients == ["a@example.com", "b@example.com"])
        #expect(mail.user == "ops" && mail.password == "pw-789")
        #expect(!channel.kind.previewLines.joined().contains("pw-789"))
    }

    /// A status page's incident through a window's life: created once, then changed by its id,
    /// each request carrying the whole incident as the event leaves it.
    @Test func aStatusPageIncidentIsCreatedThenChangedByItsId() throws {
        let channel = try Self.channel(#"type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_KEY}}", components: { shop: "cmp-shop", blog: "cmp-blog" }, api: "https://sp.example/v1/""#)
        func incident(_ event: AnnouncementEvent, state: WindowState = .scheduled) throws -> JSONValue? {
            let body = channel.kind.render(Self.announcement(event, channel: channel, state: state), id: "msg_4", invitation: nil)
            return try JSONValue.parseJSON(Data(body.utf8))["incident"]
        }
        let scheduled = try #require(try incident(.scheduled))
        #expect(scheduled["name"]?.stringValue == "Database upgrade" && scheduled["body"]?.stringValue == "Back soon <3")
        #expect(scheduled["status"]?.stringValue == "scheduled")
        #expect(scheduled["scheduled_for"]?.stringValue == TimeText.rfc3339(Self.now.addingTimeInterval(3_600)))
        #expect(scheduled["scheduled_until"]?.stringValue == TimeText.rfc3339(Self.now.addingTimeInterval(3 * 3_600)))
        #expect(scheduled["component_ids"] == .array([.string("cmp-shop")]), "only the window's targets' components")
        #expect(scheduled["components"] == nil && scheduled["scheduled_auto_in_progress"] == .bool(false))
        #expect(try incident(.start, state: .activating)?["status"]?.stringValue == "in_progress")
        #expect(try incident(.start, state: .activating)?["components"] == .object(["cmp-shop": .string("under_maintenance")]))
        #expect(try incident(.end, state: .completed)?["components"] == .object(["cmp-shop": .string("operational")]))
        #expect(try incident(.end, state: .completed)?["status"]?.stringValue == "completed")
        #expect(try incident(.canceled, state: .canceled)?["status"]?.stringValue == "completed")
        #expect(try incident(.extended, state: .scheduled)?["status"]?.stringValue == "scheduled")
        #expect(try incident(.extended, state: .active)?["status"]?.stringValue == "in_progress")

        guard case .request(let create) = try channel.kind.delivery(of: "{}", Self.context("msg_4")) else { Issue.record("not a request"); return }
        #expect(create.method == "POST" && create.url == "https://sp.example/v1/pages/pg1/incidents")
        #expect(create.headers.contains { $0.name == "Authorization" && $0.value == "OAuth sp-key-42" })
        #expect(channel.kind.reference(from: HTTPResponse(status: 201, body: Data(#"{"id":"inc 7","status":"scheduled"}"#.utf8), elapsedMilliseconds: 1)) == "inc 7")
        #expect(channel.kind.reference(from: HTTPResponse(status: 201, body: Data("not json".utf8), elapsedMilliseconds: 1)) == nil)
        guard case .request(let change) = try channel.kind.delivery(of: "{}", Self.context("msg_5", event: .start, reference: "inc 7")) else {
            Issue.record("not a request"); return
        }
        #expect(change.method == "PATCH" && change.url == "https://sp.example/v1/pages/pg1/incidents/inc%207")
        // Every byte but RFC 3986's unreserved characters is encoded, letters beyond ASCII too.
        guard case .request(let other) = try channel.kind.delivery(of: "{}", Self.context("msg_7", event: .end, reference: "é/1")) else {
            Issue.record("not a request"); return
        }
        #expect(other.url.hasSuffix("/incidents/%C3%A9%2F1"))
        // Nothing was created, so a cancellation has nothing to close.
        guard case .unneeded = try channel.kind.delivery(of: "{}", Self.context("msg_6", event: .canceled)) else { Issue.record("sent"); return }
        #expect(channel.kind.pacing == ChannelPacing(key: "statuspage https://sp.example/v1/ {{secret:SP_KEY}}", interval: 1.05))
        #expect(!channel.kind.previewLines.joined().contains("sp-key-42"))
        #expect(channel.events == StatuspageChannel.events, "`*` is every event it acts on")
    }

    @Test func aStatusPageKeyIsASecretAndItsEventsAreThoseItActsOn() throws {
        let literal = try #require(Self.issues(#"type: "statuspage", pageId: "pg1", apiKey: "abc""#).first)
        #expect(literal.path == "channels.c.apiKey" && literal.message.hasPrefix("write the API key as"))
        let notice = try #require(Self.issues(#"type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_KEY}}", events: ["start", "notice"]"#).first)
        #expect(notice.path == "channels.c.events[1]")
        #expect(notice.message.hasPrefix("a statuspage channel is not told of \"notice\""))
        let page = try #require(Self.issues(#"type: "statuspage", pageId: "pg/1", apiKey: "{{secret:SP_KEY}}""#).first)
        #expect(page.path == "channels.c.pageId")
        let component = try #require(Self.issues(#"type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_KEY}}", components: { shp: "c1" }"#).first)
        #expect(component.path == "channels.c.components.shp" && component.message == "no target is named \"shp\"; did you mean \"shop\"?")
    }
}
