import Foundation
import MaintCore

/// The parsers that read what users write, each as one function that takes any bytes. The fuzzer
/// (`maint-fuzz`, see fuzz/README.md) drives them with generated inputs; the tests replay every
/// input that once crashed or hung one of them (fuzz/regressions/).
///
/// Each answers with a value or an error, never a signal; and where a parser has a written form
/// to give back (durations, times), what it gives back must read as the same value.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case schedule, duration, time, rrule, condition, template

    /// A fixed instant, so that a failing input fails the same way on every run.
    static let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-29
    static let zones = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"].compactMap(TimeZone.init(identifier:))

    public func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .schedule: try Self.schedule(text)
        case .duration: try Self.duration(text)
        case .time: try Self.time(text)
        case .rrule: Self.rrule(text)
        case .condition: Self.condition(text)
        case .template: Self.template(text)
        }
    }

    /// What the daemon does with a file `validate` accepted: its windows' occurrences over the
    /// daemon's horizon, which is where a year too large once trapped. And a file read in parts,
    /// as a large one is (`JSON5Parts`, here cut every few bytes), reads as the same value as
    /// read whole.
    static func schedule(_ text: String) throws(FuzzFailure) {
        let outline = JSON5Locator(text: text, positions: false, outlining: true)
        if outline.syntaxError == nil, let parts = JSON5Parts(text: text, outline: outline.outline, partBytes: 8) {
            // Both read, the same; or neither (the whole text then gives the error). Parts that
            // read where the whole does not would let through a file JSON5 rejects.
            switch (try? JSONValue.parseJSON5(Data(text.utf8)), parts.parse()) {
            case (let whole?, let read?):
                guard same(read, whole) else { throw FuzzFailure("the file read in \(parts.parts.count + 1) parts is not the file read whole") }
            case (nil, nil):
                break
            case (_?, nil):
                throw FuzzFailure("the file reads whole but not in \(parts.parts.count + 1) parts")
            case (nil, _?):
                throw FuzzFailure("the file reads in \(parts.parts.count + 1) parts but not whole")
            }
        }
        guard let schedule = try? ScheduleLoader(now: now).load(sources: [("fuzz.json5", text)]) else { return }
        let zones = schedule.targetZones
        for window in schedule.windows.values {
            _ = window.occurrences(targetZones: zones, storedAt: now, from: now, through: now.addingTimeInterval(15 * 86_400))
        }
    }

    /// Equal values, NaN being the same as NaN (JSON5 reads `NaN`).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        default: return a == b
        }
    }

    static func duration(_ text: String) throws(FuzzFailure) {
        guard let milliseconds = DurationText.parse(text) else { return }
        let written = DurationText.format(milliseconds)
        guard DurationText.parse(written) == milliseconds else {
            throw FuzzFailure("duration \(Quoted(text)) = \(milliseconds) ms is written \(Quoted(written)), which reads differently")
        }
    }

    static func time(_ text: String) throws(FuzzFailure) {
        for zone in zones {
            guard let date = TimeText.parse(text, zone: zone, now: now) else { continue }
            guard TimeText.checked(date) != nil else { throw FuzzFailure("time \(Quoted(text)) read as \(date), outside years 1 to 9999") }
            let written = TimeText.rfc3339(date, zone: zone)
            guard let back = TimeText.parseRFC3339(written), abs(back.timeIntervalSince(date)) < 1 else {
                throw FuzzFailure("time \(Quoted(text)) in \(zone.identifier) is written \(Quoted(written)), which reads differently")
            }
            _ = TimeText.local(date, zone: zone)
        }
    }

    static func rrule(_ text: String) {
        guard let rule = try? RecurrenceRule(parsing: text) else { return }
        let start = CivilDateTime(date: CivilDate(year: 2026, month: 11, day: 29), secondOfDay: 3 * 3600)
        for zone in zones.prefix(2) {
            _ = rule.occurrences(start: start, zone: zone, through: CivilDate(year: 2028, month: 12, day: 31), limit: 1_000)
        }
    }

    /// The first line is the condition; the rest is the reply's body it is judged against.
    static func condition(_ text: String) {
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard let condition = try? Condition(parsing: String(parts[0])) else { return }
        let body = parts.count > 1 ? String(parts[1]) : "{\"status\": \"ok\", \"items\": [1, 2]}"
        let observation = HealthObservation(status: 200, responseTimeMilliseconds: 120, body: body, certificateExpiresInMilliseconds: 86_400_000)
        _ = condition.evaluate(observation)
        _ = condition.failures(observation)
    }

    static func template(_ text: String) {
        guard let template = try? Template(parsing: text, placeholders: Template.announcementPlaceholders) else { return }
        var values: [String: String] = [:]
        for name in Template.announcementPlaceholders { values[name] = "«\(name)»" }
        _ = try? template.render(TemplateContext(values: values, secrets: SecretSource(environment: [:])))
    }
}

/// A parser gave back something it cannot read again.
public struct FuzzFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
