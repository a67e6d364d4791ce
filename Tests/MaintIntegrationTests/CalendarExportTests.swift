import Foundation
import MaintCore
import Testing

@Suite(.serialized)
struct CalendarExportTests {
    /// A script of Tests/Support run on the feed (its stdin); its stdout. It must exit 0.
    static func python(_ script: String, _ arguments: [String], input text: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.root.appendingPathComponent("Tests/Support/\(script)").path] + arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(script): \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        return data
    }

    /// The feed, read back by Python's `icalendar` (from PyPI), describes the same windows.
    @Test func theICSFeedReadsBackToTheSameWindows() throws {
        let workspace = try Workspace()
        let sites = try (1...2).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let utc = try #require(TimeZone(identifier: "UTC"))
        let today = TimeText.civil(Date(), zone: utc).date
        try workspace.write("shop.json5", """
            {
              targets: { \(sites.map { $0.target(tags: ["shop"]) }.joined(separator: "\n")) },
              freezes: { launch: { start: "\(today.adding(days: 7)) 00:00", end: "\(today.adding(days: 8)) 00:00", timezone: "America/New_York", targets: ["site2"] } },
              windows: {
                upgrade: { targets: ["site1"], start: "\(today.adding(days: 3)) 02:00", timezone: "Europe/Paris", duration: "2h",
                           headline: "Database upgrade; shop closed, sorry", message: "Back at {{end.local}}.\\nThanks, team" },
                nightly: { targets: ["site2"], recurrence: "FREQ=DAILY;UNTIL=\(String(format: "%04d%02d%02d", today.adding(days: 10).year, today.adding(days: 10).month, today.adding(days: 10).day))T235959",
                           start: "\(today.adding(days: 1)) 01:30", timezone: "America/New_York", duration: "45m" },
              },
            }
            """)
        let daemon = try workspace.readyDaemon()
        daemon.stop()
        let planned = try workspace.add(["site1", "--at", "\(today.adding(days: 20))T10:00:00Z", "--for", "30m", "--headline", "CLI window", "--force"])
        let dropped = try workspace.add(["site1", "--at", "\(today.adding(days: 21))T10:00:00Z", "--for", "30m", "--force"])
        #expect(try workspace.maint(["cancel", dropped]).status == 0)

        let export = try workspace.maint(["export", "--ics"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try workspace.maint(["export", "--ics"]).stdout == export.stdout, "two exports differ")
        // Lines of at most 75 octets before CRLF ("\r\n" is one Character in Swift, so split the bytes).
        let lines = export.stdout.utf8.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count > 50 && lines.allSatisfy { $0.count <= 76 && $0.last == UInt8(ascii: "\r") })

        let data = try Self.python("ics_reader.py", ["\(today.adding(days: 30))T00:00:00"], input: export.stdout)
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try #require(parsed["events"] as? [[String: Any]])
        let byUID = Dictionary(events.map { (($0["uid"] as? String) ?? "", $0) }, uniquingKeysWith: { a, _ in a })

        let windows = try #require(try workspace.json(["ls", "--all"]) as? [[String: Any]])
        func utcText(_ value: Any?) -> String? { rfc3339(value).map { TimeText.rfc3339($0) } }

        // One-off windows: one event each, same times, text and status.
        for id in ["upgrade", planned, dropped] {
            let window = try #require(windows.first { $0["id"] as? String == id })
            let event = try #require(byUID["\(id)@maint"], "no event for \(id): \(byUID.keys)")
            #expect(event["start"] as? String == utcText(window["start"]))
            #expect(event["end"] as? String == utcText(window["end"]))
            #expect(event["summary"] as? String == window["headline"] as? String)
            #expect(event["status"] as? String == (id == dropped ? "CANCELLED" : "CONFIRMED"))
        }
        let upgrade = try #require(byUID["upgrade@maint"])
        #expect(upgrade["tzid"] as? String == "Europe/Paris")
        #expect((upgrade["description"] as? String)?.hasSuffix(".\nThanks, team") == true)
        #expect(upgrade["categories"] as? [String] == ["site1"])

        // The recurring window: one event with its rule; expanded, it gives the stored occurrences,
        // and the frozen one is an EXDATE.
        let nightly = try #require(byUID["nightly@maint"])
        #expect((nightly["rrule"] as? String)?.hasPrefix("FREQ=DAILY;UNTIL=") == true)
        let stored = windows.filter { ($0["id"] as? String)?.hasPrefix("nightly@") == true }
        #expect(stored.count == 10)
        let running = stored.filter { $0["state"] as? String != "canceled" }.compactMap { utcText($0["start"]) }
        let canceled = stored.filter { $0["state"] as? String == "canceled" }.compactMap { utcText($0["start"]) }
        #expect(canceled.count == 1)
        #expect(nightly["exdates"] as? [String] == canceled)
        #expect(nightly["occurrences"] as? [String] == running)
        #expect(events.count == 4)

        // Each VTIMEZONE, as icalendar reads it, gives the IANA offsets on every day probed.
        let zones = try #require(parsed["timezones"] as? [[String: Any]])
        // The command-line windows are in the local zone (UTC here; Foundation names it GMT).
        let tzids = Set(zones.compactMap { $0["tzid"] as? String })
        #expect(tzids == ["Europe/Paris", "America/New_York", "UTC"] || tzids == ["Europe/Paris", "America/New_York", "GMT"])
        for zone in zones {
            #expect((zone["probes"] as? Int ?? 0) > 300)
            #expect((zone["mismatches"] as? [String])?.isEmpty == true, "\(zone)")
        }
    }

    /// A window in each target's own night is one series per zone, with its RRULE; what will not
    /// happen (an occurrence skipped by hand, those a freeze covers whole, stored or not yet) is
    /// an EXDATE. recurring-ical-events (a second reader, not dateutil) expands the feed to
    /// exactly the occurrences maint itself lists.
    @Test func aWindowInEachTargetsZoneIsOneSeriesPerZoneThatExpandsToMaintsOwnOccurrences() throws {
        let workspace = try Workspace()
        let paris = try DemoSite(name: "paris", directory: workspace.directory)
        let newyork = try DemoSite(name: "newyork", directory: workspace.directory)
        let utc = try #require(TimeZone(identifier: "UTC"))
        let today = TimeText.civil(Date(), zone: utc).date
        try workspace.write("shop.json5", """
            {
              targets: { \(paris.target(tags: ["shop"], timezone: "Europe/Paris")) \(newyork.target(tags: ["shop"], timezone: "America/New_York")) },
              freezes: { sale: { start: "\(today.adding(days: 20)) 00:00", end: "\(today.adding(days: 21)) 23:00", timezone: "UTC", targets: ["tag:shop"] } },
              windows: { nightly: { targets: ["tag:shop"], recurrence: "FREQ=DAILY", start: "03:00", timezone: "target", duration: "30m" } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        let listed = try #require(try workspace.json(["ls", "--to", "+25d"]) as? [[String: Any]])
        let parisNext = try #require(listed.first { ($0["targets"] as? [String]) == ["paris"] && ($0["start"] as? String ?? "") > TimeText.rfc3339(Date().addingTimeInterval(86_400)) }?["id"] as? String)
        #expect(try workspace.maint(["skip", parisNext]).status == 0)
        daemon.stop()

        let export = try workspace.maint(["export", "--ics"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("UID:nightly.Europe-Paris@maint") && export.stdout.contains("UID:nightly.America-New_York@maint"), "one series per zone")
        #expect(export.stdout.contains("DTSTART;TZID=Europe/Paris:") && export.stdout.contains("DTSTART;TZID=America/New_York:"))
        #expect(export.stdout.components(separatedBy: "RRULE:FREQ=DAILY").count == 3)
        let frozenDay = String(format: "%04d%02d%02d", today.adding(days: 20).year, today.adding(days: 20).month, today.adding(days: 20).day)
        #expect(export.stdout.contains("EXDATE;TZID=Europe/Paris:\(frozenDay)T030000"), "frozen beyond the stored two weeks")
        #expect(export.stdout.contains("EXDATE;TZID=America/New_York:\(frozenDay)T030000"))

        // maint's own occurrences in the next 25 days (stored and computed), those that happen.
        let from = TimeText.rfc3339(Date().addingTimeInterval(3_600)), to = "\(today.adding(days: 25))T00:00:00Z"
        let all = try #require(try workspace.json(["ls", "--from", from, "--to", to]) as? [[String: Any]])
        let happening = Set(all.filter { ($0["id"] as? String)?.hasPrefix("nightly@") == true && $0["state"] as? String == "scheduled" }
                            .compactMap { rfc3339($0["start"]).map { TimeText.rfc3339($0) } })
        #expect(!happening.isEmpty)
        let data = try Self.python("ics_expand.py", [from, to], input: export.stdout)
        let expanded = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String]])
        let fromFeed = Set((expanded["nightly.Europe-Paris@maint"] ?? []) + (expanded["nightly.America-New_York@maint"] ?? []))
        #expect(fromFeed == happening, "only in the feed: \(fromFeed.subtracting(happening).sorted()); only in maint: \(happening.subtracting(fromFeed).sorted())")
    }
}
