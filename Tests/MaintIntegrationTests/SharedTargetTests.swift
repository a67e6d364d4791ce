import Foundation
import MaintCore
import MaintNet
import Testing

/// Windows that share targets, and windows whose time has come or gone (SPEC "Targets held by
/// several windows").
@Suite(.serialized)
struct SharedTargetTests {
    func schedule(_ sites: [DemoSite], windows: String = "", freezes: String = "") -> String {
        scheduleText(sites, windows: windows, freezes: freezes, healthTimeout: "10s")
    }

    /// Of twenty `maint add` for the same slot at once, exactly one is planned; the others are
    /// refused as overlapping it.
    @Test func simultaneousAddsForOneSlotPlanExactlyOne() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        try workspace.write("shop.json5", schedule([site]))
        _ = try workspace.maint(["status"])  // the database exists before the race
        let at = stamp(Date().addingTimeInterval(3_600))
        let adds = try (0..<20).map { _ in
            try ChildProcess(Repository.binary, ["add", "site", "--at", at, "--for", "30m"], environment: workspace.environment, directory: workspace.directory)
        }
        for child in adds { child.process.waitUntilExit() }
        let statuses = adds.map(\.process.terminationStatus)
        #expect(statuses.filter { $0 == 0 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 65 }.count == 19, "\(statuses)")
        #expect(adds.filter { $0.process.terminationStatus == 65 }.allSatisfy { $0.stderr.contains("overlaps window win-") })
        #expect(try #require(try workspace.json(["ls"]) as? [Any]).count == 1)
    }

    /// A window that is already over, or has already begun, is not planned: 65 and a hint.
    @Test func pastWindowsAreRefusedWithAHint() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        try workspace.write("shop.json5", schedule([site]))
        let over = try workspace.maint(["add", "site", "--at", stamp(Date().addingTimeInterval(-7_200)), "--for", "1h"])
        #expect(over.status == 65)
        #expect(over.stderr.contains("already over"), "\(over.stderr)")
        let begun = try workspace.maint(["add", "site", "--at", stamp(Date().addingTimeInterval(-600)), "--for", "1h"])
        #expect(begun.status == 65)
        #expect(begun.stderr.contains("use `maint now"), "\(begun.stderr)")
        #expect(try #require(try workspace.json(["ls", "--all"]) as? [Any]).isEmpty)
        // Nothing was stored, so nothing is announced as missed later.
        let events = try #require(try workspace.json(["log"]) as? [[String: Any]])
        #expect(!events.contains { ($0["kind"] as? String)?.hasPrefix("window.") == true }, "\(events)")
    }

    /// A freeze on one target leaves the others their occurrence of a shared recurring window.
    @Test func aFreezeOnOneTargetLeavesTheOthersTheirOccurrence() throws {
        let workspace = try Workspace()
        let paris = try DemoSite(name: "paris-shop", directory: workspace.directory)
        let lyon = try DemoSite(name: "lyon-web", directory: workspace.directory)
        let utc = try #require(TimeZone(identifier: "UTC"))
        let today = MaintCore.TimeText.civil(Date(), zone: utc).date
        try workspace.write("shop.json5", schedule([paris, lyon],
            windows: #""patch": { targets: ["paris-shop", "lyon-web"], recurrence: "FREQ=DAILY", start: "03:00", timezone: "UTC", duration: "45m" },"#,
            freezes: #""sale": { start: "\#(today.adding(days: 2)) 00:00", end: "\#(today.adding(days: 3)) 00:00", timezone: "UTC", targets: ["paris-shop"] },"#))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let frozenDay = today.adding(days: 2)
        let id = String(format: "patch@%04d%02d%02dT0300Z", frozenDay.year, frozenDay.month, frozenDay.day)
        #expect(waitUntil(timeout: 10) { (try? workspace.window(id)["state"] as? String) == "scheduled" })
        let window = try workspace.window(id)
        let targets = (window["targets"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(targets == ["lyon-web"], "\(window)")
        let events = (window["events"] as? [[String: Any]]) ?? []
        #expect(events.contains { ($0["kind"] as? String) == "target.frozen" && ($0["message"] as? String)?.contains("the freeze sale") == true
                                  && ($0["message"] as? String)?.contains("paris-shop") == true }, "\(events)")
        // The day after, both targets are back.
        let next = today.adding(days: 3)
        let after = try workspace.window(String(format: "patch@%04d%02d%02dT0300Z", next.year, next.month, next.day))
        #expect((after["targets"] as? [[String: Any]])?.count == 2)
    }

    /// A definition first loaded in the middle of its occurrence switches nothing: the occurrence
    /// is recorded `skipped`, the next one is planned; one already over is skipped too, never
    /// announced as missed.
    @Test func aDefinitionLoadedMidOccurrenceSwitchesNothing() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "ny-shop", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        let utc = try #require(TimeZone(identifier: "UTC"))
        let begun = MaintCore.TimeText.civil(Date().addingTimeInterval(-600), zone: utc)
        let time = String(format: "%02d:%02d", begun.hour, begun.minute)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["shop"])) },
              channels: { \(receiver.channel) },
              windows: {
                daily: { targets: ["ny-shop"], recurrence: "FREQ=DAILY", start: "\(time)", timezone: "UTC", duration: "1h", channels: ["ops"] },
                over: { targets: ["ny-shop"], start: "\(begun.date) 00:00", timezone: "UTC", duration: "1m", channels: ["ops"], force: true },
              },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        func id(_ day: CivilDate) -> String { String(format: "daily@%04d%02d%02dT%02d%02dZ", day.year, day.month, day.day, begun.hour, begun.minute) }
        #expect(waitUntil(timeout: 10) { (try? workspace.window(id(begun.date))["state"] as? String) == "skipped" })
        let skipped = try workspace.window(id(begun.date))
        let message = (skipped["events"] as? [[String: Any]])?.last?["message"] as? String
        #expect(message?.hasPrefix("defined after its start") == true, "\(skipped)")
        #expect(try workspace.window(id(begun.date.adding(days: 1)))["state"] as? String == "scheduled")
        #expect(try workspace.window("over")["state"] as? String == "skipped")
        Thread.sleep(forTimeInterval: 2)
        #expect(site.calls.isEmpty, "a site was switched: \(site.calls)")
        #expect(!receiver.received.contains { $0.event == "missed" || $0.event == "start" })
    }

    /// One target that times out on every try does not hold the window back: `start` is announced
    /// once every target has answered once, and the end is honoured at its instant.
    @Test func aFailingTargetNeverDelaysTheOthers() throws {
        let workspace = try Workspace()
        let good = try DemoSite(name: "good", directory: workspace.directory)
        let slow = try DemoSite(name: "slow", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        #expect(slow.post("/admin/api/faults", json: #"{"delayMs": 3000}"#)?.status == 200)
        let slowTarget = slow.target(tags: ["shop"], healthTimeout: "5s").replacingOccurrences(of: #"timeout: "5s""#, with: #"timeout: "1s""#)
        #expect(slowTarget.contains(#"timeout: "1s""#))
        try workspace.write("shop.json5", """
            {
              targets: { \(good.target(tags: ["shop"], healthTimeout: "5s")) \(slowTarget) },
              channels: { \(receiver.channel) },
              windows: { w: { targets: ["good", "slow"], start: "+2s", duration: "6s", channels: ["ops"] } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let window = try workspace.window("w")
        let start = try #require(rfc3339(window["start"])), end = try #require(rfc3339(window["end"]))
        #expect(waitUntil(timeout: 20) { receiver.received.contains { $0.event == "start" } })
        #expect(try workspace.waitForWindow("w", in: ["failed", "completed", "degraded"], timeout: 60) != "")
        // The good site went on at the start and off at the end, whatever the slow one did.
        let calls = good.calls
        let on = try #require(calls.first { $0.enabled }), off = try #require(calls.first { !$0.enabled })
        #expect(on.at.timeIntervalSince(start) < 1, "on \(on.at.timeIntervalSince(start)) s after the start")
        #expect(off.at.timeIntervalSince(end) < 1.5, "off \(off.at.timeIntervalSince(end)) s after the end")
        let events = try #require(try workspace.json(["log", "w"]) as? [[String: Any]])
        let active = events.first { $0["kind"] as? String == "window.active" }
        #expect((active?["message"] as? String)?.contains("still retrying: slow") == true, "\(events.map { $0["message"] ?? "" })")
        let activeAt = try #require(rfc3339(active?["at"]))
        #expect(activeAt.timeIntervalSince(start) < 2.5, "start announced \(activeAt.timeIntervalSince(start)) s after the start")
    }

    /// Two windows on one site: it is switched on at the first hold and off at the last, shows
    /// the newest window's text meanwhile, and the first window's end leaves it `held`, never off,
    /// while the first window's other site, held by no one else, is switched off.
    @Test func aTargetHeldByTwoWindowsStaysOnUntilTheLastEnds() throws {
        let workspace = try Workspace()
        let shared = try DemoSite(name: "shared", directory: workspace.directory)
        let other = try DemoSite(name: "other", directory: workspace.directory)
        let solo = try DemoSite(name: "solo", directory: workspace.directory)
        try workspace.write("shop.json5", schedule([shared, other, solo], windows: """
            first: { targets: ["shared", "solo"], start: "+2s", duration: "4s", headline: "First" },
            second: { targets: ["shared", "other"], start: "+4s", duration: "5s", headline: "Second", force: true },
            """))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("first", in: ["completed", "failed", "degraded"], timeout: 20) == "completed")
        // Between the two ends: still in maintenance, held by the second window alone.
        #expect(shared.maintenanceEnabled == true)
        let status = try #require(try workspace.json(["status"]) as? [String: Any])
        let row = (status["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "shared" }
        #expect(row?["heldBy"] as? [String] == ["second"], "\(row ?? [:])")
        let first = try workspace.window("first")
        let firstShared = (first["targets"] as? [[String: Any]])?.first { $0["name"] as? String == "shared" }
        #expect(firstShared?["state"] as? String == "held")
        #expect(firstShared?["heldBy"] as? [String] == ["second"])
        #expect(solo.calls.map(\.enabled) == [true, false], "the first window's own site is off at its end")
        #expect(solo.maintenanceEnabled == false)
        #expect(try workspace.maint(["show", "first"]).stdout.contains("held"))
        #expect(((first["events"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "target.held" && ($0["message"] as? String)?.contains("second") == true })
        #expect(try workspace.waitForWindow("second", in: ["completed", "failed", "degraded"], timeout: 30) == "completed")
        let calls = shared.calls
        // On for the first, on again with the second's text, told again when the first ended,
        // and off once, at the second's end.
        #expect(calls.map(\.enabled) == [true, true, true, false], "\(calls.map { ($0.enabled, $0.body["headline"] ?? "") })")
        #expect(calls.map { $0.body["headline"] as? String } == ["First", "Second", "Second", nil])
        let secondEnd = try #require(rfc3339(try workspace.window("second")["end"]))
        #expect(try #require(calls.last).at >= secondEnd.addingTimeInterval(-0.05))
        #expect(other.calls.map(\.enabled) == [true, false])
        #expect(shared.maintenanceEnabled == false)
    }

    /// `2026-12-06T02:00:00Z`, as the command line takes it.
    func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
