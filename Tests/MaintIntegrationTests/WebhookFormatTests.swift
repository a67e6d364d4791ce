import Foundation
import MaintCore
import MaintFuzz
import Testing

@Suite(.serialized)
struct WebhookFormatTests {
    /// Every event in every format: `json` against docs/webhook-json.schema.json, the chat formats
    /// against the shapes Slack, Teams and Discord accept (Tests/Support/schemas).
    @Test func everyFormatMatchesWhatItsReceiverExpects() throws {
        let workspace = try Workspace()
        let good = try DemoSite(name: "shop", directory: workspace.directory)
        let broken = try DemoSite(name: "blog", directory: workspace.directory)
        _ = broken.post("/admin/api/faults", json: #"{"failNext": 2}"#)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        let base = "http://127.0.0.1:\(receiver.port)"
        try workspace.write("shop.json5", """
            {
              targets: { \(good.target(tags: ["x"], banner: true)) \(broken.target(tags: ["x"], retries: 1)) },
              channels: {
                json: { type: "webhook", format: "json", url: "\(base)/json", secret: "{{secret:HOOK_SECRET}}" },
                slack: { type: "webhook", format: "slack", url: "\(base)/slack", timezone: "America/New_York" },
                teams: { type: "webhook", format: "teams", url: "\(base)/teams" },
                discord: { type: "webhook", format: "discord", url: "\(base)/discord",
                           templates: { start: { subject: "{{headline}} has begun", body: "Back by {{end.local}} ({{targets}})." } } },
              },
              windows: { w: { headline: "Storage <upgrade> & \\"migration\\"", message: "Back at {{end.local}}.", targets: ["tag:x"],
                              start: "+3s", duration: "3s", notices: ["2s"], channels: ["json", "slack", "teams", "discord"], onFailure: "continue" } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 40) == "failed")
        #expect(waitUntil(timeout: 15) { receiver.received.filter { $0.path == "/discord" }.count == 5 })

        let deliveries = receiver.received
        let paths = ["json": "docs/webhook-json.schema.json", "slack": "Tests/Support/schemas/slack.json",
                     "teams": "Tests/Support/schemas/teams.json", "discord": "Tests/Support/schemas/discord.json"]
        var input: [String] = []
        for delivery in deliveries {
            let format = String(delivery.path.dropFirst())
            let schema = Repository.root.appendingPathComponent(try #require(paths[format])).path
            let document = try JSONSerialization.data(withJSONObject: delivery.body)
            input.append(#"{"schema": "\#(schema)", "document": \#(String(decoding: document, as: UTF8.self))}"#)
        }
        let verdicts = try LineFilter.run(["/usr/bin/env", "python3", Repository.root.appendingPathComponent("Tests/Support/validate_json.py").path],
                                          lines: input)
        #expect(verdicts.count == deliveries.count)
        for (delivery, verdict) in zip(deliveries, verdicts) {
            #expect(verdict == "ok", "\(delivery.path) \(delivery.event): \(verdict)")
        }

        // Five events to each channel, in order; only json is signed.
        let json = deliveries.filter { $0.path == "/json" }
        #expect(json.map(\.event) == ["scheduled", "notice", "start", "failure", "end"])
        #expect(json.allSatisfy { $0.signatureValid })
        for path in ["/slack", "/teams", "/discord"] {
            #expect(deliveries.filter { $0.path == path }.count == 5)
            #expect(deliveries.filter { $0.path == path }.allSatisfy { $0.id.isEmpty })
        }
        // Slack: the times in the channel's zone; its mrkdwn escaped.
        let slackScheduled = try #require(deliveries.first { $0.path == "/slack" })
        let slackText = String(decoding: try JSONSerialization.data(withJSONObject: slackScheduled.body), as: UTF8.self)
        #expect(slackText.contains("EST (-05:00)") || slackText.contains("EDT (-04:00)"))
        #expect(slackText.contains("Storage &lt;upgrade&gt; &amp;"))
        #expect((slackScheduled.body["text"] as? String)?.hasPrefix("Storage <upgrade> & \"migration\" on ") == true)
        // Discord: the channel's own wording for `start`.
        let discordStart = try #require(deliveries.filter { $0.path == "/discord" }.compactMap { ($0.body["embeds"] as? [[String: Any]])?.first }
            .first { ($0["title"] as? String)?.hasSuffix("has begun") == true })
        #expect((discordStart["description"] as? String)?.hasPrefix("Back by ") == true)
        // failure: which target, how, what next.
        let failure = try #require(json.first { $0.event == "failure" }?.body["data"] as? [String: Any])
        #expect((failure["text"] as? String)?.contains("blog could not activate: HTTP 500") == true)
        #expect((failure["text"] as? String)?.contains("What happens next: The other targets go on") == true)

        // The in-app banner: the shop's own notice request, at the notice time.
        #expect(good.banners.first?.hasPrefix("Storage <upgrade> & \"migration\" at ") == true)
    }

    /// Every event's default wording renders in full: no placeholder left, nothing empty.
    @Test func previewPrintsWhatWouldBeSentForEveryEvent() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["x"])) },
              channels: { hook: { type: "webhook", format: "json", url: "http://127.0.0.1:9/{{secret:HOOK_PATH}}", secret: "{{secret:HOOK_SECRET}}" } },
              windows: { w: { targets: ["shop"], start: "2030-06-01 02:00", timezone: "Europe/Paris", duration: "2h", notices: ["24h"], channels: ["hook"] } },
            }
            """)
        _ = try workspace.readyDaemon()
        for event in AnnouncementEvent.allCases.map(\.rawValue) {
            let preview = try workspace.maint(["preview", "w", "--event", event, "--channel", "hook"])
            #expect(preview.status == 0, "\(event): \(preview.stderr)")
            #expect(preview.stdout.hasPrefix("POST http://127.0.0.1:9/{{secret:HOOK_PATH}}"))
            #expect(!preview.stdout.contains(WebhookReceiver.secret))
            // The headers, a blank line, then the body (which may hold blank lines of its own).
            let separator = try #require(preview.stdout.range(of: "\n\n"))
            let body = String(preview.stdout[separator.upperBound...])
            let data = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])["data"] as? [String: Any]
            let subject = try #require(data?["subject"] as? String), text = try #require(data?["text"] as? String)
            #expect(!subject.isEmpty && !text.isEmpty)
            #expect(!subject.contains("{{") && !text.contains("{{"), "\(event): \(subject) / \(text)")
            #expect(data?["event"] as? String == event)
        }
        #expect(try workspace.maint(["preview", "w", "--event", "explode", "--channel", "hook"]).status == 2)
    }

    /// An e-mail is shown decoded: headers (RFC 2047 words read back), then the text, HTML and
    /// calendar parts; a notice is chosen by its offset; a channel not told of the event is
    /// previewed with a warning.
    @Test func previewShowsAnEmailDecodedAndWarnsWhatWouldNotBeSent() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["x"]).replacingOccurrences(of: #"driver: "http""#, with: #"driver: "http", displayName: "Shop (Europe)""#)) },
              channels: {
                customers: { type: "email", smtp: "smtp://127.0.0.1:9", from: "Ops <ops@example.com>", to: ["customers@example.com"], timezone: "Europe/Paris", events: ["notice", "start"] },
              },
              windows: { w: { targets: ["shop"], start: "2030-06-01 02:00", timezone: "Europe/Paris", duration: "2h", notices: ["24h", "1h"],
                              headline: "Wartung für die Datenbank", message: "Zurück um {{end.local}}.", channels: ["customers"] } },
            }
            """)
        _ = try workspace.readyDaemon()
        let notice = try workspace.maint(["preview", "w", "--event", "notice", "--offset", "1h", "--channel", "customers"])
        #expect(notice.status == 0, "\(notice.stderr)")
        #expect(notice.stdout.contains("Subject: Reminder: maintenance in 1h: Wartung für die Datenbank"), "the subject is decoded: \(notice.stdout)")
        #expect(notice.stdout.contains("--- text/plain ---") && notice.stdout.contains("--- text/html ---") && notice.stdout.contains("--- text/calendar ---"))
        #expect(notice.stdout.contains("Zurück um 2030-06-01 04:00"), "the text part is decoded")
        #expect(notice.stdout.contains("BEGIN:VCALENDAR"))
        #expect(notice.stdout.contains("Affected: Shop (Europe)"), "customers read the display name, not the key")
        #expect(notice.stdout.contains("1h"), "the chosen notice")
        #expect(!notice.stdout.contains("Content-Transfer-Encoding: base64"))
        #expect(notice.stderr.isEmpty, "\(notice.stderr)")
        let unknownOffset = try workspace.maint(["preview", "w", "--event", "notice", "--offset", "7d", "--channel", "customers"])
        #expect(unknownOffset.stderr.contains("warning: window w has no 7d notice (its notices: 24h, 1h)"), "\(unknownOffset.stderr)")
        let end = try workspace.maint(["preview", "w", "--event", "end", "--channel", "customers"])
        #expect(end.status == 0)
        #expect(end.stderr.contains("warning: channel customers is not told of end events (it takes: notice, start)"), "\(end.stderr)")
    }
}
