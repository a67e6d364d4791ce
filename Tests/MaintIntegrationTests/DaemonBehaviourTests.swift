import Foundation
import MaintCore
import MaintNet
import Testing

@Suite(.serialized)
struct DaemonBehaviourTests {
    func schedule(_ sites: [DemoSite], _ receiver: WebhookReceiver, windows: String = "", healthTimeout: String = "20s") -> String {
        scheduleText(sites, receiver: receiver, windows: windows, healthTimeout: healthTimeout)
    }

    @Test func validateReportsEveryErrorAndExits65() throws {
        let workspace = try Workspace()
        let text = """
            {
              targets: {
                web: { driver: "http", activate: { url: "ftp://x" }, deactivate: { url: "https://x.example/" } },
              },
              windows: { w: { targets: ["nope"], start: "2030-01-01 02:00", duration: "2 hours" } },
            }
            """
        try workspace.write("a.json5", text)
        let result = try workspace.maint(["validate"])
        #expect(result.status == 65)
        let path = workspace.config.appendingPathComponent("a.json5").path
        for (token, field, message) in [("\"ftp://x\"", "targets.web.activate.url", "not an absolute http or https URL"),
                                        ("\"nope\"", "windows.w.targets[0]", "no target is named \"nope\""),
                                        ("\"2 hours\"", "windows.w.duration", "\"2 hours\" is not a duration")] {
            let (line, column) = position(of: token, in: text)
            #expect(result.stderr.contains("\(path):\(line):\(column): \(field): \(message)"), "\(result.stderr)")
        }
        #expect(result.stderr.contains("3 error(s)"))
        // And the daemon refuses to start on it.
        #expect(try workspace.maint(["daemon"]).status == 65)
    }

    @Test func usageErrorsExit2AndUnknownWindowsExit65() throws {
        let workspace = try Workspace()
        try workspace.write("a.json5", "{}")
        #expect(try workspace.maint(["frobnicate"]).status == 2)
        let version = try workspace.maint(["--version"])
        #expect(version.status == 0 && version.stdout == "maint \(Version.number)\n")
        #expect(try workspace.maint(["now", "web", "--message", "x", "--timezone", "Mars/Olympus"]).status == 2)
        #expect(try workspace.maint(["add", "web", "--for", "1h"]).status == 2)
        #expect(try workspace.maint(["ls", "--bogus"]).status == 2)
        let show = try workspace.maint(["show", "no-such-window"])
        #expect(show.status == 65)
        #expect(show.stderr.contains("no window \"no-such-window\""))
        #expect(try workspace.maint(["now", "ghost", "--message", "x"]).status == 65)
    }

    @Test func aBadReloadKeepsTheRunningScheduleAndAGoodOneIsTakenAtOnce() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""first": { targets: ["site"], start: "+4s", duration: "2s" },"#))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }

        let broken = "{ windows: { second: { targets: [\"site\"], start: \"soon\", duration: \"2s\" } } }"
        try workspace.write("broken.json5", broken)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("reload rejected") })
        let (line, column) = position(of: "\"soon\"", in: broken)
        #expect(daemon.stderr.contains("broken.json5:\(line):\(column): windows.second.start"), "\(daemon.stderr)")
        #expect(try workspace.maint(["show", "second"]).status == 65)

        try workspace.write("broken.json5", "{ windows: { second: { targets: [\"site\"], start: \"+8s\", duration: \"2s\" } } }")
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("schedule reloaded") })
        #expect(try workspace.waitForWindow("first", in: ["completed"], timeout: 30) == "completed")
        #expect(try workspace.waitForWindow("second", in: ["completed"], timeout: 30) == "completed")
        #expect(site.calls.map(\.enabled) == [true, false, true, false])
    }

    @Test func failedRequestsAreRetriedAndEachAttemptIsRecorded() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "flaky", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory, failFirst: 2)
        _ = site.post("/admin/api/faults", json: #"{"failNext": 2, "status": 502}"#)
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["flaky"], start: "+2s", duration: "8s", channels: ["ops"] },"#))
        let daemon = try workspace.daemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 40) == "completed", "\(daemon.stderr)")
        #expect(site.calls.map(\.enabled) == [true, true, true, false])
        let window = try workspace.window("w")
        let events = (window["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(events.filter { $0 == "target.retry" }.count == 2)
        let retry = (window["events"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "target.retry" }
        #expect((retry?["message"] as? String)?.contains("HTTP 502") == true)
        // The receiver refused the first two deliveries; each came again, with the same id, until accepted.
        #expect(waitUntil(timeout: 30) { Set(receiver.received.filter { $0.answered == 200 }.map(\.event)) == ["scheduled", "start", "end"] })
        let deliveries = receiver.received
        #expect(deliveries.filter { $0.answered == 500 }.count == 2)
        for refused in deliveries where refused.answered == 500 {
            #expect(deliveries.contains { $0.id == refused.id && $0.event == refused.event && $0.answered == 200 })
        }
        #expect(deliveries.filter { $0.answered == 200 }.count == 3)
    }

    @Test func secretsReachNeitherTheDatabaseNorTheLogNorJSON() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["site"], start: "+1s", duration: "2s", channels: ["ops"] },"#))
        let daemon = try workspace.daemon()
        #expect(try workspace.waitForWindow("w", in: ["completed"], timeout: 30) == "completed")
        daemon.stop()
        // SIGTERM is a clean stop, recorded in the log.
        #expect(daemon.process.terminationStatus == 0)
        let kinds = try #require(try workspace.json(["log"]) as? [[String: Any]]).compactMap { $0["kind"] as? String }
        #expect(kinds.first == "window.planned" && kinds.last == "daemon.stopped")
        let show = try workspace.maint(["show", "w", "--json"]).stdout + (try workspace.maint(["log"]).stdout)
        for secret in [DemoSite.token, WebhookReceiver.secret] {
            for file in [workspace.database, workspace.database + "-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds a secret")
            }
            #expect(!daemon.stderr.contains(secret))
            #expect(!show.contains(secret))
        }
        // The site did receive the token: the secret was really used.
        #expect(site.calls.count == 2)
    }

    @Test func afterDowntimeAPassedWindowIsMissedAndACurrentOneStartsAtOnce() throws {
        let workspace = try Workspace()
        let sites = try (1...2).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", schedule(sites, receiver))
        let passedId = try workspace.add(["site1", "--at", "+1s", "--for", "1s", "--channel", "ops"])
        let currentId = try workspace.add(["site2", "--at", "+1s", "--for", "6s", "--notice", "1h", "--channel", "ops"])
        Thread.sleep(forTimeInterval: 3)

        let daemon = try workspace.daemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow(passedId, in: ["missed"], timeout: 10) == "missed")
        #expect(try workspace.waitForWindow(currentId, in: ["active", "completed"], timeout: 10) != "")
        #expect(sites[0].calls.isEmpty)
        #expect(sites[1].calls.first?.enabled == true)
        #expect(try workspace.waitForWindow(currentId, in: ["completed"], timeout: 30) == "completed")
        #expect(waitUntil(timeout: 10) { receiver.received.contains { $0.event == "missed" } && receiver.received.contains { $0.event == "end" } })
        // The 1h notice was long stale: skipped, never sent late.
        #expect(!receiver.received.contains { $0.event == "notice" })
        let notices = try #require(try workspace.window(currentId)["notices"] as? [[String: Any]])
        #expect(notices.map { $0["state"] as? String } == ["skipped"])
    }

    /// A restart with the files unchanged is ready from the stored copy and switches from it; a
    /// command that chooses targets by tag waits for the files; edited files are read first.
    @Test func aRestartWithUnchangedFilesStartsFromTheStoredCopy() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver))
        let first = try workspace.readyDaemon()
        #expect(first.stderr.contains("1 target(s), 1 channel(s)"), "a first start reads the files: \(first.stderr)")
        first.stop()
        let restarted = try workspace.readyDaemon()
        #expect(restarted.stderr.contains("maint daemon started: the stored copy of"), "\(restarted.stderr)")
        let add = try workspace.maint(["add", "tag:shop", "--at", "+2s", "--for", "2s"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(restarted.stderr.contains("schedule files read (the daemon started from its stored copy): 1 target(s)"), "\(restarted.stderr)")
        let id = try #require(add.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(try workspace.waitForWindow(id, in: ["completed"], timeout: 30) == "completed")
        #expect(site.calls.first?.enabled == true)
        restarted.stop()
        // An edit (another tag) is read before the daemon is ready.
        try workspace.write("shop.json5", schedule([site], receiver).replacingOccurrences(of: #"["shop"]"#, with: #"["shop", "eu"]"#))
        let edited = try workspace.readyDaemon()
        defer { edited.stop() }
        #expect(edited.stderr.contains("maint daemon started: 1 target(s), 1 channel(s)"), "\(edited.stderr)")
        #expect(try workspace.maint(["check", "tag:eu"]).status != 65, "the new tag is known at once")
    }

    /// Storing many windows at a start logs the first lines and then one summary: each window
    /// is in the event log, and the journal is not flooded.
    @Test func manyWindowsPlannedAtAStartAreSummedUpInTheLog() throws {
        let (workspace, site, receiver) = try siteSetup()
        let windows = (1...25).map { #"w\#($0): { targets: ["site"], start: "+\#($0)d", duration: "1h" },"# }.joined(separator: "\n")
        try workspace.write("shop.json5", schedule([site], receiver, windows: windows))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let planned = daemon.stderr.split(separator: "\n").filter { $0.contains(": planned for ") }
        #expect(planned.count == 20, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("… and 5 more window(s) planned or re-planned"), "\(daemon.stderr)")
        let events = try workspace.maint(["log", "--json"])
        #expect(events.stdout.components(separatedBy: "window.planned").count - 1 == 25, "\(events.stdout.prefix(2000))")
    }

    @Test func aWindowAddedFromTheCommandLineWakesAnIdleDaemon() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let add = try workspace.maint(["add", "tag:shop", "--at", "+2s", "--for", "2s"])
        #expect(add.status == 0)
        #expect(!add.stdout.contains("no daemon"))
        let id = try #require(add.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(try workspace.waitForWindow(id, in: ["completed"], timeout: 30) == "completed")
        let start = try #require(rfc3339(try workspace.window(id)["start"]))
        let lag = try #require(site.calls.first).at.timeIntervalSince(start)
        print("activation \(Int(lag * 1000)) ms after the start of a window added while the daemon slept")
        #expect(lag >= 0 && lag < 1)
    }

    @Test func failingHealthChecksEndInDegradedWithTheResults() throws {
        let (workspace, site, receiver) = try siteSetup()
        _ = site.post("/admin/api/faults", json: #"{"unhealthy": true}"#)
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["site"], start: "+1s", duration: "1s", channels: ["ops"] },"#, healthTimeout: "3s"))
        let daemon = try workspace.daemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed", "degraded", "failed"], timeout: 30) == "degraded")
        let target = try #require((try workspace.window("w")["targets"] as? [[String: Any]])?.first)
        #expect(target["state"] as? String == "unhealthy")
        let checks = try #require(target["health"] as? [[String: Any]])
        let api = try #require(checks.first { $0["check"] as? String == "api" })
        #expect(api["ok"] as? Bool == false)
        #expect((api["detail"] as? String)?.contains("[BODY].status == ok (got down)") == true)
        #expect(waitUntil(timeout: 10) { receiver.received.contains { $0.event == "end" } })
        let end = try #require(receiver.received.first { $0.event == "end" }?.body["data"] as? [String: Any])
        #expect(end["result"] as? String == "degraded")
    }

    @Test func aTargetThatCannotBeSwitchedFailsAloneAndTheWindowSaysSo() throws {
        let workspace = try Workspace()
        let good = try DemoSite(name: "good", directory: workspace.directory)
        let broken = try DemoSite(name: "broken", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        _ = broken.post("/admin/api/faults", json: #"{"failNext": 2, "status": 500}"#)
        try workspace.write("shop.json5", """
            {
              targets: {
            \(good.target(tags: ["shop"], retries: 1))
            \(broken.target(tags: ["shop"], retries: 1))
              },
              channels: { \(receiver.channel) },
              windows: { w: { targets: ["tag:shop"], start: "+1s", duration: "5s", channels: ["ops"] } },
            }
            """)
        let daemon = try workspace.daemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 15) == "active")
        #expect(good.maintenanceEnabled == true)
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 30) == "failed")
        // Two refused activations, then the deactivate request all the same.
        #expect(broken.calls.map(\.enabled) == [true, true, false])
        #expect(good.calls.map(\.enabled) == [true, false])
        #expect(waitUntil(timeout: 10) { receiver.received.contains { $0.event == "end" } })
        let failure = try #require(receiver.received.first { $0.event == "failure" }?.body["data"] as? [String: Any])
        let detail = try #require(failure["failure"] as? [String: Any])
        #expect(detail["target"] as? String == "broken")
        #expect(detail["action"] as? String == "activate")
        #expect((detail["error"] as? String)?.hasPrefix("HTTP 500") == true)
        #expect((detail["next"] as? String)?.contains("deactivate request at the end") == true)
        // `start` goes out once every target has answered once; the failure after the last retry.
        let events: [String] = receiver.received.map(\.event).filter { $0 != "scheduled" }
        #expect(events == ["start", "failure", "end"])
    }

    @Test func aCanceledWindowNeverTouchesItsTargetsAndIsAnnounced() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let id = try workspace.add(["site", "--at", "+3s", "--for", "2s", "--message", "Routine work"])
        let early = try workspace.maint(["end", id])   // not started: end refuses and says to cancel
        #expect(early.status == 65 && early.stderr.contains("has not started; to drop it, run `maint cancel"), "\(early.stderr)")
        let cancel = try workspace.maint(["cancel", id])
        #expect(cancel.status == 0)
        #expect(try workspace.window(id)["state"] as? String == "canceled")
        #expect(try workspace.maint(["cancel", id]).status == 65, "canceled already: the window's state does not allow it")
        // Ending a window that is over succeeds: what was asked for holds (a retried CI step).
        let again = try workspace.maint(["end", id])
        #expect(again.status == 0 && again.stdout.contains("\(id): canceled"), "\(again.stdout) \(again.stderr)")
        Thread.sleep(forTimeInterval: 6)
        #expect(site.calls.isEmpty)
        #expect(waitUntil(timeout: 10) { receiver.received.map(\.event) == ["scheduled", "canceled"] })
        let listed = try #require(try workspace.json(["ls", "--all"]) as? [[String: Any]])
        #expect(listed.map { $0["state"] as? String } == ["canceled"])
    }
}
