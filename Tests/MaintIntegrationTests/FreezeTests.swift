import Foundation
import MaintCore
import Testing

@Suite(.serialized)
struct FreezeTests {
    @Test func addRefusesFreezesAndOverlapsUnlessForcedAndRecurringWindowsSkipFrozenDays() throws {
        let workspace = try Workspace()
        let utc = try #require(TimeZone(identifier: "UTC"))
        let today = TimeText.civil(Date(), zone: utc).date
        func day(_ offset: Int) -> CivilDate { today.adding(days: offset) }
        func compact(_ date: CivilDate) -> String { String(format: "%04d%02d%02d", date.year, date.month, date.day) }
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["shop"])) },
              channels: { \(receiver.channel) },
              freezes: { "launch": { start: "\(day(4)) 00:00", end: "\(day(6)) 00:00", timezone: "UTC", targets: ["tag:shop"] } },
              windows: { weekly: { targets: ["shop"], recurrence: "FREQ=DAILY;UNTIL=\(compact(day(7)))T235959", start: "\(day(2)) 02:00", timezone: "UTC", duration: "1h" } },
            }
            """)
        let frozen = try workspace.maint(["add", "shop", "--at", "\(day(5))T10:00:00Z", "--for", "1h"])
        #expect(frozen.status == 65)
        #expect(frozen.stderr.contains("overlaps the freeze launch (\(day(4)) 00:00 UTC (+00:00) to \(day(6)) 00:00 UTC (+00:00)) on shop"), "\(frozen.stderr)")
        let clash = try workspace.maint(["add", "shop", "--at", "\(day(3))T02:30:00Z", "--for", "1h"])
        #expect(clash.status == 65)
        #expect(clash.stderr.contains("overlaps window weekly@\(compact(day(3)))T0200Z"), "\(clash.stderr)")
        #expect(try workspace.maint(["add", "shop", "--at", "\(day(5))T10:00:00Z", "--for", "1h", "--force"]).status == 0)

        // The daemon stores the series; the frozen days are canceled, with the reason.
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(waitUntil(timeout: 10) { (try? workspace.maint(["ls", "--all"]).stdout.contains("weekly@\(compact(day(7)))T0200Z")) == true })
        let windows = try #require(try workspace.json(["ls", "--all"]) as? [[String: Any]])
        let series = windows.filter { ($0["id"] as? String)?.hasPrefix("weekly@") == true }
        #expect(series.map { $0["state"] as? String } == ["scheduled", "scheduled", "canceled", "canceled", "scheduled", "scheduled"])
        let skipped = try workspace.window("weekly@\(compact(day(4)))T0200Z")
        let reason = (skipped["events"] as? [[String: Any]])?.last?["message"] as? String
        #expect(reason?.hasPrefix("skipped: the freeze launch") == true)
    }
}
