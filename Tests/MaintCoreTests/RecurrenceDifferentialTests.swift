import Foundation
import MaintCore
import MaintFuzz
import Testing

/// A few hundred random rules in ten zones, expanded over two years by maint and by
/// python-dateutil (`Tests/Support/rrule_oracle.py`): the instants must be identical.
struct RecurrenceDifferentialTests {
    static let zones = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo",
                        "Pacific/Auckland", "UTC", "Europe/London", "Asia/Tokyo", "America/Los_Angeles"]


    struct Case {
        var rule: String
        var start: CivilDateTime
        var zone: String
        var through: CivilDate
    }

    static func randomCase(_ random: inout SplitMix64) -> Case {
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
        return Case(rule: parts.joined(separator: ";"), start: start, zone: random.pick(zones), through: start.date.adding(days: 730))
    }

    @Test func maintExpandsRulesExactlyAsDateutilDoes() throws {
        var random = SplitMix64(seed: 20_261_121)
        let cases = (0..<400).map { _ in Self.randomCase(&random) }
        let input = cases.map { c in
            #"{"rule": "\#(c.rule)", "start": "\#(c.start)", "zone": "\#(c.zone)", "through": "\#(c.through)"}"#
        }.joined(separator: "\n") + "\n"

        let oracle = Process()
        oracle.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        oracle.arguments = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/rrule_oracle.py").path]
        let stdin = Pipe(), stdout = Pipe()
        oracle.standardInput = stdin
        oracle.standardOutput = stdout
        try oracle.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        oracle.waitUntilExit()
        #expect(oracle.terminationStatus == 0, "the oracle needs /usr/bin/python3 with python3-dateutil (deploy/install-deps.sh)")
        let expected = String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            (try? JSONDecoder().decode([Int].self, from: Data($0.utf8))) ?? [-1]
        }
        try #require(expected.count == cases.count)

        var total = 0
        for (index, c) in cases.enumerated() {
            let rule = try RecurrenceRule(parsing: c.rule)
            let zone = try #require(TimeZone(identifier: c.zone))
            let mine = rule.occurrences(start: c.start, zone: zone, through: c.through).compactMap {
                TimeText.instant($0, zone: zone).map { Int($0.timeIntervalSince1970) }
            }
            total += mine.count
            #expect(mine == expected[index], "case \(index): \(c.rule) from \(c.start) in \(c.zone): maint \(mine.count), dateutil \(expected[index].count) occurrences")
        }
        print("compared \(cases.count) rules, \(total) occurrences")
        #expect(total > 5_000)
    }
}
