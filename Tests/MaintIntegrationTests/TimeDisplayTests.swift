import Foundation
import Testing

/// One way to show time: every human view shows its times in one zone (the system's, or
/// `--zone`/`--utc`), each labelled; `maint ls` reads sorted and fits 100 columns.
struct TimeDisplayTests {
    /// Sites in Paris and New York, a weekly window in each target's own night, a one-off in
    /// Paris, and a window over thirty targets.
    func workspace() throws -> Workspace {
        let workspace = try Workspace()
        let target = { (name: String, zone: String) in
            #"  "\#(name)": { driver: "http", timezone: "\#(zone)", tags: ["fleet"], activate: { url: "http://127.0.0.1:9/m" }, deactivate: { url: "http://127.0.0.1:9/m" } },"#
        }
        let fleet = (1...30).map { target("shop-\($0)", "Europe/Berlin") }.joined(separator: "\n")
        try workspace.write("sites.json5", """
            { targets: {
            \(target("paris", "Europe/Paris"))
            \(target("newyork", "America/New_York"))
            \(fleet)
              },
              windows: {
                "weekly-patch": { targets: ["paris", "newyork"], recurrence: "FREQ=WEEKLY;BYDAY=SU", start: "03:00", timezone: "target", duration: "45m" },
                "db-upgrade": { targets: ["paris"], start: "2099-12-19 02:00", timezone: "Europe/Paris", duration: "2h" },
                "fleet-reboot": { targets: ["tag:fleet"], start: "2099-12-24 05:00", timezone: "Europe/Berlin", duration: "30m", force: true },
              } }
            """)
        return workspace
    }

    @Test func lsShowsEveryRowInOneZoneSortedWithinOneHundredColumns() throws {
        let workspace = try workspace()
        // Before any daemon ran, nothing is stored: `ls` says why it shows nothing.
        let before = try workspace.maint(["ls"])
        #expect(before.stdout.contains("note: the schedule files define 3 window(s) that no daemon has stored yet"), "\(before.stdout)")
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let paris = try workspace.maint(["ls", "--zone", "Europe/Paris"])
        #expect(paris.status == 0, "\(paris.stderr)")
        let rows = paris.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count >= 4, "\(paris.stdout)")
        let starts = rows.map { row in row.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).prefix(3).joined(separator: " ") }
        for start in starts { #expect(start.hasSuffix(" CET") || start.hasSuffix(" CEST"), "\(start) is in Paris time, labelled") }
        #expect(starts == starts.sorted(), "rows read sorted in one zone: \(starts)")
        #expect(paris.stdout.split(separator: "\n").allSatisfy { $0.count < 100 }, "\(paris.stdout)")
        #expect(paris.stdout.contains("…"), "the thirty targets are cut to fit")
        let wide = try workspace.maint(["ls", "--zone", "Europe/Paris", "--wide"])
        #expect(wide.stdout.contains("shop-30") && !wide.stdout.contains("…"), "--wide shows them all")
        let utc = try workspace.maint(["ls", "--utc"])
        #expect(utc.stdout.contains("2099-12-19 01:00 UTC  03:00 UTC"), "\(utc.stdout)")
        #expect(try workspace.maint(["ls", "--zone", "Mars/Olympus"]).status == 2)
        #expect(try workspace.maint(["ls", "--zone", "UTC", "--utc"]).status == 2)

        // The timeline, the log and the status name their zone too.
        let show = try workspace.maint(["show", "db-upgrade", "--zone", "America/New_York"])
        #expect(show.stdout.contains("start     2099-12-18 20:00 EST (-05:00)"), "\(show.stdout)")
        #expect(show.stdout.contains("timezone  Europe/Paris (times here in America/New_York)"))
        let log = try workspace.maint(["log", "--utc"])
        #expect(log.stdout.split(separator: "\n").allSatisfy { $0.dropFirst(23).hasPrefix(" UTC  ") }, "\(log.stdout)")
        let status = try workspace.maint(["status", "--zone", "Asia/Kathmandu"])
        #expect(status.stdout.contains(" NPT"), "\(status.stdout)")
    }
}
