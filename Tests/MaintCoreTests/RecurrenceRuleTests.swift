import Foundation
import MaintCore
import Testing

struct RecurrenceRuleTests {
    func instants(_ rule: String, start: String, zone: String, through: String) throws -> [String] {
        let zone = try #require(TimeZone(identifier: zone))
        let parts = start.split(separator: " ")
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        let time = parts[1].split(separator: ":").compactMap { Int($0) }
        let startTime = CivilDateTime(date: CivilDate(year: day[0], month: day[1], day: day[2]), secondOfDay: time[0] * 3600 + time[1] * 60)
        let end = through.split(separator: "-").compactMap { Int($0) }
        return try RecurrenceRule(parsing: rule)
            .occurrences(start: startTime, zone: zone, through: CivilDate(year: end[0], month: end[1], day: end[2]))
            .compactMap { TimeText.instant($0, zone: zone) }
            .map { TimeText.rfc3339($0, zone: zone) }
    }

    @Test func firstSundayOfTheMonth() throws {
        #expect(try instants("FREQ=MONTHLY;BYDAY=1SU", start: "2026-11-01 03:00", zone: "Europe/Paris", through: "2027-02-28") ==
                ["2026-11-01T03:00:00+01:00", "2026-12-06T03:00:00+01:00", "2027-01-03T03:00:00+01:00", "2027-02-07T03:00:00+01:00"])
    }

    @Test func lastFridayAndLastDayOfTheMonth() throws {
        #expect(try instants("FREQ=MONTHLY;BYDAY=-1FR", start: "2026-11-01 22:00", zone: "UTC", through: "2027-01-31") ==
                ["2026-11-27T22:00:00Z", "2026-12-25T22:00:00Z", "2027-01-29T22:00:00Z"])
        #expect(try instants("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", start: "2027-01-15 01:00", zone: "UTC", through: "2027-12-31") ==
                ["2027-01-31T01:00:00Z", "2027-02-28T01:00:00Z", "2027-03-31T01:00:00Z"])
    }

    @Test func lastWorkingDayWithBySetPosition() throws {
        #expect(try instants("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", start: "2026-10-01 20:00", zone: "UTC", through: "2026-12-31") ==
                ["2026-10-30T20:00:00Z", "2026-11-30T20:00:00Z", "2026-12-31T20:00:00Z"])
    }

    /// 02:30 every night in Paris: on 2027-03-28 02:30 does not exist, so it is 03:30 CEST; the wall time
    /// stays 02:30 on either side of the change.
    @Test func parisSpringForward() throws {
        #expect(try instants("FREQ=DAILY", start: "2027-03-27 02:30", zone: "Europe/Paris", through: "2027-03-29") ==
                ["2027-03-27T02:30:00+01:00", "2027-03-28T03:30:00+02:00", "2027-03-29T02:30:00+02:00"])
    }

    /// 01:30 in New York on 2026-11-01 happens twice: the first (EDT) is the one.
    @Test func newYorkFallBack() throws {
        #expect(try instants("FREQ=DAILY", start: "2026-10-31 01:30", zone: "America/New_York", through: "2026-11-02") ==
                ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"])
    }

    /// Southern hemisphere: Sydney leaves daylight saving on 2027-04-04 (03:00 → 02:00) and enters it on
    /// 2026-10-04 (02:00 → 03:00).
    @Test func sydneyBothChanges() throws {
        #expect(try instants("FREQ=WEEKLY;BYDAY=SU", start: "2026-09-27 02:30", zone: "Australia/Sydney", through: "2026-10-11") ==
                ["2026-09-27T02:30:00+10:00", "2026-10-04T03:30:00+11:00", "2026-10-11T02:30:00+11:00"])
        #expect(try instants("FREQ=WEEKLY;BYDAY=SU", start: "2027-03-28 02:30", zone: "Australia/Sydney", through: "2027-04-11") ==
                ["2027-03-28T02:30:00+11:00", "2027-04-04T02:30:00+11:00", "2027-04-11T02:30:00+10:00"])
    }

    /// Kolkata: no daylight saving, a half-hour offset; 02:00 IST is 20:30 UTC the day before.
    @Test func kolkataHalfHourOffset() throws {
        let local = try instants("FREQ=DAILY;COUNT=2", start: "2026-12-31 02:00", zone: "Asia/Kolkata", through: "2027-01-31")
        #expect(local == ["2026-12-31T02:00:00+05:30", "2027-01-01T02:00:00+05:30"])
        let utc = try local.map { try #require(TimeText.parseRFC3339($0)) }.map { TimeText.rfc3339($0) }
        #expect(utc == ["2026-12-30T20:30:00Z", "2026-12-31T20:30:00Z"])
    }

    @Test(arguments: [
        ("FREQ=HOURLY", 5, "FREQ=HOURLY is not available"),
        ("FREQ=WEEKLY;BYDAY=SUN", 18, "\"SUN\" is not a day"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", 24, "BYMONTHDAY=32"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", 0, "COUNT or UNTIL, not both"),
        ("FREQ=WEEKLY;BYDAY=1SU", 0, "ordinal days such as 1SU need FREQ=MONTHLY or YEARLY"),
        ("BYDAY=SU", 0, "FREQ is missing"),
        ("FREQ=DAILY;BYHOUR=3", 11, "BYHOUR is not available"),
        ("FREQ=DAILY;FOO=1", 11, "unknown rule part \"FOO\""),
    ])
    func parseErrors(_ rule: String, _ offset: Int, _ message: String) {
        let error = #expect(throws: RecurrenceRule.ParseError.self) { try RecurrenceRule(parsing: rule) }
        #expect(error?.offset == offset)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}
