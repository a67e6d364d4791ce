import Foundation
import MaintCore
import MaintEngine

/// The bodies of `POST /v1/windows` and `POST /v1/windows/now`. The CLI sends its parsed
/// options this way when a daemon runs, so both doors end in the same `Engine.addWindow`.
extension WindowRequest {
    public static let plannedFields: Set<String> = ["targets", "start", "end", "duration", "headline", "message", "notices", "channels", "timezone", "force", "page"]
    public static let emergencyFields: Set<String> = ["targets", "message", "headline", "duration", "until", "channels", "timezone"]

    /// `POST /v1/windows`.
    public static func planned(_ data: Data, now: Date) throws(RequestBody.Problem) -> WindowRequest {
        var body = RequestBody(data, allowed: plannedFields)
        let zone = timezone(&body)
        let selectors = body.strings("targets", required: true) ?? []
        let start = body.time("start", zone: zone, now: now, required: true)
        var end: Date?
        switch (body.has("end"), body.has("duration")) {
        case (true, true): body.fail("end", "give end or duration, not both")
        case (true, false): end = body.time("end", zone: zone, now: now)
        case (false, true):
            let length = body.duration("duration")
            if let start, let length { end = shifted(start, length, &body) }
        case (false, false): body.fail("end", "give end (a time) or duration")
        }
        var notices: [Int64] = []
        for (index, text) in (body.strings("notices") ?? []).enumerated() {
            guard let milliseconds = DurationText.parse(text), milliseconds > 0 else {
                body.fail("notices[\(index)]", "\(Quoted(text)) is not a duration such as 24h or 1h")
                continue
            }
            if notices.contains(milliseconds) { body.fail("notices[\(index)]", "\(Quoted(text)) is given twice; each notice is sent once") }
            notices.append(milliseconds)
        }
        var request = WindowRequest(selectors: selectors, start: start ?? now, end: end,
                                    headline: body.string("headline") ?? plannedHeadline, message: body.string("message") ?? plannedMessage,
                                    notices: Array(Set(notices)).sorted(by: >), channels: body.strings("channels"), timezone: zone,
                                    emergency: false, force: body.bool("force") ?? false)
        request.page = body.page("page")
        try body.check()
        return request
    }

    /// `POST /v1/windows/now`: from now, for a duration, until a time, or open-ended.
    public static func emergency(_ data: Data, now: Date) throws(RequestBody.Problem) -> WindowRequest {
        var body = RequestBody(data, allowed: emergencyFields)
        let zone = timezone(&body)
        let selectors = body.strings("targets", required: true) ?? []
        let message = body.string("message", required: true)
        if message?.isEmpty == true { body.fail("message", "must not be empty: it is what users see") }
        var end: Date?
        switch (body.has("until"), body.has("duration")) {
        case (true, true): body.fail("until", "give until or duration, not both")
        case (true, false): end = body.time("until", zone: zone, now: now)
        case (false, true): if let length = body.duration("duration") { end = shifted(now, length, &body) }
        case (false, false): break
        }
        let request = WindowRequest(selectors: selectors, start: now, end: end, headline: body.string("headline") ?? emergencyHeadline,
                                    message: message ?? "", notices: [], channels: body.strings("channels"), timezone: zone, emergency: true)
        try body.check()
        return request
    }

    /// The body that asks for this window: instants in RFC 3339 (UTC, to the millisecond), so
    /// nothing depends on the zone of the process that reads it.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "targets": .array(selectors.map(JSONValue.string)),
            "headline": .string(headline), "message": .string(message), "timezone": .string(timezone.identifier),
        ]
        if let channels { fields["channels"] = .array(channels.map(JSONValue.string)) }
        if emergency {
            if let end { fields["until"] = .string(TimeText.stamp(end) + "Z") }
        } else {
            fields["start"] = .string(TimeText.stamp(start) + "Z")
            if let end { fields["end"] = .string(TimeText.stamp(end) + "Z") }
            fields["notices"] = .array(notices.map { .string(DurationText.format($0)) })
            fields["force"] = .bool(force)
        }
        return .object(fields)
    }

    static func timezone(_ body: inout RequestBody) -> TimeZone {
        guard let name = body.string("timezone") else { return .current }
        guard let zone = TimeZone(identifier: name) else {
            body.fail("timezone", "\(Quoted(name)) is not an IANA time zone such as Europe/Paris")
            return .current
        }
        return zone
    }

    static func shifted(_ date: Date, _ milliseconds: Int64, _ body: inout RequestBody) -> Date? {
        guard let end = TimeText.checked(date.addingTimeInterval(Double(milliseconds) / 1000)) else {
            body.fail("duration", "the window would end after the year 9999")
            return nil
        }
        return end
    }
}
