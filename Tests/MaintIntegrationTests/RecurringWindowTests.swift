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
}
