import Foundation
import MaintCore
import MaintNet
import Testing

/// The `statuspage` channel against a loopback imitation of Statuspage's API
/// (Tests/Support/statuspage_imitation.py), under a running daemon.
@Suite(.serialized)
struct StatuspageChannelTests {
    final class Imitation: @unchecked Sendable {
        let child: ChildProcess
        let base: String

        init(directory: URL, failFirst: Int) throws {
            child = try ChildProcess("/usr/bin/env", ["python3", Repository.root.appendingPathComponent("Tests/Support/statuspage_imitation.py").path,
                                                      "--page", "pg1", "--key", "sp-key-42", "--component", "cmp-shop", "--component", "cmp-blog",
                                                      "--fail-first", String(failFirst)], directory: directory)
            base = "http://127.0.0.1:\(try child.listeningPort())"
        }

        var state: [String: Any] {
            guard let answer = httpGet(base + "/imitation/state"),
                  let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else { return [:] }
            return object
        }
        var incidents: [String: [String: Any]] { state["incidents"] as? [String: [String: Any]] ?? [:] }
        var requests: [[String: Any]] { state["requests"] as? [[String: Any]] ?? [] }
    }

    /// Two windows on one page and key, and a third that is extended and canceled before it
    /// starts: each incident created at `scheduled`, in progress at `start` with its component
    /// under maintenance, completed at `end` with it operational; the incident id kept in the
    /// database; never two requests of the key within a second, while the webhook channel is
    /// told at once; a 5xx retried; a wrong key refused and shown.
    @Test func incidentsFollowTheirWindowsAtOneRequestASecond() throws {
        let workspace = try Workspace()
        let shop = try DemoSite(name: "shop", directory: workspace.directory)
        let blog = try DemoSite(name: "blog", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        let page = try Imitation(directory: workspace.directory, failFirst: 1)
        defer { page.child.stop(signal: SIGKILL) }
        try workspace.write("status.json5", """
            {
              targets: { \(shop.target(tags: ["x"])) \(blog.target(tags: ["x"])) },
              channels: {
                \(receiver.channel)
                status: { type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_KEY}}", api: "\(page.base)/v1",
                          components: { shop: "cmp-shop", blog: "cmp-blog" } },
                wrong: { type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_WRONG}}", api: "\(page.base)/v1", attempts: 1 },
              },
              windows: {
                a: { headline: "Shop upgrade", message: "Back soon.", targets: ["shop"], start: "+5s", duration: "4s", channels: ["status", "ops", "wrong"] },
                b: { headline: "Blog upgrade", message: "Back later.", targets: ["blog"], start: "+5s", duration: "4s", channels: ["status", "ops"] },
                c: { headline: "Later work", message: "Not yet.", targets: ["shop"], start: "+1h", duration: "1h", channels: ["status"] },
              },
            }
            """)
        let environment = ["SP_KEY": "sp-key-42", "SP_WRONG": "not-the-key"]
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: workspace.environment.merging(environment) { $1 },
                                      directory: workspace.directory)
        defer { daemon.stop() }
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("maint daemon started") })

        // c's incident exists once its creation went through; then it is extended and canceled.
        #expect(waitUntil(timeout: 30) { (try? workspace.window("c")["references"] as? [String: String])?["status"] != nil })
        #expect(try workspace.maint(["extend", "c", "--by", "30m"], environment: environment).status == 0)
        #expect(try workspace.maint(["cancel", "c"], environment: environment).status == 0)

        for id in ["a", "b"] { #expect(try workspace.waitForWindow(id, in: ["completed", "failed", "degraded"], timeout: 60) == "completed") }
        #expect(waitUntil(timeout: 30) {
            page.incidents.count == 3 && page.incidents.values.allSatisfy { ($0["incident_updates"] as? [Any])?.count == 3 }
        }, "\(page.incidents)")

        // Each incident's id is the one the database keeps for the window.
        var byWindow: [String: [String: Any]] = [:]
        for id in ["a", "b", "c"] {
            let reference = try #require((try workspace.window(id)["references"] as? [String: String])?["status"])
            let incident: [String: Any] = try #require(page.incidents[reference], "\(id): \(reference)")
            byWindow[id] = incident
        }
        func updates(_ id: String) -> [[String: Any]] { byWindow[id]?["incident_updates"] as? [[String: Any]] ?? [] }
        for (id, component) in [("a", "cmp-shop"), ("b", "cmp-blog")] {
            #expect(updates(id).map { $0["status"] as? String } == ["scheduled", "in_progress", "completed"])
            #expect(updates(id).map { ($0["components"] as? [String: String])?[component] } == ["operational", "under_maintenance", "operational"])
            #expect(byWindow[id]?["component_ids"] as? [String] == [component])
        }
        #expect(byWindow["a"]?["name"] as? String == "Shop upgrade" && updates("a").first?["body"] as? String == "Back soon.")
        // c: extended while scheduled (its end moved), then canceled: completed, never in progress.
        #expect(updates("c").map { $0["status"] as? String } == ["scheduled", "scheduled", "completed"])
        #expect((updates("c")[1]["body"] as? String)?.hasPrefix("The maintenance now ends at ") == true)
        let times = ISO8601DateFormatter()
        let until = try #require((byWindow["c"]?["scheduled_until"] as? String).flatMap { times.date(from: $0) })
        let start = try #require((byWindow["c"]?["scheduled_for"] as? String).flatMap { times.date(from: $0) })
        #expect(abs(until.timeIntervalSince(start) - 5_400) < 1, "1 h and 30 min more")

        // The rate limit: the key's requests at least a second apart, none refused for it.
        let withKey = page.requests.filter { ($0["status"] as? Int) != 401 }
        #expect(!withKey.contains { $0["status"] as? Int == 429 }, "\(withKey)")
        let arrivals = withKey.compactMap { $0["at"] as? Double }
        #expect(arrivals.count == 10, "3 creations (one retried after a 500), 4 changes for a and b, 2 for c: \(withKey)")
        #expect(zip(arrivals, arrivals.dropFirst()).allSatisfy { $1 - $0 >= 1.0 }, "\(arrivals)")
        // The first creation was answered 500 and sent again.
        #expect(withKey.first?["status"] as? Int == 500)
        // The webhook channel does not wait for the page: both starts are told within a second of
        // the first, while the page's two changes for them are a second apart at least.
        let starts = receiver.received.filter { $0.event == "start" }.map(\.at)
        let pageStarts = withKey.filter { ($0["method"] as? String) == "PATCH" && $0["status"] as? Int == 200 }.compactMap { $0["at"] as? Double }
            .filter { at in starts.contains { abs($0 - at) < 3 } }
        #expect(starts.count == 2 && abs(starts[0] - starts[1]) < 0.5, "\(starts)")
        #expect(pageStarts.count >= 2 && pageStarts.max()! - pageStarts.min()! >= 1.0, "\(pageStarts)")

        // The wrong key: refused, the delivery dead and visible, the key nowhere in the output.
        let wrong = (try workspace.window("a")["deliveries"] as? [[String: Any]] ?? []).filter { $0["channel"] as? String == "wrong" }
        #expect(wrong.first?["state"] as? String == "dead" && wrong.first?["lastError"] as? String == "answered 401", "\(wrong)")
        let shown = try workspace.maint(["show", "a"])
        #expect(shown.stdout.contains("references") && !shown.stdout.contains("sp-key-42"))
        #expect(!daemon.stderr.contains("sp-key-42") && !daemon.stderr.contains("not-the-key"))
    }
}
