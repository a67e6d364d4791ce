import Foundation
import MaintCore
import Testing

@Suite(.serialized)
struct StagedWindowTests {
    /// Six sites in three zones, three stages: API first, then web, then edge; back in reverse.
    @Test func stagesSwitchInOrderAndComeBackInReverse() throws {
        let workspace = try Workspace()
        let layout: [(String, String, String)] = [("api-paris", "api", "Europe/Paris"), ("api-newyork", "api", "America/New_York"),
                                                  ("web-paris", "web", "Europe/Paris"), ("web-sydney", "web", "Australia/Sydney"),
                                                  ("edge-newyork", "edge", "America/New_York"), ("edge-sydney", "edge", "Australia/Sydney")]
        let sites = try layout.map { try DemoSite(name: $0.0, directory: workspace.directory) }
        // A slow API stage makes the order visible.
        for site in sites.prefix(2) { _ = site.post("/admin/api/faults", json: #"{"delayMs": 300}"#) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", """
            {
              targets: { \(zip(sites, layout).map { $0.target(tags: [$1.1], timezone: $1.2) }.joined(separator: "\n")) },
              channels: { \(receiver.channel) },
              windows: { upgrade: { targets: ["tag:api", "tag:web", "tag:edge"], order: [["tag:api"], ["tag:web"], ["tag:edge"]],
                                    start: "+2s", duration: "3s", channels: ["ops"] } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("upgrade", in: ["completed", "failed", "degraded"], timeout: 40) == "completed", "\(daemon.stderr)")

        var on: [String: (Date, Date)] = [:], off: [String: (Date, Date)] = [:]
        for site in sites {
            let calls = site.calls
            try #require(calls.map(\.enabled) == [true, false], "\(site.name): \(calls.map(\.enabled))")
            on[site.name] = (calls[0].at, calls[0].done)
            off[site.name] = (calls[1].at, calls[1].done)
        }
        for (name, _) in on.sorted(by: { $0.value.0 < $1.value.0 }) {
            print("\(name): on at +\(Int(((on[name]?.0.timeIntervalSince1970 ?? 0).truncatingRemainder(dividingBy: 100)) * 1000)) ms")
        }
        func stage(_ prefix: String, _ map: [String: (Date, Date)]) -> [(Date, Date)] {
            map.filter { $0.key.hasPrefix(prefix) }.map(\.value)
        }
        // Each stage starts only after every site of the stage before has answered.
        func follows(_ later: [(Date, Date)], _ earlier: [(Date, Date)]) -> Bool {
            (later.map(\.0).min() ?? .distantPast) >= (earlier.map(\.1).max() ?? .distantFuture)
        }
        #expect(follows(stage("web", on), stage("api", on)))
        #expect(follows(stage("edge", on), stage("web", on)))
        #expect(follows(stage("web", off), stage("edge", off)))
        #expect(follows(stage("api", off), stage("web", off)))
        let kinds = (try workspace.window("upgrade")["events"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(kinds.contains("stage 3: edge-newyork, edge-sydney"))
    }

    @Test func maxParallelCapsRequestsInFlight() throws {
        let workspace = try Workspace()
        let sites = try (1...4).map { try DemoSite(name: "s\($0)", directory: workspace.directory) }
        for site in sites { _ = site.post("/admin/api/faults", json: #"{"delayMs": 250}"#) }
        try workspace.write("shop.json5", """
            {
              targets: { \(sites.map { $0.target(tags: ["x"]) }.joined(separator: "\n")) },
              windows: { w: { targets: ["tag:x"], maxParallel: 2, start: "+1s", duration: "3s" } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 40) == "completed")
        // At no instant were more than two activate requests being answered.
        let spans = sites.compactMap { $0.calls.first }.map { ($0.at, $0.done) }
        #expect(spans.count == 4)
        for (start, _) in spans {
            let inFlight = spans.filter { $0.0 <= start && start < $0.1 }.count
            #expect(inFlight <= 2)
        }
        let first = spans.map(\.0).min() ?? Date(), last = spans.map(\.0).max() ?? Date()
        #expect(last.timeIntervalSince(first) >= 0.24)
    }
}
