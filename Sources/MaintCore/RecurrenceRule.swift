import Foundation

/// An RFC 5545 RRULE: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT, UNTIL, BYDAY (with
/// ordinals such as 1SU or -1FR for MONTHLY and YEARLY), BYMONTHDAY (negative too), BYMONTH,
/// BYSETPOS and WKST. Occurrences are wall-clock times, expanded the way python-dateutil's
/// `rrule` does; the caller turns them into instants in the window's zone.
///
/// Differences from dateutil, on purpose: a BYDAY list that mixes plain and ordinal days (MO,1FR)
/// means either (RFC 5545) where dateutil requires both; an UNTIL that is a date alone includes
/// that whole day.
public struct RecurrenceRule: Sendable, Equatable, CustomStringConvertible {
    public enum Frequency: String, Sendable { case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY" }

    public enum Until: Sendable, Equatable {
        /// `UNTIL=20261231T235959Z`: compared as instants.
        case instant(Date)
        /// `UNTIL=20261231T235959` or `UNTIL=20261231`: compared as wall-clock times.
        case local(CivilDateTime)
    }

    public struct ParseError: Error, Sendable {
        public var offset: Int
        public var message: String
    }

    public var frequency: Frequency
    public var interval = 1
    public var count: Int?
    public var until: Until?
    /// (weekday 0 = Monday … 6 = Sunday, ordinal or nil)
    public var byDay: [(weekday: Int, ordinal: Int?)] = []
    public var byMonthDay: [Int] = []
    public var byMonth: [Int] = []
    public var bySetPosition: [Int] = []
    /// 0 = Monday … 6 = Sunday.
    public var weekStart = 0
    public let source: String

    public var description: String { source }

    public static func == (a: RecurrenceRule, b: RecurrenceRule) -> Bool { a.source == b.source }

    static let weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    public init(parsing text: String) throws(ParseError) {
        source = text
        guard text.utf8.count <= 1_000 else { throw ParseError(offset: 0, message: "a rule is at most 1000 characters") }
        var body = Substring(text)
        var offset = 0
        if body.uppercased().hasPrefix("RRULE:") {
            body = body.dropFirst(6)
            offset = 6
        }
        var seen = Set<String>()
        var frequency: Frequency?
        for part in body.split(separator: ";", omittingEmptySubsequences: false) {
            let here = offset
            offset += part.count + 1
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty else {
                throw ParseError(offset: here, message: "\(Quoted(part)) is not NAME=VALUE")
            }
            let name = pieces[0].uppercased()
            let value = String(pieces[1]).uppercased()
            let valueOffset = here + pieces[0].count + 1
            guard seen.insert(name).inserted else { throw ParseError(offset: here, message: "\(Quoted.escaped(name, limit: 40)) is given twice") }
            func numbers(_ range: ClosedRange<Int>, allowNegative: Bool = false) throws(ParseError) -> [Int] {
                var result: [Int] = []
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    // Compared by magnitude: a value such as -9223372036854775808 has no absolute value in Int.
                    guard let number = Int(item), number != 0 || range.lowerBound == 0,
                          number.magnitude >= range.lowerBound.magnitude, number.magnitude <= range.upperBound.magnitude,
                          allowNegative || number > 0 else {
                        throw ParseError(offset: valueOffset, message: "\(name)=\(Quoted.escaped(value, limit: 40)): each value must be \(allowNegative ? "±" : "")\(range.lowerBound)…\(range.upperBound)")
                    }
                    result.append(number)
                }
                return result
            }
            switch name {
            case "FREQ":
                guard let parsed = Frequency(rawValue: value) else {
                    throw ParseError(offset: valueOffset, message: "FREQ=\(Quoted.escaped(value, limit: 40)) is not available; use DAILY, WEEKLY, MONTHLY or YEARLY")
                }
                frequency = parsed
            case "INTERVAL":
                interval = try numbers(1...10_000)[0]
                if value.contains(",") { throw ParseError(offset: valueOffset, message: "INTERVAL takes one value") }
            case "COUNT":
                count = try numbers(1...100_000)[0]
                if value.contains(",") { throw ParseError(offset: valueOffset, message: "COUNT takes one value") }
            case "UNTIL":
                guard let parsed = Self.parseUntil(value) else {
                    throw ParseError(offset: valueOffset, message: "UNTIL=\(Quoted.escaped(value, limit: 40)) is not a date (20261231) or date-time (20261231T235959Z)")
                }
                until = parsed
            case "BYDAY":
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let code = String(item.suffix(2))
                    let prefix = item.dropLast(2)
                    guard let weekday = Self.weekdays.firstIndex(of: code) else {
                        throw ParseError(offset: valueOffset, message: "BYDAY=\(Quoted.escaped(value, limit: 40)): \(Quoted(item)) is not a day such as MO, 1SU or -1FR")
                    }
                    var ordinal: Int?
                    if !prefix.isEmpty {
                        guard let number = Int(prefix), number != 0, number.magnitude <= 53 else {
                            throw ParseError(offset: valueOffset, message: "BYDAY=\(Quoted.escaped(value, limit: 40)): \(Quoted(item)) has an ordinal outside ±1…53")
                        }
                        ordinal = number
                    }
                    byDay.append((weekday, ordinal))
                }
            case "BYMONTHDAY": byMonthDay = try numbers(1...31, allowNegative: true)
            case "BYMONTH": byMonth = try numbers(1...12)
            case "BYSETPOS": bySetPosition = try numbers(1...366, allowNegative: true)
            case "WKST":
                guard let weekday = Self.weekdays.firstIndex(of: value) else {
                    throw ParseError(offset: valueOffset, message: "WKST=\(Quoted.escaped(value, limit: 40)) is not a day such as MO or SU")
                }
                weekStart = weekday
            case "BYHOUR", "BYMINUTE", "BYSECOND", "BYWEEKNO", "BYYEARDAY":
                throw ParseError(offset: here, message: "\(name) is not available; the time of day comes from the window's start")
            default:
                throw ParseError(offset: here, message: "unknown rule part \(Quoted(name))")
            }
        }
        guard let frequency else { throw ParseError(offset: 0, message: "FREQ is missing (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)") }
        self.frequency = frequency
        if count != nil && until != nil { throw ParseError(offset: 0, message: "give COUNT or UNTIL, not both") }
        if (frequency == .daily || frequency == .weekly), byDay.contains(where: { $0.ordinal != nil }) {
            throw ParseError(offset: 0, message: "ordinal days such as 1SU need FREQ=MONTHLY or YEARLY")
        }
        if !bySetPosition.isEmpty && byDay.isEmpty && byMonthDay.isEmpty && byMonth.isEmpty {
            throw ParseError(offset: 0, message: "BYSETPOS needs another BY rule to pick from")
        }
    }

    static func parseUntil(_ value: String) -> Until? {
        let digits = value.filter(\.isNumber)
        func date(_ text: Substring) -> CivilDate? {
            guard text.count == 8, let year = Int(text.prefix(4)), let month = Int(text.dropFirst(4).prefix(2)), let day = Int(text.suffix(2)) else { return nil }
            let date = CivilDate(year: year, month: month, day: day)
            return date.isValid ? date : nil
        }
        if value.count == 8, let day = date(Substring(value)) {
            return .local(CivilDateTime(date: day, secondOfDay: 86_399))
        }
        let isUTC = value.hasSuffix("Z")
        let core = isUTC ? value.dropLast() : Substring(value)
        guard core.count == 15, core.dropFirst(8).first == "T", digits.count == 14, let day = date(core.prefix(8)),
              let hour = Int(core.dropFirst(9).prefix(2)), let minute = Int(core.dropFirst(11).prefix(2)), let second = Int(core.suffix(2)),
              hour < 24, minute < 60, second < 60 else { return nil }
        let local = CivilDateTime(date: day, secondOfDay: hour * 3600 + minute * 60 + second)
        if isUTC, let instant = TimeText.instant(local, zone: TimeZone(identifier: "UTC") ?? .current) { return .instant(instant) }
        return .local(local)
    }

    /// Occurrences from `start` (DTSTART, itself the first when it matches the rule) up to and
    /// including `through`, at most `limit` of them, leaving out those before `from`.
    public func occurrences(start: CivilDateTime, zone: TimeZone, from: CivilDateTime? = nil,
                            through: CivilDate, limit: Int = 10_000) -> [CivilDateTime] {
        var byMonth = self.byMonth
        var byMonthDay = self.byMonthDay
        var plainDays = Set(byDay.filter { $0.ordinal == nil }.map(\.weekday))
        let ordinalDays = byDay.compactMap { day in day.ordinal.map { (day.weekday, $0) } }
        // dateutil's defaults: with no BYDAY or BYMONTHDAY, the start's own day, weekday and month.
        if byDay.isEmpty && byMonthDay.isEmpty {
            switch frequency {
            case .yearly:
                if byMonth.isEmpty { byMonth = [start.date.month] }
                byMonthDay = [start.date.day]
            case .monthly: byMonthDay = [start.date.day]
            case .weekly: plainDays = [start.date.weekday]
            case .daily: break
            }
        }
        let hasDayRule = !plainDays.isEmpty || !ordinalDays.isEmpty

        var results: [CivilDateTime] = []
        var counted = 0
        var periodStart = start.date
        var firstPeriod = true
        for _ in 0..<200_000 {
            if periodStart > through { break }
            // The days of this period.
            var days: [CivilDate]
            switch frequency {
            case .yearly:
                days = (1...12).flatMap { month in (1...CivilDate.daysIn(year: periodStart.year, month: month)).map { CivilDate(year: periodStart.year, month: month, day: $0) } }
            case .monthly:
                days = (1...CivilDate.daysIn(year: periodStart.year, month: periodStart.month)).map { CivilDate(year: periodStart.year, month: periodStart.month, day: $0) }
            case .weekly:
                if firstPeriod {
                    // From the start to the end of its week.
                    days = [periodStart]
                    while days[days.count - 1].adding(days: 1).weekday != weekStart { days.append(days[days.count - 1].adding(days: 1)) }
                } else {
                    days = (0..<7).map { periodStart.adding(days: $0) }
                }
            case .daily:
                days = [periodStart]
            }
            // Ordinal weekdays are counted within the month (MONTHLY, or YEARLY with BYMONTH) or the year.
            var ordinalMatches = Set<CivilDate>()
            if !ordinalDays.isEmpty {
                var ranges: [(CivilDate, CivilDate)] = []
                if frequency == .monthly {
                    ranges = [(CivilDate(year: periodStart.year, month: periodStart.month, day: 1),
                               CivilDate(year: periodStart.year, month: periodStart.month, day: CivilDate.daysIn(year: periodStart.year, month: periodStart.month)))]
                } else if !byMonth.isEmpty {
                    ranges = byMonth.map { (CivilDate(year: periodStart.year, month: $0, day: 1), CivilDate(year: periodStart.year, month: $0, day: CivilDate.daysIn(year: periodStart.year, month: $0))) }
                } else {
                    ranges = [(CivilDate(year: periodStart.year, month: 1, day: 1), CivilDate(year: periodStart.year, month: 12, day: 31))]
                }
                for (first, last) in ranges {
                    for (weekday, ordinal) in ordinalDays {
                        let day: CivilDate
                        if ordinal > 0 {
                            day = first.adding(days: (ordinal - 1) * 7 + (7 - first.weekday + weekday) % 7)
                        } else {
                            day = last.adding(days: (ordinal + 1) * 7 - (last.weekday - weekday + 7) % 7)
                        }
                        if day >= first && day <= last { ordinalMatches.insert(day) }
                    }
                }
            }

            var kept = days.filter { day in
                if !byMonth.isEmpty && !byMonth.contains(day.month) { return false }
                if hasDayRule && !(plainDays.contains(day.weekday) || ordinalMatches.contains(day)) { return false }
                if !byMonthDay.isEmpty {
                    let fromEnd = day.day - CivilDate.daysIn(year: day.year, month: day.month) - 1
                    if !byMonthDay.contains(day.day) && !byMonthDay.contains(fromEnd) { return false }
                }
                return true
            }
            if !bySetPosition.isEmpty {
                var picked = Set<CivilDate>()
                for position in bySetPosition {
                    let index = position > 0 ? position - 1 : kept.count + position
                    if kept.indices.contains(index) { picked.insert(kept[index]) }
                }
                kept = kept.filter { picked.contains($0) }
            }

            for day in kept {
                let occurrence = CivilDateTime(date: day, secondOfDay: start.secondOfDay)
                if occurrence < start { continue }
                if day > through { return results }
                switch until {
                case .local(let limit)? where occurrence > limit: return results
                case .instant(let limit)?:
                    if let instant = TimeText.instant(occurrence, zone: zone), instant > limit { return results }
                default: break
                }
                counted += 1
                if from.map({ occurrence >= $0 }) ?? true { results.append(occurrence) }
                if results.count >= limit { return results }
                if let count, counted >= count { return results }
            }

            // The next period.
            switch frequency {
            case .yearly:
                periodStart = CivilDate(year: periodStart.year + interval, month: 1, day: 1)
            case .monthly:
                let months = periodStart.year * 12 + (periodStart.month - 1) + interval
                periodStart = CivilDate(year: months / 12, month: months % 12 + 1, day: 1)
            case .weekly:
                // Back to the week's first day, then INTERVAL weeks on.
                let back = (periodStart.weekday - weekStart + 7) % 7
                periodStart = periodStart.adding(days: -back + interval * 7)
            case .daily:
                periodStart = periodStart.adding(days: interval)
            }
            firstPeriod = false
        }
        return results
    }
}
