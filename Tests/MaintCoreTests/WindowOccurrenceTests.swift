import Foundation
import MaintCore
import Testing

struct WindowOccurrenceTests {
    static func schedule(_ window: String) -> String {
        func target(_ name: String, _ zone: String) -> String {
            #""\#(name)": { driver: "http", timezone: "\#(zone)", tags: ["eu"], activate: { url: "https://\#(name).example/m" }, deactivate: { url: "https://\#(name).example/m" } },"#
        }
        return """
            {
              targets: {
                \(target("paris", "Europe/Paris"))
                \(target("berlin", "Europe/Berlin"))
                \(target("newyork", "America/New_York"))
                \(target("sydney", "Australia/Sydney"))
              },
              windows: { \(window) },
            }
            """
    }

    func load(_ window: String) throws -> (Schedule, WindowConfig) {
        let schedule = try ScheduleLoader().load(sources: [("s.json5", Self.schedule(window))])
        return (schedule, try #require(schedule.windows["w"]))
    }

    func date(_ text: String) throws -> Date { try #require(TimeText.parseRFC3339(text)) }

    /// One rule, each site in its own night: Paris and Berlin share an instant, New York and Sydney have their own.
    @Test func perTargetZonesGiveOneWindowPerInstant() throws {
        let (schedule, window) = try load(#"w: { targets: ["paris", "berlin", "newyork", "sydney"], recurrence: "FREQ=WEEKLY;BYDAY=SU", start: "03:00", timezone: "target", duration: "45m" }"#)
        let occurrences = window.occurrences(targetZones: schedule.targetZones, storedAt: Date(),
                                             from: try date("2026-11-28T00:00:00Z"), through: try date("2026-11-30T00:00:00Z"))
        #expect(occurrences.map(\.id) == ["w@20261128T1600Z", "w@20261129T0200Z", "w@20261129T0800Z"])
        #expect(occurrences.map(\.targets) == [["sydney"], ["paris", "berlin"], ["newyork"]])
        #expect(occurrences.map { $0.end.timeIntervalSince($0.start) } == [2700, 2700, 2700])
    }

    /// A daemon lets go of its targets' whole definitions once stored; what it lists beyond the
    /// stored horizon (`maint ls --to +180d`) still puts each occurrence in its target's zone.
    @Test func theForecastKeepsEachTargetsZoneOnceDefinitionsAreLetGo() throws {
        let (schedule, _) = try load(#"w: { targets: ["paris", "newyork"], recurrence: "FREQ=WEEKLY;BYDAY=SU", start: "03:00", timezone: "target", duration: "45m" }"#)
        let now = try date("2027-01-01T00:00:00Z")
        let whole = schedule.forecast(from: now, through: try date("2027-07-01T00:00:00Z"), now: now)
        var summarized = schedule
        summarized.letGoOfTargetDefinitions()
        let forecast = summarized.forecast(from: now, through: try date("2027-07-01T00:00:00Z"), now: now)
        #expect(whole.count > 40)
        #expect(forecast.map(\.record.id) == whole.map(\.record.id))
        #expect(forecast.map(\.record.timezone) == whole.map(\.record.timezone))
        #expect(Set(forecast.map(\.record.timezone)) == ["Europe/Paris", "America/New_York"])
    }

    /// 02:30 on the spring-forward Sunday in Paris runs at 03:30 CEST; the week after, at 02:30 again.
    @Test func recurringWindowsKeepTheirLocalTimeAcrossDaylightSaving() throws {
        let (schedule, window) = try load(#"w: { targets: ["paris"], recurrence: "FREQ=WEEKLY;BYDAY=SU", start: "02:30", timezone: "Europe/Paris", duration: "1h" }"#)
        let occurrences = window.occurrences(targetZones: schedule.targetZones, storedAt: Date(),
                                             from: try date("2027-03-20T00:00:00Z"), through: try date("2027-04-05T00:00:00Z"))
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        #expect(occurrences.map { TimeText.rfc3339($0.start, zone: paris) } == ["2027-03-21T02:30:00+01:00", "2027-03-28T03:30:00+02:00", "2027-04-04T02:30:00+02:00"])
    }

    @Test(arguments: [
        (#"w: { targets: ["paris"], recurrence: "FREQ=WEEKLY", start: "03:00", duration: "1h" }"#, "windows.w.start", "takes its weekday from the start (no BYDAY)"),
        (#"w: { targets: ["paris"], recurrence: "FREQ=WEEKLY;BYDAY=SUN", start: "03:00", duration: "1h" }"#, "windows.w.recurrence", "\"SUN\" is not a day"),
        (#"w: { targets: ["paris"], recurrence: "FREQ=DAILY", start: "2026-12-01T03:00:00Z", duration: "1h" }"#, "windows.w.start", "is not a local start"),
        (#"w: { targets: ["paris"], recurrence: "FREQ=DAILY", start: "03:00", end: "2026-12-01 04:00" }"#, "windows.w.end", "takes \"duration\", not \"end\""),
    ])
    func mistakesInRecurringWindows(_ window: String, _ path: String, _ message: String) throws {
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", Self.schedule(window))]) }
        let issue = try #require(error?.issues.first { $0.path == path }, "\(error?.issues ?? [])")
        #expect(issue.message.contains(message), "\(issue)")
    }

    @Test func aRecurrenceErrorPointsInsideTheRule() throws {
        let text = Self.schedule(#"w: { targets: ["paris"], recurrence: "FREQ=WEEKLY;BYDAY=SUN", start: "03:00", duration: "1h" }"#)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        let issue = try #require(error?.issues.first)
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(issue.line - 1).first)
        let column = try #require(line.range(of: "SUN")).lowerBound
        #expect(issue.column == line.distance(from: line.startIndex, to: column) + 1)
    }
}

struct FreezeAndOverlapTests {
    static func schedule(_ windows: String, freezes: String = "") -> String {
        """
        {
          targets: {
            shop: { driver: "http", timezone: "Europe/Paris", tags: ["shop"], activate: { url: "https://shop.example/m" }, deactivate: { url: "https://shop.example/m" } },
            blog: { driver: "http", timezone: "Europe/Paris", activate: { url: "https://blog.example/m" }, deactivate: { url: "https://blog.example/m" } },
          },
          freezes: { \(freezes) },
          windows: { \(windows) },
        }
        """
    }

    static let blackFriday = #""black-friday": { start: "2030-11-29 00:00", end: "2030-12-02 23:59", timezone: "America/New_York", targets: ["tag:shop"] },"#

    @Test func aWindowOverAFreezeIsRefusedWithTheFreezeNamed() throws {
        let text = Self.schedule(#"w: { targets: ["shop"], start: "2030-11-30 02:00", timezone: "Europe/Paris", duration: "2h" },"#, freezes: Self.blackFriday)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        let issue = try #require(error?.issues.first)
        #expect(issue.path == "windows.w.start")
        #expect(issue.message.hasPrefix("overlaps the freeze black-friday (2030-11-29 00:00 EST (-05:00) to 2030-12-02 23:59 EST (-05:00)) on shop"))
        let (line, _) = (text.split(separator: "\n").firstIndex { $0.contains("w: {") }.map { $0 + 1 } ?? 0, 0)
        #expect(issue.line == line)
    }

    /// A one-off window that overlaps the occurrence of a recurring one already in progress is
    /// refused like any other overlap.
    @Test func anOccurrenceInProgressCountsAsAnOverlap() throws {
        let now = try #require(TimeText.parseRFC3339("2030-06-05T02:30:00Z"))  // 04:30 in Paris
        let text = Self.schedule("""
            nightly: { targets: ["shop"], recurrence: "FREQ=DAILY", start: "04:00", timezone: "Europe/Paris", duration: "2h" },
            patch: { targets: ["shop"], start: "2030-06-05 05:00", timezone: "Europe/Paris", duration: "30m" },
            """)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader(now: now).load(sources: [("s.json5", text)]) }
        let issue = try #require(error?.issues.first)
        #expect(issue.path == "windows.patch.start")
        #expect(issue.message.hasPrefix("overlaps window nightly on shop (2030-06-05 04:00 CEST (+02:00) for 2h)"), "\(issue.message)")
    }

    @Test func forceOrAnotherTargetIsAllowed() throws {
        let forced = Self.schedule(#"w: { targets: ["shop"], start: "2030-11-30 02:00", timezone: "Europe/Paris", duration: "2h", force: true },"#, freezes: Self.blackFriday)
        #expect(try ScheduleLoader().load(sources: [("s.json5", forced)]).windows["w"]?.force == true)
        let other = Self.schedule(#"w: { targets: ["blog"], start: "2030-11-30 02:00", timezone: "Europe/Paris", duration: "2h" },"#, freezes: Self.blackFriday)
        #expect(try ScheduleLoader().load(sources: [("s.json5", other)]).windows.count == 1)
    }

    @Test func overlappingWindowsOnOneTargetAreReported() throws {
        let text = Self.schedule("""
            a: { targets: ["tag:shop"], start: "2030-06-02 02:00", timezone: "Europe/Paris", duration: "2h" },
            b: { targets: ["shop", "blog"], start: "2030-06-02 03:30", timezone: "Europe/Paris", duration: "1h" },
            c: { targets: ["blog"], start: "2030-06-02 03:00", timezone: "Europe/Paris", duration: "1h" },
            """)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        let messages = try #require(error).issues.map(\.description)
        #expect(messages.count == 2, "\(messages)")
        #expect(messages.contains { $0.contains("windows.b.start: overlaps window a on shop (2030-06-02 02:00 CEST (+02:00) for 2h)") })
        #expect(messages.contains { $0.contains("windows.c.start: overlaps window b on blog") })
    }

    @Test func aRecurringWindowThatOutlastsItsPeriodOverlapsItself() throws {
        let text = Self.schedule(#"w: { targets: ["shop"], recurrence: "FREQ=DAILY", start: "02:00", timezone: "Europe/Paris", duration: "25h" },"#)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        #expect(error?.issues.first?.message.contains("overlaps its own next occurrence on shop") == true)
    }
}
