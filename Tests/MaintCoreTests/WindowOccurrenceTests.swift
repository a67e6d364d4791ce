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
        let occurrences = window.occurrences(targetZones: schedule.targets.mapValues(\.timezone), storedAt: Date(),
                                             from: try date("2026-11-28T00:00:00Z"), through: try date("2026-11-30T00:00:00Z"))
        #expect(occurrences.map(\.id) == ["w@20261128T1600Z", "w@20261129T0200Z", "w@20261129T0800Z"])
        #expect(occurrences.map(\.targets) == [["sydney"], ["paris", "berlin"], ["newyork"]])
        #expect(occurrences.map { $0.end.timeIntervalSince($0.start) } == [2700, 2700, 2700])
    }

    /// 02:30 on the spring-forward Sunday in Paris runs at 03:30 CEST; the week after, at 02:30 again.
    @Test func recurringWindowsKeepTheirLocalTimeAcrossDaylightSaving() throws {
        let (schedule, window) = try load(#"w: { targets: ["paris"], recurrence: "FREQ=WEEKLY;BYDAY=SU", start: "02:30", timezone: "Europe/Paris", duration: "1h" }"#)
        let occurrences = window.occurrences(targetZones: schedule.targets.mapValues(\.timezone), storedAt: Date(),
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
