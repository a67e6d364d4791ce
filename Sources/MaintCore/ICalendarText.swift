import Foundation

/// RFC 5545 text: escaped values, folded lines, local and UTC times, and VTIMEZONE blocks built
/// from Foundation's time-zone rules.
public enum ICalendarText {
    /// TEXT values escape backslash, semicolon, comma and line breaks (RFC 5545 3.3.11).
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n", "\r\n": result += "\\n"
            case "\r": break
            default: result.append(character)
            }
        }
        return result
    }

    /// Lines of at most 75 octets, continued with CRLF and a space, never splitting a character.
    public static func fold(_ line: String) -> String {
        var output = ""
        var current = 0
        for character in line {
            let size = String(character).utf8.count
            if current + size > 75 {
                output += "\r\n "
                current = 1
            }
            output.append(character)
            current += size
        }
        return output + "\r\n"
    }

    /// `20261206T020000` in `zone`.
    public static func local(_ date: Date, zone: TimeZone) -> String {
        let civil = TimeText.civil(date, zone: zone)
        return String(format: "%04d%02d%02dT%02d%02d%02d", civil.date.year, civil.date.month, civil.date.day, civil.hour, civil.minute, civil.second)
    }

    /// `20261206T010000Z`
    public static func utc(_ date: Date) -> String { local(date, zone: utcZone) + "Z" }

    static let utcZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

    static func offset(_ seconds: Int) -> String {
        String(format: "%@%02d%02d", seconds < 0 ? "-" : "+", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
    }

    /// A VTIMEZONE with every offset change between `from` and `through`, each as its own
    /// STANDARD or DAYLIGHT observance (no rules to misread), after the offset in force at `from`.
    public static func timezone(_ zone: TimeZone, from: Date, through: Date) -> String {
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)"]
        func observance(at date: Date, before: Int, after: Int, daylight: Bool) {
            let kind = daylight ? "DAYLIGHT" : "STANDARD"
            lines.append("BEGIN:\(kind)")
            // DTSTART is the local time of the onset, read with the offset before it (RFC 5545
            // 3.6.5: 02:00 for Paris's spring change, when clocks go from 02:00 to 03:00).
            lines.append("DTSTART:" + local(date.addingTimeInterval(Double(before)), zone: utcZone))
            lines.append("TZOFFSETFROM:\(offset(before))")
            lines.append("TZOFFSETTO:\(offset(after))")
            if let name = TimeText.abbreviation(date, zone: zone) { lines.append("TZNAME:\(name)") }
            lines.append("END:\(kind)")
        }
        let initial = zone.secondsFromGMT(for: from)
        observance(at: from, before: initial, after: initial, daylight: zone.isDaylightSavingTime(for: from))
        var cursor = from
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), change <= through {
            let before = zone.secondsFromGMT(for: change.addingTimeInterval(-1))
            observance(at: change, before: before, after: zone.secondsFromGMT(for: change), daylight: zone.isDaylightSavingTime(for: change))
            cursor = change
        }
        lines.append("END:VTIMEZONE")
        return lines.map(fold).joined()
    }
}
