import Foundation
import MaintCore
import Testing

/// Expected slots are worked out by hand. Now is Monday 2026-11-23 12:00 UTC; in late November
/// Paris is UTC+1, New York UTC−5, Sydney UTC+11, London UTC+0.
struct SlotPlannerTests {
    let now = TimeText.parseRFC3339("2026-11-23T12:00:00Z") ?? Date()

    func participant(_ name: String, _ zone: String, _ hours: String, busy: [(String, String, String)] = []) throws -> SlotPlanner.Participant {
        SlotPlanner.Participant(
            name: name, zone: try #require(TimeZone(identifier: zone)), offPeak: [try #require(OffPeakRule(parsing: hours))],
            busy: try busy.map { (try #require(TimeText.parseRFC3339($0.0))..<(try #require(TimeText.parseRFC3339($0.1))), $0.2) })
    }

    func slots(_ outcome: SlotPlanner.Outcome) -> [String] {
        guard case .slots(let slots) = outcome else { return ["none: \(outcome)"] }
        return slots.map { TimeText.rfc3339($0.start) + "/" + TimeText.rfc3339($0.end) }
    }

    /// Paris 01:00–06:00 is 00:00–05:00 UTC; New York 20:00–23:00 is 01:00–04:00 UTC the next day.
    /// Both: 01:00–04:00 UTC, from Tuesday on.
    @Test func theEarliestSlotsInsideEveryTargetsOffPeakHours() throws {
        let planner = SlotPlanner(participants: [try participant("paris", "Europe/Paris", "Mon-Sun 01:00-06:00"),
                                                 try participant("newyork", "America/New_York", "Mon-Sun 20:00-23:00")],
                                  duration: 7200, now: now, within: 14 * 86_400, count: 3)
        #expect(slots(planner.plan()) == ["2026-11-24T01:00:00Z/2026-11-24T03:00:00Z",
                                          "2026-11-25T01:00:00Z/2026-11-25T03:00:00Z",
                                          "2026-11-26T01:00:00Z/2026-11-26T03:00:00Z"])
    }

    /// A freeze on New York all of Wednesday 25 UTC, and a window on Paris 01:30–02:30 UTC on the 24th,
    /// which leaves 01:00–01:30 and 02:30–04:00 that night: both too short for 2h.
    @Test func freezesAndWindowsAreLeftClear() throws {
        let planner = SlotPlanner(participants: [
            try participant("paris", "Europe/Paris", "Mon-Sun 01:00-06:00", busy: [("2026-11-24T01:30:00Z", "2026-11-24T02:30:00Z", "window w1")]),
            try participant("newyork", "America/New_York", "Mon-Sun 20:00-23:00", busy: [("2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z", "freeze launch")]),
        ], duration: 7200, now: now, within: 14 * 86_400, count: 3)
        #expect(slots(planner.plan()) == ["2026-11-26T01:00:00Z/2026-11-26T03:00:00Z",
                                          "2026-11-27T01:00:00Z/2026-11-27T03:00:00Z",
                                          "2026-11-28T01:00:00Z/2026-11-28T03:00:00Z"])
    }

    /// Weekdays only in Paris: from Monday noon, the first is Tuesday 00:00 UTC; Saturday and Sunday are skipped.
    @Test func daysOfTheWeekCount() throws {
        let planner = SlotPlanner(participants: [try participant("paris", "Europe/Paris", "Mon-Fri 01:00-06:00")],
                                  duration: 3600, now: now, within: 8 * 86_400, count: 6)
        #expect(slots(planner.plan()).map { String($0.prefix(10)) } == ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01"])
    }

    /// Sydney 01:00–05:00 is 14:00–18:00 UTC the day before; Paris is 00:00–05:00 UTC: they never meet.
    @Test func noSlotWhenSydneysOffPeakNeverMeetsParis() throws {
        let planner = SlotPlanner(participants: [try participant("paris", "Europe/Paris", "Mon-Sun 01:00-06:00"),
                                                 try participant("sydney", "Australia/Sydney", "Mon-Sun 01:00-05:00")],
                                  duration: 3600, now: now, within: 14 * 86_400, count: 1)
        #expect(planner.plan() == .none(reason: "no slot: sydney's off-peak hours (Mon-Sun 01:00-05:00 Australia/Sydney) never meet paris's (Mon-Sun 01:00-06:00 Europe/Paris) within 14d"))
    }

    /// London 04:00–07:00 is 04:00–07:00 UTC; with Paris (00:00–05:00 UTC) only 04:00–05:00 is shared.
    @Test func noSlotWhenTheSharedStretchIsTooShort() throws {
        let planner = SlotPlanner(participants: [try participant("paris", "Europe/Paris", "Mon-Sun 01:00-06:00"),
                                                 try participant("london", "Europe/London", "Mon-Sun 04:00-07:00")],
                                  duration: 7200, now: now, within: 14 * 86_400, count: 1)
        #expect(planner.plan() == .none(reason: "no slot: the longest stretch in which every target is off-peak is 1h, shorter than 2h"))
    }

    @Test(arguments: ["Sat,Sun 22:00-02:00", "Fri-Mon 00:00-24:00", "Mon 23:30-00:30"])
    func offPeakRulesParse(_ text: String) throws {
        #expect(OffPeakRule(parsing: text) != nil)
    }

    @Test(arguments: ["Mon-Fri", "Mon-Fry 01:00-02:00", "Mon 1:00-02:00", "Mon 01:00-25:00", "Mon 24:00-01:00"])
    func badOffPeakRules(_ text: String) {
        #expect(OffPeakRule(parsing: text) == nil)
    }

    /// Crossing midnight: Saturday 22:00 to Sunday 02:00 in London.
    @Test func periodsCrossMidnight() throws {
        let rule = try #require(OffPeakRule(parsing: "Sat 22:00-02:00"))
        let zone = try #require(TimeZone(identifier: "Europe/London"))
        let periods = rule.periods(from: now, through: now.addingTimeInterval(7 * 86_400), zone: zone)
        #expect(periods.map { TimeText.rfc3339($0.lowerBound) + "/" + TimeText.rfc3339($0.upperBound) } == ["2026-11-28T22:00:00Z/2026-11-29T02:00:00Z"])
    }
}
