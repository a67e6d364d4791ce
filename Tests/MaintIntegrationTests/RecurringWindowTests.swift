import Foundation
import MaintCore
import Testing

@Suite(.serialized)
struct RecurringWindowTests {
    @Test func aDailyWindowRunsTodayAndTheNextOneIsPlannedWhenItStarts() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        let utc = try #require(TimeZone(identifier: "UTC"))
        let first = Date().addingTimeInterval(4).rounded()
        let startTime = TimeText.civil(first, zone: utc)
        let clock = String(format: "%02d:%02d:%02d", startTime.hour, startTime.minute, startTime.second)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["shop"])) },
              channels: { \(receiver.channel) },
              windows: { nightly: { targets: ["tag:shop"], recurrence: "FREQ=DAILY", start: "\(clock)", timezone: "UTC", duration: "2s", channels: ["ops"] } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let todayId = "nightly@" + compact(first)
        let tomorrowId = "nightly@" + compact(first.addingTimeInterval(86_400))
        #expect(try workspace.waitForWindow(todayId, in: ["completed"], timeout: 30) == "completed", "\(daemon.stderr)")
        #expect(site.calls.map(\.enabled) == [true, false])
        let lag = try #require(site.calls.first).at.timeIntervalSince(first)
        #expect(lag >= 0 && lag < 1)

        let listed = try #require(try workspace.json(["ls", "--all"]) as? [[String: Any]])
        let ids = listed.compactMap { $0["id"] as? String }
        // Materialized two weeks ahead, each occurrence an ordinary window.
        #expect(ids.first == todayId)
        #expect(ids.contains(tomorrowId))
        #expect(ids.count >= 14)
        let window = try workspace.window(tomorrowId)
        #expect(window["state"] as? String == "scheduled")
        #expect(rfc3339(window["start"]) == first.addingTimeInterval(86_400))

        // One window over a range: --from and --to pick the occurrences.
        let range = try #require(try workspace.json(["ls", "--from", TimeText.rfc3339(first.addingTimeInterval(86_400 * 2 - 60)),
                                                     "--to", TimeText.rfc3339(first.addingTimeInterval(86_400 * 3 + 60))]) as? [[String: Any]])
        #expect(range.compactMap { $0["id"] as? String } == ["nightly@" + compact(first.addingTimeInterval(86_400 * 2)),
                                                             "nightly@" + compact(first.addingTimeInterval(86_400 * 3))])
        // A recurring window is announced by its notices and its runs, not by a `scheduled` per occurrence.
        #expect(waitUntil(timeout: 10) { receiver.received.map(\.event) == ["start", "end"] })
    }

    func compact(_ date: Date) -> String {
        let time = TimeText.civil(date, zone: TimeZone(identifier: "UTC") ?? .current)
        return String(format: "%04d%02d%02dT%02d%02dZ", time.date.year, time.date.month, time.date.day, time.hour, time.minute)
    }
}

extension Date {
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }

    /// A recurring window is handled as a whole by its name: `show` lists the series, `skip`
    /// leaves out one occurrence (announced), `cancel` cancels the stored ones still to come.
    @Test func aSeriesIsShownSkippedAndCanceledByItsName() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["shop"])) },
              channels: { \(receiver.channel) },
              windows: {
                weekly: { targets: ["site"], recurrence: "FREQ=WEEKLY;BYDAY=SU", start: "03:00", timezone: "UTC", duration: "45m", channels: ["ops"] },
                once: { targets: ["site"], start: "2099-01-01 02:00", timezone: "UTC", duration: "1h", channels: ["ops"] },
              },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let show = try workspace.maint(["show", "weekly", "--utc"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("series    weekly  FREQ=WEEKLY;BYDAY=SU"), "\(show.stdout)")
        let series = try #require(try workspace.json(["show", "weekly"]) as? [String: Any])
        let occurrences = try #require(series["occurrences"] as? [[String: Any]])
        #expect(occurrences.count >= 2, "two weeks stored")
        let first = try #require(occurrences.first?["id"] as? String)

        let skip = try workspace.maint(["skip", first])
        #expect(skip.status == 0 && skip.stdout.contains("skipped \(first); the series goes on"), "\(skip.stdout) \(skip.stderr)")
        #expect(try workspace.window(first)["state"] as? String == "canceled")
        #expect(waitUntil(timeout: 10) { receiver.received.contains { $0.event == "canceled" } })
        let notASeries = try workspace.maint(["skip", "once"])
        #expect(notASeries.status == 65 && notASeries.stderr.contains("not an occurrence of a recurring window"), "\(notASeries.stderr)")

        let cancel = try workspace.maint(["cancel", "weekly"])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("canceled \(occurrences.count - 1) occurrence(s) of weekly"), "\(cancel.stdout)")
        #expect(cancel.stdout.contains("note: weekly is still defined in the schedule files"))
        let after = try #require(try workspace.json(["show", "weekly"]) as? [String: Any])
        #expect((after["occurrences"] as? [[String: Any]])?.allSatisfy { $0["state"] as? String == "canceled" } == true)
        #expect(try workspace.window("once")["state"] as? String == "scheduled", "another window is untouched")
        #expect(try workspace.maint(["show", "nothing-by-that-name"]).status == 65)
    }
}
