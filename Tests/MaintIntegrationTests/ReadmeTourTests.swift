import Foundation
import Testing

/// The README's five-minute tour, run as written on the demo's own schedule
/// (`schedules/demo.json5`): the same commands, and output of the same shape as pasted there.
/// Only the sites' ports and the window's timing differ (the tour waits a minute; this test
/// seconds), so that it runs beside the other tests.
struct ReadmeTourTests {
    @Test func theTourWorksAsWritten() throws {
        let workspace = try Workspace()
        let sites = try ["shop-eu", "shop-us", "intranet"].map {
            try DemoSite(name: $0, directory: workspace.directory, manager: $0 == "intranet" ? "manager:haiilo-pw" : nil)
        }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        var demo = try String(contentsOf: Repository.root.appendingPathComponent("schedules/demo.json5"), encoding: .utf8)
        for (index, site) in sites.enumerated() { demo = demo.replacingOccurrences(of: "127.0.0.1:\(8081 + index)", with: "127.0.0.1:\(site.port)") }
        demo = demo.replacingOccurrences(of: "http://127.0.0.1:8090/hooks/maint", with: receiver.url)
            .replacingOccurrences(of: #"start: "+1m""#, with: #"start: "+4s""#).replacingOccurrences(of: #"duration: "1m""#, with: #"duration: "3s""#)
            .replacingOccurrences(of: #"notices: ["30s"]"#, with: #"notices: ["2s"]"#)
        try workspace.write("demo.json5", demo)
        let environment = ["DEMO_ADMIN_TOKEN": DemoSite.token, "DEMO_WEBHOOK_SECRET": WebhookReceiver.secret, "DEMO_HAIILO_PASSWORD": "haiilo-pw",
                           "TZ": "Europe/Paris"]
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: workspace.environment.merging(environment) { $1 }, directory: workspace.directory)
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("maint daemon started: 3 target(s), 1 channel(s), 1 window(s)") }, "\(daemon.stderr)")

        // `maint status`, while the window waits.
        let status = try workspace.maint(["status"], environment: environment)
        let lines = status.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("daemon: running (pid ") == true, "\(status.stdout)")
        #expect(lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true) == ["TARGET", "MAINTENANCE", "ACTUAL", "HELD", "BY", "NEXT", "WINDOW"])
        for name in ["intranet", "shop-eu", "shop-us"] {
            let row = try #require(lines.first { $0.hasPrefix(name + " ") }, "\(status.stdout)")
            let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            // The intranet's Haiilo API has no read of the state: its ACTUAL is not known.
            #expect(Array(cells.prefix(5)) == [name, "no", name == "intranet" ? "-" : "no", "-", "demo-upgrade"], "\(row)")
            #expect(row.hasSuffix(" CET") || row.hasSuffix(" CEST"), "the next window's time is labelled: \(row)")
        }
        #expect(lines.last == "dead deliveries: none")

        // The log of the window going by, then `maint show demo-upgrade`.
        #expect(try workspace.waitForWindow("demo-upgrade", in: ["completed", "degraded", "failed"], timeout: 40) == "completed", "\(daemon.stderr)")
        for line in ["window demo-upgrade: 2s notice queued", "notice to ops delivered (HTTP 200)", "window demo-upgrade: activating",
                     "shop-eu activated (HTTP 200, ", "window demo-upgrade: active", "start to ops delivered (HTTP 200)",
                     "window demo-upgrade: deactivating", "window demo-upgrade: completed (3/3 healthy)"] {
            #expect(daemon.stderr.contains(line), "the log has \(line): \(daemon.stderr)")
        }
        let show = try workspace.maint(["show", "demo-upgrade"], environment: environment)
        let shown = show.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(shown.first == "window    demo-upgrade  [completed]")
        #expect(shown.contains("timezone  Europe/Paris"))
        #expect(shown.contains { $0.split(separator: " ", omittingEmptySubsequences: true) == ["TARGET", "STATE", "TRIES", "ALSO", "HELD", "BY", "HEALTH"] })
        for (name, health) in [("intranet", "health: ok"), ("shop-eu", "home: ok; api: ok"), ("shop-us", "api: ok")] {
            #expect(shown.contains { $0.hasPrefix("  \(name) ") && $0.contains(" healthy  1 ") && $0.hasSuffix(health) }, "\(show.stdout)")
        }
        #expect(shown.contains { $0.hasPrefix("  2s before  ") && $0.hasSuffix("  sent") })
        // The intranet, through the `haiilo` profile and Haiilo's management API: on with the
        // window's text, off at the end, and the banner at the notice.
        #expect(sites[2].calls.map(\.enabled) == [true, false])
        #expect(sites[2].calls.first?.body["headline"] as? String == "Scheduled maintenance")
        let banner = sites[2].banners.first ?? ""
        #expect(banner.hasPrefix("Scheduled maintenance at ") && banner.contains(". We are upgrading our database."), "\(sites[2].banners)")
        #expect(shown.last { !$0.isEmpty }?.hasSuffix("-  window.completed  3 of 3 target(s) back and healthy") == true, "\(show.stdout)")
        #expect(shown.contains { $0.contains(" CET  shop-eu  target.activated  in maintenance: HTTP 200 in ") || $0.contains(" CEST  shop-eu  target.activated  in maintenance: HTTP 200 in ") })
        daemon.stop()

        // The emergency with no daemon: `maint now`, the site's 503, `maint end`.
        let now = try workspace.maint(["now", "tag:shop", "--message", "Payment provider outage, back soon"], environment: environment)
        #expect(now.status == 0, "\(now.stderr)")
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(now.stdout.hasPrefix("emergency window \(id) (open-ended: `maint end \(id)` when fixed)\nno daemon is running: switching from here\n"), "\(now.stdout)")
        #expect(now.stdout.hasSuffix("active: 2 of 2 target(s) in maintenance\n"), "\(now.stdout)")
        #expect(sites[0].get("/")?.status == 503)
        let end = try workspace.maint(["end", id], environment: environment)
        #expect(end.status == 0 && end.stdout.hasPrefix("no daemon is running: switching from here\n"), "\(end.stdout)")
        #expect(end.stdout.hasSuffix("  shop-eu: healthy\n  shop-us: healthy\n\(id): completed\n"), "\(end.stdout)")
        #expect(sites[0].get("/")?.status == 200)
    }
}
