import Foundation
import MaintCore
import MaintStore

/// `maint export --ics`: the windows as an RFC 5545 calendar. A recurring window is one VEVENT
/// with its RRULE (canceled occurrences as EXDATE); every other window is a VEVENT of its own.
/// UIDs are `ID@maint`, the same in every export and in e-mailed invitations.
public struct CalendarFeed {
    let store: MaintenanceStore
    let schedule: Schedule

    public init(store: MaintenanceStore, schedule: Schedule) {
        self.store = store
        self.schedule = schedule
    }

    public func render() throws -> String {
        let windows = try store.windows(includeFinished: true)
        var events: [String] = []
        var zones: [String: TimeZone] = [:]
        var earliest = Date.distantFuture, latest = Date.distantPast
        func note(_ zone: TimeZone, _ start: Date, _ end: Date) {
            zones[zone.identifier] = zone
            earliest = min(earliest, start)
            latest = max(latest, end)
        }
        // Series written with a rule in one zone: one VEVENT with the RRULE.
        var inSeries = Set<String>()
        for name in schedule.windows.keys.sorted() {
            guard let config = schedule.windows[name], let rule = config.recurrence, case .fixed(let zone) = config.zone else { continue }
            let occurrences = windows.filter { $0.series == name && $0.origin == .file }
            guard let first = occurrences.first else { continue }
            inSeries.formUnion(occurrences.map(\.id))
            // DTSTART is the rule's own start when it has one (COUNT and INTERVAL count from it).
            var anchor = first
            if case .local(let local) = config.start, let start = TimeText.instant(local, zone: zone) {
                anchor.startAt = Engine.milliseconds(start)
                anchor.endAt = Engine.milliseconds(config.instants(storedAt: start).end)
            }
            note(zone, Engine.date(anchor.startAt), Engine.date(anchor.endAt ?? anchor.startAt))
            var lines = event(uid: name, window: anchor, zone: zone, status: "CONFIRMED")
            lines.append("RRULE:" + Self.ruleText(rule, zone: zone))
            for canceled in occurrences where canceled.state == .canceled {
                lines.append("EXDATE;TZID=\(zone.identifier):" + ICalendarText.local(Engine.date(canceled.startAt), zone: zone))
            }
            events.append(wrap(lines))
        }
        for window in windows where !inSeries.contains(window.id) {
            let zone = TimeZone(identifier: window.timezone) ?? TimeZone(identifier: "UTC") ?? .current
            let start = Engine.date(window.startAt)
            // An open-ended window is shown as lasting an hour past now, or past its start.
            let end = window.endAt.map(Engine.date) ?? max(start, Date()).addingTimeInterval(3600)
            note(zone, start, end)
            events.append(wrap(event(uid: window.id, window: window, zone: zone, status: Self.status(of: window))))
        }
        var text = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//maint//maint//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
            .map(ICalendarText.fold).joined()
        if !events.isEmpty {
            // Offsets for a year either side, enough for any reader to place every event.
            let from = earliest.addingTimeInterval(-366 * 86_400), through = latest.addingTimeInterval(2 * 366 * 86_400)
            for name in zones.keys.sorted() {
                if let zone = zones[name] { text += ICalendarText.timezone(zone, from: from, through: through) }
            }
        }
        return text + events.joined() + ICalendarText.fold("END:VCALENDAR")
    }

    /// One window as its own calendar, for an e-mail invitation: the UID the feed uses; an
    /// occurrence of a recurring window is that instance of its series (RECURRENCE-ID).
    public func invitation(for window: WindowRecord) -> String {
        let zone = TimeZone(identifier: window.timezone) ?? TimeZone(identifier: "UTC") ?? .current
        let status = Self.status(of: window)
        var lines: [String]
        if let series = window.series, let config = schedule.windows[series], config.recurrence != nil, case .fixed = config.zone {
            lines = event(uid: series, window: window, zone: zone, status: status)
            lines.insert("RECURRENCE-ID;TZID=\(zone.identifier):" + ICalendarText.local(Engine.date(window.startAt), zone: zone), at: 2)
        } else {
            lines = event(uid: window.id, window: window, zone: zone, status: status)
        }
        let start = Engine.date(window.startAt)
        return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//maint//maint//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"].map(ICalendarText.fold).joined()
            + ICalendarText.timezone(zone, from: start.addingTimeInterval(-366 * 86_400), through: start.addingTimeInterval(366 * 86_400))
            + wrap(lines) + ICalendarText.fold("END:VCALENDAR")
    }

    /// A window that did not and will not happen (canceled, missed during downtime, skipped) is
    /// CANCELLED in a calendar; any other is CONFIRMED.
    static func status(of window: WindowRecord) -> String {
        [.canceled, .missed, .skipped].contains(window.state) ? "CANCELLED" : "CONFIRMED"
    }

    func event(uid: String, window: WindowRecord, zone: TimeZone, status: String) -> [String] {
        let start = Engine.date(window.startAt)
        let end = window.endAt.map(Engine.date) ?? max(start, Date()).addingTimeInterval(3600)
        let message = WindowContext.values(window, target: nil, zone: zone, now: Date())["message"] ?? window.message
        let targets = (try? store.targets(of: window.id).map(\.target)) ?? []
        return [
            "BEGIN:VEVENT",
            "UID:\(ICalendarText.escape(uid))@maint",
            "DTSTAMP:" + ICalendarText.utc(Engine.date(window.updatedAt)),
            "DTSTART;TZID=\(zone.identifier):" + ICalendarText.local(start, zone: zone),
            "DTEND;TZID=\(zone.identifier):" + ICalendarText.local(end, zone: zone),
            "SUMMARY:" + ICalendarText.escape(window.headline),
            "DESCRIPTION:" + ICalendarText.escape(message),
            "STATUS:\(status)",
            "TRANSP:OPAQUE",
        ] + (targets.isEmpty ? [] : ["CATEGORIES:" + targets.map(ICalendarText.escape).joined(separator: ",")])
    }

    /// The rule as written, but with a local UNTIL in UTC: RFC 5545 requires it once DTSTART has a TZID.
    static func ruleText(_ rule: RecurrenceRule, zone: TimeZone) -> String {
        let parts = rule.source.replacingOccurrences(of: "RRULE:", with: "", options: .caseInsensitive).split(separator: ";")
        return parts.map { part -> String in
            guard part.uppercased().hasPrefix("UNTIL="), case .local(let local)? = rule.until,
                  let instant = TimeText.instant(local, zone: zone) else { return String(part) }
            return "UNTIL=" + ICalendarText.utc(instant)
        }.joined(separator: ";")
    }

    func wrap(_ lines: [String]) -> String { (lines + ["END:VEVENT"]).map(ICalendarText.fold).joined() }
}
