import Foundation

/// Instants as schedule files and the command line write them.
public enum TimeText {
    /// Parses RFC 3339 (`2026-12-06T02:00:00+01:00`), or `YYYY-MM-DD HH:MM[:SS]` read in `zone`,
    /// or `+DURATION` counted from `now`.
    ///
    /// A local time that does not exist (the hour skipped in spring) moves forward by the length
    /// of the gap; a local time that exists twice (the hour repeated in autumn) is the first one.
    public static func parse(_ text: String, zone: TimeZone, now: Date) -> Date? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("+"), let milliseconds = DurationText.parse(String(trimmed.dropFirst())) {
            return now.addingTimeInterval(Double(milliseconds) / 1000)
        }
        if trimmed == "now" { return now }
        if let date = parseRFC3339(trimmed) { return date }
        return parseLocal(trimmed, zone: zone)
    }

    public static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func parseLocal(_ text: String, zone: TimeZone) -> Date? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        let time = parts[1].split(separator: ":").compactMap { Int($0) }
        guard day.count == 3, time.count == 2 || time.count == 3,
              (1...12).contains(day[1]), (1...31).contains(day[2]),
              (0...23).contains(time[0]), (0...59).contains(time[1]) else { return nil }
        return instant(CivilDateTime(date: CivilDate(year: day[0], month: day[1], day: day[2]),
                                     secondOfDay: time[0] * 3600 + time[1] * 60 + (time.count == 3 ? time[2] : 0)), zone: zone)
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
        let local = Int64((date.timeIntervalSince1970).rounded(.down)) + Int64(zone.secondsFromGMT(for: date))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return CivilDateTime(date: CivilDate(daysSinceEpoch: Int(days)), secondOfDay: Int(local - days * 86_400))
    }

    public static func rfc3339(_ date: Date, zone: TimeZone = TimeZone(identifier: "UTC") ?? .current) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `2026-12-06 02:00 CET (+01:00)`: how people read a time. Seconds appear when not zero.
    public static func local(_ date: Date, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = Calendar(identifier: .gregorian).component(.second, from: date) == 0 ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd HH:mm:ss"
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) % 3600 / 60
        let offsetText = "\(sign)\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
        let name = abbreviation(date, zone: zone).map { " \($0)" } ?? ""
        return "\(formatter.string(from: date))\(name) (\(offsetText))"
    }

    /// The zone's usual abbreviation (CET, EDT, IST, AEDT). ICU gives it only in the locale where
    /// it is common, so a few English locales are asked in turn; none means the offset alone.
    public static func abbreviation(_ date: Date, zone: TimeZone) -> String? {
        if ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Universal", "Zulu"].contains(zone.identifier) { return "UTC" }
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
