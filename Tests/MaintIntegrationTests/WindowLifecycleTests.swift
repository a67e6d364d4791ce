import Foundation
import MaintNet
import Testing

/// The real `maint` binary against demo sites and a webhook receiver on loopback.
@Suite(.serialized)
struct WindowLifecycleTests {
    func schedule(sites: [DemoSite], receiver: WebhookReceiver, window: String) -> String {
        """
        {
          targets: {
        \(sites.map { $0.target(tags: ["shop"]) }.joined(separator: "\n"))
          },
          channels: { \(receiver.channel) },
          windows: { \(window) },
        }
        """
    }

    @Test func aWindowThreeSecondsAheadGoesFromScheduleFileToSitesAndBack() throws {
        let workspace = try Workspace()
        let sites = try (1...3).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", schedule(sites: sites, receiver: receiver, window: """
            "upgrade": { headline: "Scheduled maintenance", message: "Back at {{end.local}}.", targets: ["tag:shop"],
                         start: "+3s", duration: "3s", notices: ["2s"], channels: ["ops"], timezone: "Europe/Paris",
                         page: { bypassUrl: "https://status.example.com", buttonText: "View status", icon: "fas fa-tools" } },
            """))
        let daemon = try workspace.daemon()
        defer { daemon.stop() }

        let state = try workspace.waitForWindow("upgrade", in: ["completed", "degraded", "failed"], timeout: 40)
        #expect(state == "completed", "daemon log: \(daemon.stderr)")

        let window = try workspace.window("upgrade")
        let start = try #require(rfc3339(window["start"]))
        let end = try #require(rfc3339(window["end"]))
        for site in sites {
            let calls = site.calls
            #expect(calls.map(\.enabled) == [true, false], "\(site.name) received \(calls.map(\.enabled))")
            let activateLag = try #require(calls.first).at.timeIntervalSince(start)
            let deactivateLag = try #require(calls.last).at.timeIntervalSince(end)
            print("\(site.name): activate \(Int(activateLag * 1000)) ms after the start, deactivate \(Int(deactivateLag * 1000)) ms after the end")
            #expect(activateLag >= 0 && activateLag < 1.0)
            #expect(deactivateLag >= 0 && deactivateLag < 1.0)
            // The page fields reached the site, rendered, as JSON strings.
            let body = try #require(calls.first).body
            #expect(body["url"] as? String == "https://status.example.com")
            #expect(body["button"] as? String == "View status")
            #expect((body["message"] as? String)?.hasPrefix("Back at ") == true)
            #expect(site.maintenanceEnabled == false)
        }

        #expect(waitUntil(timeout: 10) { receiver.received.map(\.event).contains("end") })
        let deliveries = receiver.received
        #expect(deliveries.map(\.event) == ["scheduled", "notice", "start", "end"])
        #expect(deliveries.allSatisfy { $0.signatureValid })
        #expect(Set(deliveries.map(\.id)).count == deliveries.count)

        let targets = try #require(window["targets"] as? [[String: Any]])
        #expect(targets.count == 3)
        for target in targets {
            #expect(target["state"] as? String == "healthy")
            // A clean window reads as one: its last step (the checks) took one try.
            #expect(target["attempts"] as? Int == 1, "\(target)")
            let checks = try #require(target["health"] as? [[String: Any]])
            #expect(checks.map { $0["check"] as? String } == ["home", "api"])
            #expect(checks.allSatisfy { $0["ok"] as? Bool == true })
        }
        let endBody = try #require(deliveries.last?.body["data"] as? [String: Any])
        let health = try #require(endBody["health"] as? [[String: Any]])
        #expect(health.count == 3)
        #expect(endBody["result"] as? String == "completed")

        // The human view shows the health results too.
        let show = try workspace.maint(["show", "upgrade"])
        #expect(show.stdout.contains("home: ok; api: ok"))
    }

    @Test func killingTheDaemonDuringAWindowLosesNothing() throws {
        let workspace = try Workspace()
        let sites = try (1...2).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", schedule(sites: sites, receiver: receiver, window: """
            "patch": { targets: ["tag:shop"], start: "+2s", duration: "6s", channels: ["ops"] },
            """))
        let first = try workspace.daemon()
        #expect(try workspace.waitForWindow("patch", in: ["active"], timeout: 20) == "active", "daemon log: \(first.stderr)")
        first.stop(signal: SIGKILL)
        #expect(sites.allSatisfy { $0.maintenanceEnabled == true })

        // Down past the end of the window; the next start finishes it.
        Thread.sleep(forTimeInterval: 7)
        let second = try workspace.daemon()
        defer { second.stop() }
        let state = try workspace.waitForWindow("patch", in: ["completed", "degraded", "failed"], timeout: 40)
        #expect(state == "completed", "daemon log: \(second.stderr)")
        #expect(sites.allSatisfy { $0.maintenanceEnabled == false })
        #expect(sites.allSatisfy { $0.calls.map(\.enabled).last == false })

        #expect(waitUntil(timeout: 10) { receiver.received.map(\.event).contains("end") })
        let deliveries = receiver.received
        let events = Set(deliveries.map(\.event))
        #expect(events == ["scheduled", "start", "end"])
        // Any repeat carries the same webhook-id, so receivers drop it.
        for event in events {
            #expect(Set(deliveries.filter { $0.event == event }.map(\.id)).count == 1)
        }
        let log = try #require(try workspace.json(["show", "patch"]) as? [String: Any])["events"] as? [[String: Any]]
        let kinds = try #require(log).compactMap { $0["kind"] as? String }
        #expect(kinds.filter { $0 == "target.activated" }.count == 2)
        #expect(kinds.filter { $0 == "target.deactivated" }.count == 2)
        #expect(kinds.last == "window.completed")
    }

    @Test func emergencyWithNoDaemonSwitchesFromTheCommandLine() throws {
        let workspace = try Workspace()
        let sites = try (1...3).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", schedule(sites: sites, receiver: receiver, window: ""))

        let now = try workspace.maint(["now", "tag:shop", "--message", "Emergency fix <b>in progress</b>"])
        #expect(now.status == 0, "\(now.stdout)\n\(now.stderr)")
        #expect(now.stdout.contains("no daemon is running"))
        #expect(now.stdout.contains("3 of 3 target(s) in maintenance"))
        for site in sites {
            #expect(site.maintenanceEnabled == true)
            let page = try #require(site.get("/"))
            #expect(page.status == 503)
            #expect(page.text.contains("Emergency fix &lt;b&gt;in progress&lt;/b&gt;"))
            // Admins still get through.
            #expect(site.get("/", admin: true)?.status == 200)
        }
        let firstLine: Substring? = now.stdout.split(separator: "\n").first
        let id = try #require(firstLine?.split(separator: " ").dropFirst(2).first.map(String.init))
        let status = try #require(try workspace.json(["status"]) as? [String: Any])
        let targets = try #require(status["targets"] as? [[String: Any]])
        #expect(targets.map { $0["name"] as? String } == ["site1", "site2", "site3"])
        #expect(targets.allSatisfy { $0["inMaintenance"] as? Bool == true && $0["currentWindow"] as? String == id })

        let end = try workspace.maint(["end", id])
        #expect(end.status == 0, "\(end.stdout)\n\(end.stderr)")
        #expect(end.stdout.contains("\(id): completed"))
        for site in sites {
            #expect(site.maintenanceEnabled == false)
            #expect(site.get("/")?.status == 200)
        }
        // With no daemon, the command line delivered the announcements itself.
        #expect(receiver.received.map(\.event) == ["start", "end"])
        #expect(receiver.received.allSatisfy { $0.signatureValid })

        // What the two commands printed as the window went is its event log, line for line, as
        // `maint log` shows it: each line stamped to the millisecond, in the view's zone.
        let printed = (now.stdout + end.stdout).split(separator: "\n").filter { $0.first?.isNumber == true }.map(String.init)
        let log = try workspace.maint(["log", id])
        #expect(log.status == 0, "\(log.stderr)")
        #expect(printed == log.stdout.split(separator: "\n").map(String.init))
        #expect(printed.count >= 11, "\(printed)")
        #expect(printed.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+  \S+  [a-z.-]+  "#, options: .regularExpression) != nil },
                "\(printed)")
    }

    /// With no daemon, an announcement that cannot be delivered at once is not left silently
    /// pending: the command says it waits for the daemon, and so does `maint status`.
    @Test func announcementsLeftByACommandWithNoDaemonAreSaidToWait() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        try workspace.write("shop.json5", """
            {
              targets: {
            \(site.target(tags: ["shop"]))
              },
              channels: { down: { type: "webhook", format: "json", url: "http://127.0.0.1:9/hooks", secret: "{{secret:HOOK_SECRET}}", events: ["*"], attempts: 5 } },
            }
            """)
        let now = try workspace.maint(["now", "site", "--for", "1h", "--message", "disk swap"])
        #expect(now.status == 0, "\(now.stdout)\n\(now.stderr)")
        #expect(now.stdout.contains("1 announcement(s) of now-"), "\(now.stdout)")
        #expect(now.stdout.contains("(start to down): they wait for the daemon"), "\(now.stdout)")
        let status = try workspace.maint(["status"])
        #expect(status.stdout.contains("pending deliveries: 1 (they wait for the daemon"), "\(status.stdout)")
        let json = try #require(try workspace.json(["status"]) as? [String: Any])
        #expect(json["pendingDeliveries"] as? Int == 1)
    }
}
