import Foundation
import MaintCore
import Testing

@Suite(.serialized)
struct ChangeWindowTests {
    @Test func updateAndExtendReachRunningSitesAndAreAnnounced() throws {
        let workspace = try Workspace()
        let sites = try (1...2).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", """
            { targets: { \(sites.map { $0.target(tags: ["shop"]) }.joined(separator: "\n")) }, channels: { \(receiver.channel) } }
            """)
        let now = try workspace.maint(["now", "tag:shop", "--for", "10m", "--message", "Investigating"])
        #expect(now.status == 0)
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))

        let update = try workspace.maint(["update", id, "--message", "Fix deployed, verifying"])
        #expect(update.status == 0, "\(update.stdout) \(update.stderr)")
        for site in sites {
            #expect(site.calls.count == 2)
            #expect(site.calls.last?.body["message"] as? String == "Fix deployed, verifying")
            #expect(site.get("/")?.text.contains("Fix deployed, verifying") == true)
        }

        let extend = try workspace.maint(["extend", id, "--by", "50m"])
        #expect(extend.status == 0, "\(extend.stdout) \(extend.stderr)")
        let window = try workspace.window(id)
        let start = try #require(rfc3339(window["start"]))
        let end = try #require(rfc3339(window["end"]))
        #expect(abs(end.timeIntervalSince(start) - 3600) < 1)
        for site in sites {
            // The site's Retry-After follows the new end: about an hour.
            let retryAfter = Double(site.calls.last?.body["retryAfter"] as? String ?? "") ?? 0
            #expect(retryAfter > 3500 && retryAfter <= 3600)
            #expect(site.calls.last?.body["message"] as? String == "Fix deployed, verifying")
        }
        let events = receiver.received.map(\.event)
        #expect(events == ["start", "updated", "extended"])
        let extended = try #require(receiver.received.last?.body["data"] as? [String: Any])
        #expect(((extended["window"] as? [String: Any])?["end"] as? String).flatMap { TimeText.parseRFC3339($0) } != nil)

        // A window that has not started just changes; its sites hear nothing.
        let later = try workspace.add(["site1", "--at", "+2h", "--for", "1h", "--force"])
        #expect(try workspace.maint(["extend", later, "--until", "+4h"]).status == 0)
        #expect(try workspace.maint(["update", later, "--message", "Moved"]).status == 0)
        #expect(try workspace.window(later)["message"] as? String == "Moved")
        #expect(sites[0].calls.count == 3)
        #expect(try workspace.maint(["extend", later, "--until", "+1h"]).status == 65)   // before its start

        #expect(try workspace.maint(["end", id]).status == 0)
        #expect(try workspace.maint(["update", id, "--message", "late"]).status == 65)   // over: its state does not allow it
    }
}
