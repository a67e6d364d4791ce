import Foundation

/// Off-peak hours of a target, in its own zone: `"Mon-Fri 01:00-06:00"`, `"Sat,Sun 00:00-09:00"`,
/// `"Sun 22:00-02:00"` (ending the next morning), `"Mon-Sun 00:00-24:00"`.
public struct OffPeakRule: Sendable, Equatable {
    /// 0 = Monday … 6 = Sunday: the days the period starts on.
    public var days: Set<Int>
    public var start: Int
    /// Seconds after midnight; at or before `start` means the next day.
    public var end: Int
    public let source: String

    static let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    public init?(parsing text: String) {
        let parts = text.trimmingWhitespace().split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        var days = Set<Int>()
        for item in parts[0].split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(ends.count), let first = Self.names.firstIndex(of: ends[0]),
                  let last = Self.names.firstIndex(of: ends[ends.count - 1]) else { return nil }
            // A range may wrap the week: Sat-Mon.
            var day = first
            while true {
                days.insert(day)
                if day == last { break }
                day = (day + 1) % 7
            }
        }
        let clocks = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        func seconds(_ clock: Substring) -> Int? {
            let hm = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm.allSatisfy({ $0.count == 2 }), let h = Int(hm[0]), let m = Int(hm[1]),
                  (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0 else { return nil }
            return h * 3600 + m * 60
        }
        guard clocks.count == 2, let start = seconds(clocks[0]), let end = seconds(clocks[1]), start < 86_400 else { return nil }
        self.days = days
        self.start = start
        self.end = end
        self.source = text
    }

    /// The periods as instants, for the days around `from...through`, in `zone`.
    public func periods(from: Date, through: Date, zone: TimeZone) -> [ClosedRange<Date>] {
        let first = TimeText.civil(from, zone: zone).date.adding(days: -1)
        let last = TimeText.civil(through, zone: zone).date
        var periods: [ClosedRange<Date>] = []
        var day = first
        while day <= last {
            if days.contains(day.weekday) {
                // An end at or before the start is the next day's; 24:00 is the next midnight.
                let endDay = end > start ? day : day.adding(days: 1)
                let finish = end == 86_400
                    ? TimeText.instant(CivilDateTime(date: endDay.adding(days: 1), secondOfDay: 0), zone: zone)
                    : TimeText.instant(CivilDateTime(date: endDay, secondOfDay: end), zone: zone)
                if let begin = TimeText.instant(CivilDateTime(date: day, secondOfDay: start), zone: zone), let finish, begin < finish {
                    periods.append(begin...finish)
                }
            }
            day = day.adding(days: 1)
        }
        return periods
    }
}
