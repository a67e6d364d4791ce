import Foundation
import MaintCore
import MaintStore

/// `maint export --ics`: the windows as an RFC 5545 calendar. A recurring window is one VEVENT
/// with its RRULE per zone (canceled, skipped and wholly frozen occurrences as EXDATE); every
/// other window is a VEVENT of its own.
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
        // A recurring window is one VEVENT with its RRULE per zone it is written in: its own, or,
        // with `timezone: "target"`, each of its targets' zones (each site in its own night).
        // Occurrences that will not happen are EXDATEs: canceled or skipped ones stored, and
        // those a freeze covers whole, as far ahead as a year.
        var inSeries = Set<String>()
        let targetZones = schedule.targetZones
        let now = Date()
        for name in schedule.windows.keys.sorted() {
            guard let config = schedule.windows[name], let rule = config.recurrence else { continue }
            let occurrences = windows.filter { $0.series == name && $0.origin == .file }
            let groups: [(zone: TimeZone, targets: [String], uid: String)]
            switch config.zone {
            case .fixed(let zone):
                groups = [(zone, config.targets, name)]
            case .target:
                var byZone: [String: [String]] = [:]
                for target in config.targets { byZone[(targetZones[target] ?? .gmt).identifier, default: []].append(target) }
                groups = byZone.keys.sorted().compactMap { id in
                    TimeZone(identifier: id).map { ($0, byZone[id] ?? [], Self.seriesUID(name, config, zone: $0)) }
                }
            }
            // What is ahead beyond the stored occurrences: for freezes that leave nothing.
            let ahead = config.occurrences(targetZones: targetZones, storedAt: now, from: now, through: now.addingTimeInterval(366 * 86_400))
            // Each occurrence's targets, read once for all the zones' series.
            var targetsOf: [String: [String]] = [:]
            if groups.count > 1 {
                for window in occurrences { targetsOf[window.id] = try store.targets(of: window.id).map(\.target) }
            }
            for group in groups {
                let members = Set(group.targets)
                let mine = groups.count == 1 ? occurrences : occurrences.filter { (targetsOf[$0.id] ?? []).contains(where: members.contains) }
                guard let first = mine.first else { continue }
                inSeries.formUnion(mine.map(\.id))
                // DTSTART is the rule's own start when it has one (COUNT and INTERVAL count from it).
                var anchor = first
                if case .local(let local) = config.start, case .fixed = config.zone, let start = TimeText.instant(local, zone: group.zone) {
                    anchor.startAt = Engine.milliseconds(start)
                    anchor.endAt = Engine.milliseconds(config.instants(storedAt: start).end)
                }
                note(group.zone, Engine.date(anchor.startAt), Engine.date(anchor.endAt ?? anchor.startAt))
                var lines = event(uid: group.uid, window: anchor, zone: group.zone, status: "CONFIRMED", targets: group.targets)
                lines.append("RRULE:" + Self.ruleText(rule, zone: group.zone))
                var excluded = Set(mine.filter { [.canceled, .skipped].contains($0.state) }.map(\.startAt))
                let stored = Set(occurrences.map(\.id))
                for occurrence in ahead where !stored.contains(occurrence.id) && occurrence.targets.contains(where: members.contains) {
                    let mineHere = occurrence.targets.filter(members.contains)
                    if schedule.frozen(occurrence.start, occurrence.end, targets: mineHere).count == mineHere.count {
                        excluded.insert(Engine.milliseconds(occurrence.start))
                    }
                }
                for start in excluded.sorted() {
                    lines.append("EXDATE;TZID=\(group.zone.identifier):" + ICalendarText.local(Engine.date(start), zone: group.zone))
                }
                events.append(wrap(lines))
            }
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
        if let series = window.series, let config = schedule.windows[series], config.recurrence != nil {
            // That instance of its series in the feed: for a window in each target's zone, the
            // series of its (first) target's zone.
            var seriesZone = zone
            if case .target = config.zone, let first = try? store.targets(of: window.id).first,
               let targetZone = schedule.targetSummaries[first.target]?.timezone {
                seriesZone = targetZone
            }
            lines = event(uid: Self.seriesUID(series, config, zone: seriesZone), window: window, zone: seriesZone, status: status)
            lines.insert("RECURRENCE-ID;TZID=\(seriesZone.identifier):" + ICalendarText.local(Engine.date(window.startAt), zone: seriesZone), at: 2)
        } else {
            lines = event(uid: window.id, window: window, zone: zone, status: status)
        }
        let start = Engine.date(window.startAt)
        return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//maint//maint//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"].map(ICalendarText.fold).joined()
            + ICalendarText.timezone(zone, from: start.addingTimeInterval(-366 * 86_400), through: start.addingTimeInterval(366 * 86_400))
            + wrap(lines) + ICalendarText.fold("END:VCALENDAR")
    }

    /// A recurring window's UID: its name, and with `timezone: "target"` the zone's too
    /// (`weekly-patch.Europe-Paris`), one series per zone.
    static func seriesUID(_ name: String, _ config: WindowConfig, zone: TimeZone) -> String {
        if case .target = config.zone { return name + "." + zone.identifier.replacingOccurrences(of: "/", with: "-") }
        return name
    }

    /// A window that did not and will not happen (canceled, missed during downtime, skipped) is
    /// CANCELLED in a calendar; any other is CONFIRMED.
    static func status(of window: WindowRecord) -> String {
        [.canceled, .missed, .skipped].contains(window.state) ? "CANCELLED" : "CONFIRMED"
    }

    /// One VEVENT's lines; `targets` (CATEGORIES) default to the window's own.
    func event(uid: String, window: WindowRecord, zone: TimeZone, status: String, targets given: [String]? = nil) -> [String] {
        let start = Engine.date(window.startAt)
        let end = window.endAt.map(Engine.date) ?? max(start, Date()).addingTimeInterval(3600)
        let message = WindowContext.values(window, target: nil, zone: zone, now: Date())["message"] ?? window.message
        let targets = given ?? (try? store.targets(of: window.id).map(\.target)) ?? []
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
