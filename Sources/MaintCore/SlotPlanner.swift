import Foundation

/// `maint plan`: the earliest slots inside every chosen target's off-peak hours (each read in
/// its own zone), clear of freezes and other windows. One slot per free stretch, starting at the
/// stretch's start (rounded up to 5 minutes); when there is none, a reason a person can act on.
public struct SlotPlanner: Sendable {
    public struct Participant: Sendable {
        public var name: String
        public var zone: TimeZone
        public var offPeak: [OffPeakRule]
        /// Periods taken by freezes and windows, with what takes them.
        public var busy: [(period: Range<Date>, reason: String)]

        public init(name: String, zone: TimeZone, offPeak: [OffPeakRule], busy: [(period: Range<Date>, reason: String)]) {
            self.name = name
            self.zone = zone
            self.offPeak = offPeak
            self.busy = busy
        }
    }

    public struct Slot: Sendable, Equatable {
        public var start: Date
        public var end: Date
    }

    public enum Outcome: Sendable, Equatable {
        case slots([Slot])
        case none(reason: String)
    }

    public var participants: [Participant]
    public var duration: TimeInterval
    public var now: Date
    public var within: TimeInterval
    public var count: Int

    public init(participants: [Participant], duration: TimeInterval, now: Date, within: TimeInterval, count: Int) {
        self.participants = participants
        self.duration = duration
        self.now = now
        self.within = within
        self.count = count
    }

    var horizon: Range<Date> { now..<now.addingTimeInterval(within) }

    func free(_ participant: Participant) -> [Range<Date>] {
        guard !participant.offPeak.isEmpty else { return [horizon] }
        let periods = participant.offPeak.flatMap { $0.periods(from: horizon.lowerBound, through: horizon.upperBound, zone: participant.zone) }
        return Self.union(periods.map { $0.lowerBound..<$0.upperBound }).compactMap { Self.clip($0, to: horizon) }
    }

    public func plan() -> Outcome {
        let frees = participants.map(free)
        let common = frees.dropFirst().reduce(frees.first ?? [horizon], Self.intersect)
        let blocked = Self.union(participants.flatMap { $0.busy.map(\.period) })
        let available = Self.subtract(common, blocked)
        var slots: [Slot] = []
        for stretch in available {
            let start = Self.roundUp(stretch.lowerBound)
            let end = start.addingTimeInterval(duration)
            if end <= stretch.upperBound { slots.append(Slot(start: start, end: end)) }
            if slots.count == count { break }
        }
        return slots.isEmpty ? .none(reason: reason(frees: frees, common: common)) : .slots(slots)
    }

    func reason(frees: [[Range<Date>]], common: [Range<Date>]) -> String {
        let days = DurationText.format(Int64(within * 1000))
        func hours(_ participant: Participant) -> String {
            participant.offPeak.map(\.source).joined(separator: ", ") + " " + participant.zone.identifier
        }
        for (i, first) in participants.enumerated() where !first.offPeak.isEmpty {
            for (j, second) in participants.enumerated() where j > i && !second.offPeak.isEmpty {
                if Self.intersect(frees[i], frees[j]).isEmpty {
                    return "no slot: \(second.name)'s off-peak hours (\(hours(second))) never meet \(first.name)'s (\(hours(first))) within \(days)"
                }
            }
        }
        if common.isEmpty {
            return "no slot: the off-peak hours of all \(participants.count) targets are never in force at the same time within \(days)"
        }
        let longest = common.map { $0.upperBound.timeIntervalSince($0.lowerBound) }.max() ?? 0
        if longest < duration {
            return "no slot: the longest stretch in which every target is off-peak is \(DurationText.format(Int64(longest * 1000))), shorter than \(DurationText.format(Int64(duration * 1000)))"
        }
        var blockers: [String] = []
        for participant in participants {
            for (period, reason) in participant.busy where common.contains(where: { $0.overlaps(period) }) && !blockers.contains(reason) {
                blockers.append(reason)
            }
        }
        return "no slot: every common off-peak stretch of \(DurationText.format(Int64(duration * 1000))) within \(days) is taken by " + blockers.prefix(5).joined(separator: ", ")
    }

    // MARK: Ranges

    static func roundUp(_ date: Date) -> Date {
        let step = 300.0
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / step).rounded(.up) * step)
    }

    static func clip(_ range: Range<Date>, to bounds: Range<Date>) -> Range<Date>? {
        let lower = max(range.lowerBound, bounds.lowerBound), upper = min(range.upperBound, bounds.upperBound)
        return lower < upper ? lower..<upper : nil
    }

    static func union(_ ranges: [Range<Date>]) -> [Range<Date>] {
        var merged: [Range<Date>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    static func intersect(_ a: [Range<Date>], _ b: [Range<Date>]) -> [Range<Date>] {
        var result: [Range<Date>] = []
        for x in a { for y in b { if let both = clip(x, to: y) { result.append(both) } } }
        return union(result)
    }

    static func subtract(_ ranges: [Range<Date>], _ holes: [Range<Date>]) -> [Range<Date>] {
        var result = ranges
        for hole in holes {
            result = result.flatMap { range -> [Range<Date>] in
                guard range.overlaps(hole) else { return [range] }
                var pieces: [Range<Date>] = []
                if range.lowerBound < hole.lowerBound { pieces.append(range.lowerBound..<hole.lowerBound) }
                if hole.upperBound < range.upperBound { pieces.append(hole.upperBound..<range.upperBound) }
                return pieces
            }
        }
        return result
    }
}
