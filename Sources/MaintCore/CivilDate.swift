/// A calendar date with no time zone (proleptic Gregorian), for recurrence arithmetic.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// From days since 1970-01-01 (Howard Hinnant's civil-from-days).
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The years maint reads and writes; outside them, date arithmetic would overflow long before
    /// a maintenance window could make sense.
    public static let years = 1...9999

    public var isValid: Bool {
        Self.years.contains(year) && (1...12).contains(month) && day >= 1 && day <= Self.daysIn(year: year, month: month)
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { ((daysSinceEpoch % 7) + 7 + 3) % 7 }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// `2026-12-06`, the year in four digits.
    public var description: String {
        let digits = String(year.magnitude)
        let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        return "\(year < 0 ? "-" : "")\(padded)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}

/// A wall-clock time: a civil date and seconds since its midnight.
public struct CivilDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var date: CivilDate
    public var secondOfDay: Int

    /// `YYYY-MM-DD HH:MM[:SS]` (or with a `T`), a valid date in years 1 to 9999; nil otherwise.
    public init?(parsing text: String) {
        var reader = DigitReader(text)
        guard let parsed = reader.civilDateTime(requireSeconds: false), reader.atEnd else { return nil }
        self = parsed
    }

    public init(date: CivilDate, secondOfDay: Int) {
        self.date = date
        self.secondOfDay = secondOfDay
    }

    public static func < (a: CivilDateTime, b: CivilDateTime) -> Bool { (a.date, a.secondOfDay) < (b.date, b.secondOfDay) }

    public var hour: Int { secondOfDay / 3600 }
    public var minute: Int { secondOfDay % 3600 / 60 }
    public var second: Int { secondOfDay % 60 }

    /// `2026-11-29T03:00:00`
    public var description: String { text() }

    /// `2026-11-29T03:00:00`, with another `separator` between date and time, or without the
    /// seconds: built directly (string replacement in Foundation costs more than the rest).
    public func text(separator: String = "T", seconds: Bool = true) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date)\(separator)\(two(hour)):\(two(minute))" + (seconds ? ":\(two(second))" : "")
    }
}

/// Reads the digits and separators of a date or time, byte by byte: linear in the text, no
/// formatter, and no number longer than the field it stands for.
struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func takeSign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    /// Up to `maxDigits` digits, and how many there were.
    mutating func number(maxDigits: Int) -> (Int, Int)? {
        var value = 0, count = 0
        while index < bytes.count, count < maxDigits, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            count += 1
            index += 1
        }
        return count == 0 ? nil : (value, count)
    }

    /// Exactly `digits` digits.
    mutating func fixed(_ digits: Int) -> Int? {
        guard let (value, count) = number(maxDigits: digits), count == digits else { return nil }
        return value
    }

    /// `YYYY-MM-DD` then `T` or a space, then `HH:MM` and `:SS` (required when asked).
    mutating func civilDateTime(requireSeconds: Bool) -> CivilDateTime? {
        guard let year = fixed(4), take(UInt8(ascii: "-")), let month = fixed(2), take(UInt8(ascii: "-")), let day = fixed(2),
              take(UInt8(ascii: "T")) || take(UInt8(ascii: "t")) || take(UInt8(ascii: " ")),
              let hour = fixed(2), take(UInt8(ascii: ":")), let minute = fixed(2) else { return nil }
        var second = 0
        if take(UInt8(ascii: ":")) {
            guard let value = fixed(2) else { return nil }
            second = value
        } else if requireSeconds {
            return nil
        }
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid, hour < 24, minute < 60, second < 60 else { return nil }
        return CivilDateTime(date: date, secondOfDay: hour * 3600 + minute * 60 + second)
    }
}
