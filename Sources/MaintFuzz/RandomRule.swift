import Foundation
import MaintCore

/// A random recurrence rule, its local start and its zone, for differential tests against
/// python-dateutil: the frequencies, BY parts, COUNT/UNTIL and start hours that daylight-saving
/// changes skip or repeat.
public struct RandomRule: Sendable {
    public var rule: String
    public var start: CivilDateTime
    public var zone: String
    /// The last day compared.
    public var through: CivilDate

    public static let zones = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo",
                        "Pacific/Auckland", "UTC", "Europe/London", "Asia/Tokyo", "America/Los_Angeles"]



    public init(_ random: inout SplitMix64, span: Int) {
        let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        let frequency = random.pick(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
        var parts = ["FREQ=\(frequency)"]
        if random.chance(40) { parts.append("INTERVAL=\(random.int(1...4))") }
        var hasBy = false
        if random.chance(50) {
            let chosen = Set((0..<random.int(1...3)).map { _ in random.int(0...6) }).sorted()
            let ordinals = (frequency == "MONTHLY" || frequency == "YEARLY") && random.chance(60)
            parts.append("BYDAY=" + chosen.map { (ordinals ? String(random.pick([1, 2, 3, 4, -1, -2])) : "") + days[$0] }.joined(separator: ","))
            hasBy = true
        }
        if frequency != "WEEKLY" && random.chance(30) {
            parts.append("BYMONTHDAY=" + Set((0..<random.int(1...3)).map { _ in random.pick([1, 2, 13, 15, 28, 29, 30, 31, -1, -2, -7]) }).sorted().map(String.init).joined(separator: ","))
            hasBy = true
        }
        if random.chance(30) {
            parts.append("BYMONTH=" + Set((0..<random.int(1...3)).map { _ in random.int(1...12) }).sorted().map(String.init).joined(separator: ","))
            hasBy = true
        }
        if hasBy && frequency != "DAILY" && random.chance(30) {
            parts.append("BYSETPOS=" + random.pick(["1", "-1", "2", "1,-1", "3"]))
        }
        if frequency == "WEEKLY" && random.chance(40) { parts.append("WKST=" + random.pick(days)) }
        // Start hours include the ones that daylight-saving changes skip or repeat.
        let start = CivilDateTime(date: CivilDate(year: random.pick([2026, 2027]), month: random.int(1...12), day: random.int(1...28)),
                                  secondOfDay: random.pick([0, 1, 2, 3, 4, 9, 23]) * 3600 + random.pick([0, 15, 30]) * 60)
        if random.chance(20) { parts.append("COUNT=\(random.int(1...40))") } else if random.chance(20) {
            let until = start.date.adding(days: random.int(10...500))
            parts.append("UNTIL=\(until.year)\(until.month < 10 ? "0" : "")\(until.month)\(until.day < 10 ? "0" : "")\(until.day)T120000")
        }
        rule = parts.joined(separator: ";")
        self.start = start
        zone = random.pick(Self.zones)
        through = start.date.adding(days: span)
    }

    /// What python-dateutil makes of each rule: its occurrences as Unix seconds, each local time
    /// read in the zone with fold=0 (`oracle` is Tests/Support/rrule_oracle.py).
    /// (It needs /usr/bin/python3 with python3-dateutil: deploy/install-deps.sh.)
    public static func dateutil(_ rules: [RandomRule], oracle: String) throws -> [[Int]] {
        try LineFilter.run(["/usr/bin/python3", oracle], lines: rules.map { c in
            #"{"rule": "\#(c.rule)", "start": "\#(c.start)", "zone": "\#(c.zone)", "through": "\#(c.through)"}"#
        }).map { (try? JSONDecoder().decode([Int].self, from: Data($0.utf8))) ?? [-1] }
    }
}
