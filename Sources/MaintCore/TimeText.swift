import Foundation
import Synchronization

/// Instants as schedule files and the command line write them.
public enum TimeText {
    /// Parses RFC 3339 (`2026-12-06T02:00:00+01:00`), or `YYYY-MM-DD HH:MM[:SS]` read in `zone`,
    /// or `+DURATION` counted from `now`. Years run from 1 to 9999; anything else is nil.
    ///
    /// A local time that does not exist (the hour skipped in spring) moves forward by the length
    /// of the gap; a local time that exists twice (the hour repeated in autumn) is the first one.
    public static func parse(_ text: String, zone: TimeZone, now: Date) -> Date? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.utf8.count <= 64 else { return nil }
        if trimmed.hasPrefix("+") {
            if let months = calendarMonths(trimmed.dropFirst()) { return adding(months: months, to: now, zone: zone) }
            guard let milliseconds = DurationText.parse(String(trimmed.dropFirst())) else { return nil }
            return checked(now.addingTimeInterval(Double(milliseconds) / 1000))
        }
        if trimmed == "now" { return now }
        if let date = parseRFC3339(trimmed) { return date }
        guard let local = CivilDateTime(parsing: trimmed) else { return nil }
        return instant(local, zone: zone).flatMap(checked)
    }

    /// How a time may be written, for error messages.
    public static let forms = "write RFC 3339 (2026-12-06T02:00:00+01:00), \"YYYY-MM-DD HH:MM\", +DURATION (+180d) or +MONTHS (+6mo, +1y), in years 1 to 9999"

    /// `6mo` or `1y` (12 months): calendar months, which a duration cannot say.
    static func calendarMonths(_ text: Substring) -> Int? {
        for (unit, size) in [("mo", 1), ("y", 12)] where text.hasSuffix(unit) {
            let digits = text.dropLast(unit.count)
            guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else { return nil }
            return count * size
        }
        return nil
    }

    /// The same wall time `months` calendar months later in `zone`; a day the month lacks is its last.
    static func adding(months: Int, to date: Date, zone: TimeZone) -> Date? {
        let wall = civil(date, zone: zone)
        let index = wall.date.year * 12 + (wall.date.month - 1) + months
        let year = index / 12, month = index % 12 + 1
        guard year <= 9999 else { return nil }
        let next = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
        let length = next.daysSinceEpoch - CivilDate(year: year, month: month, day: 1).daysSinceEpoch
        let target = CivilDateTime(date: CivilDate(year: year, month: month, day: min(wall.date.day, length)), secondOfDay: wall.secondOfDay)
        return instant(target, zone: zone).flatMap(checked)
    }

    /// The instants a schedule may name: years 1 to 9999 (UTC).
    public static let representable: ClosedRange<Date> = {
        let first = Double(CivilDate(year: 1, month: 1, day: 1).daysSinceEpoch) * 86_400
        let last = Double(CivilDate(year: 9999, month: 12, day: 31).daysSinceEpoch + 1) * 86_400 - 0.001
        return Date(timeIntervalSince1970: first)...Date(timeIntervalSince1970: last)
    }()

    /// `date` if it lies in years 1 to 9999, else nil.
    public static func checked(_ date: Date) -> Date? { representable.contains(date) ? date : nil }

    /// RFC 3339: `2026-12-06T02:00:00Z`, `…T02:00:00.250+01:00` (a space may stand for the T).
    public static func parseRFC3339(_ text: String) -> Date? {
        var reader = DigitReader(text)
        guard let local = reader.civilDateTime(requireSeconds: true) else { return nil }
        var fraction = 0.0
        if reader.take(UInt8(ascii: ".")) {
            guard let (digits, count) = reader.number(maxDigits: 9), count > 0 else { return nil }
            fraction = Double(digits) / Double([1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000][count])
        }
        var offset = 0
        if reader.take(UInt8(ascii: "Z")) || reader.take(UInt8(ascii: "z")) {
            offset = 0
        } else if let sign = reader.takeSign() {
            guard let hours = reader.fixed(2), reader.take(UInt8(ascii: ":")), let minutes = reader.fixed(2),
                  hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }
        let seconds = Double(local.date.daysSinceEpoch) * 86_400 + Double(local.secondOfDay - offset) + fraction
        return checked(Date(timeIntervalSince1970: seconds))
    }

    /// The instant of a wall-clock time in `zone`, or nil for a date that does not exist (Feb 30).
    ///
    /// A local time that does not exist (the hour skipped in spring) is read with the offset in
    /// force before the change, which lands as far past the gap as the time was into it (02:30 on
    /// the Paris spring-forward day is 03:30 CEST). A local time that exists twice (the hour
    /// repeated in autumn) is the first one. Python's `zoneinfo` with `fold=0` does the same.
    public static func instant(_ local: CivilDateTime, zone: TimeZone) -> Date? {
        guard local.date.isValid else { return nil }
        let wallAsUTC = Date(timeIntervalSince1970: Double(local.date.daysSinceEpoch) * 86_400 + Double(local.secondOfDay))
        // The offsets in force a day before and a day after bracket any transition on that day.
        let before = wallAsUTC.addingTimeInterval(-Double(zone.secondsFromGMT(for: wallAsUTC.addingTimeInterval(-86_400))))
        let after = wallAsUTC.addingTimeInterval(-Double(zone.secondsFromGMT(for: wallAsUTC.addingTimeInterval(86_400))))
        let matches = [before, after].filter { wallAsUTC.addingTimeInterval(-Double(zone.secondsFromGMT(for: $0))) == $0 }
        return matches.min() ?? before
    }

    /// The wall-clock time of an instant in `zone`.
    public static func civil(_ date: Date, zone: TimeZone) -> CivilDateTime {
        civil(date, offset: zone.secondsFromGMT(for: date))
    }

    /// The wall-clock time of an instant at a known offset from UTC, in seconds.
    static func civil(_ date: Date, offset: Int) -> CivilDateTime {
        let local = Int64((date.timeIntervalSince1970).rounded(.down)) + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return CivilDateTime(date: CivilDate(daysSinceEpoch: Int(days)), secondOfDay: Int(local - days * 86_400))
    }

    /// RFC 3339 in `zone`: `2026-12-06T02:00:00+01:00`, or `…Z` at offset zero. Dates are
    /// proleptic Gregorian, as they are read (ICU's formatters switch to the Julian calendar
    /// before 1582, so that a date would not read back as itself).
    public static func rfc3339(_ date: Date, zone: TimeZone? = nil) -> String {
        let offset = zone?.secondsFromGMT(for: date) ?? 0
        // Local mean times before standard time had offsets in seconds (Paris: +00:09:21), which
        // RFC 3339 cannot write: such an instant is written in UTC.
        guard offset % 60 == 0 else { return civil(date, offset: 0).description + "Z" }
        return civil(date, offset: offset).description + (offset == 0 ? "Z" : offsetText(offset))
    }

    /// `2026-12-06T01:00:00.250` in `zone`, to the millisecond (`separator` between date and
    /// time): for logs, event lines and JSON, with no formatter built per call.
    public static func stamp(_ date: Date, zone: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current, separator: String = "T") -> String {
        let wall = civil(date, zone: zone)
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let fraction = (milliseconds + 1000) % 1000
        let digits = String(fraction)
        return wall.text(separator: separator) + "." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// `+01:00`, `-03:30`.
    static func offsetText(_ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let hours = offset.magnitude / 3600, minutes = offset.magnitude % 3600 / 60
        return "\(sign)\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }

    /// `2026-12-06 02:00 CET (+01:00)`: how people read a time. Seconds appear when not zero.
    public static func local(_ date: Date, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        let wall = civil(date, offset: offset)
        let name = abbreviation(date, zone: zone, offset: offset).map { " \($0)" } ?? ""
        return "\(wall.text(separator: " ", seconds: wall.second != 0))\(name) (\(offsetText(offset)))"
    }

    /// `2026-12-06 02:00 CET`: a table's time, in one zone for the whole view; the label is the
    /// abbreviation, or the offset where the zone has none. Seconds appear when not zero.
    public static func short(_ date: Date, zone: TimeZone) -> String {
        let wall = civil(date, offset: zone.secondsFromGMT(for: date))
        return "\(wall.text(separator: " ", seconds: wall.second != 0)) \(label(date, zone: zone))"
    }

    /// `CET`, or `+05:45` where the zone has no abbreviation: what labels a time in a view.
    public static func label(_ date: Date, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        return abbreviation(date, zone: zone, offset: offset) ?? offsetText(offset)
    }

    /// The zone's usual abbreviation (CET, EDT, IST, AEDT). ICU gives it only in the locale where
    /// it is common, so a few English locales are asked in turn; none means the offset alone.
    /// Asked once per zone and offset: building ICU's formatters costs far more than the rest.
    public static func abbreviation(_ date: Date, zone: TimeZone) -> String? {
        abbreviation(date, zone: zone, offset: zone.secondsFromGMT(for: date))
    }

    static func abbreviation(_ date: Date, zone: TimeZone, offset: Int) -> String? {
        if ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Universal", "Zulu"].contains(zone.identifier) { return "UTC" }
        let key = AbbreviationKey(zone: zone.identifier, offset: offset, daylight: zone.isDaylightSavingTime(for: date))
        if let known = abbreviations.withLock({ $0[key] }) { return known.text }
        let text = askICU(date, zone: zone)
        abbreviations.withLock { $0[key] = Abbreviation(text: text) }
        return text
    }

    struct AbbreviationKey: Hashable, Sendable {
        var zone: String
        var offset: Int
        var daylight: Bool
    }

    /// What ICU said, none included.
    struct Abbreviation: Sendable {
        var text: String?
    }

    static let abbreviations = Mutex<[AbbreviationKey: Abbreviation]>([:])

    static func askICU(_ date: Date, zone: TimeZone) -> String? {
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.dateFormat = "zzz"
        for locale in ["en_US", "en_GB", "en_IN", "en_AU", "en_NZ", "en_CA", "en_ZA"] {
            formatter.locale = Locale(identifier: locale)
            let text = formatter.string(from: date)
            if text.allSatisfy({ $0.isLetter && $0.isUppercase }), !text.hasPrefix("GMT") || text == "GMT" { return text }
        }
        return nil
    }
}

extension Date {
    /// Milliseconds since 1970, as the database stores instants. Instants from outside are held to
    /// years 1 to 9999 where they are read; this never traps on one that was not.
    public var epochMilliseconds: Int64 {
        let value = (timeIntervalSince1970 * 1000).rounded(.down)
        if let exact = Int64(exactly: value) { return exact }
        return value < 0 ? Int64.min / 2 : Int64.max / 2
    }
}
