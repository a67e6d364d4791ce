import Foundation

/// One concrete window a definition stands for: a one-off window is one, a recurring one is one
/// per occurrence, and `timezone: "target"` makes one per distinct instant its targets' zones give.
public struct Occurrence: Sendable, Equatable {
    public var id: String
    public var start: Date
    public var end: Date
    public var targets: [String]
    /// Each target's stage; absent means 0.
    public var stages: [String: Int] = [:]
}

extension WindowConfig {
    /// The occurrences that start in `from...through` (a one-off window regardless), given the
    /// target zones. `storedAt` anchors a relative start. Occurrence ids are
    /// `NAME@YYYYMMDDTHHMMZ` (the start in UTC), so they stay the same across reloads.
    public func occurrences(targetZones: [String: TimeZone], storedAt: Date, from: Date, through: Date) -> [Occurrence] {
        // Targets grouped by the zone their times are read in.
        var groups: [(TimeZone, [String])] = []
        switch zone {
        case .fixed(let zone): groups = [(zone, targets)]
        case .target:
            var byZone: [String: (TimeZone, [String])] = [:]
            for target in targets {
                let zone = targetZones[target] ?? timezone
                byZone[zone.identifier, default: (zone, [])].1.append(target)
            }
            groups = byZone.keys.sorted().compactMap { byZone[$0] }
        }
        var byStart: [Date: [String]] = [:]
        for (zone, names) in groups {
            for start in starts(in: zone, storedAt: storedAt, from: from, through: through) {
                byStart[start, default: []] += names
            }
        }
        let single = recurrence == nil && groups.count <= 1
        return byStart.keys.sorted().compactMap { start in
            guard let names = byStart[start] else { return nil }
            let order = targets.filter(names.contains)
            return Occurrence(id: single ? name : "\(name)@\(Self.compactUTC(start))", start: start, end: end(after: start), targets: order,
                              stages: stages.filter { order.contains($0.key) })
        }
    }

    func starts(in zone: TimeZone, storedAt: Date, from: Date, through: Date) -> [Date] {
        guard let recurrence else {
            switch start {
            case .local(let local): return TimeText.instant(local, zone: zone).map { [$0] } ?? []
            default: return [instants(storedAt: storedAt).start]
            }
        }
        let dtstart: CivilDateTime
        switch start {
        case .local(let local): dtstart = local
        case .timeOfDay(let seconds):
            // The rule picks the days itself (the loader makes sure), so any anchor on or before `from` will do.
            dtstart = CivilDateTime(date: TimeText.civil(from, zone: zone).date.adding(days: -1), secondOfDay: seconds)
        default: return []
        }
        let fromLocal = TimeText.civil(from, zone: zone)
        let throughLocal = TimeText.civil(through, zone: zone).date.adding(days: 1)
        return recurrence.occurrences(start: dtstart, zone: zone, from: CivilDateTime(date: fromLocal.date.adding(days: -1), secondOfDay: 0), through: throughLocal)
            .compactMap { TimeText.instant($0, zone: zone) }
            .filter { $0 >= from && $0 <= through }
    }

    static func compactUTC(_ date: Date) -> String {
        let local = TimeText.civil(date, zone: TimeZone(identifier: "UTC") ?? .current)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(local.date.year)\(two(local.date.month))\(two(local.date.day))T\(two(local.hour))\(two(local.minute))Z"
    }
}
