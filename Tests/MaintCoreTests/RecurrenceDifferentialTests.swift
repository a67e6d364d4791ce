import Foundation
import MaintCore
import MaintFuzz
import Testing

/// A few hundred random rules in ten zones (`RandomRule`), expanded over two years by maint and
/// by python-dateutil (`Tests/Support/rrule_oracle.py`): the instants must be identical.
struct RecurrenceDifferentialTests {
    @Test func maintExpandsRulesExactlyAsDateutilDoes() throws {
        var random = SplitMix64(seed: 20_261_121)
        let cases = (0..<400).map { _ in RandomRule(&random, span: 730) }
        let expected = try RandomRule.dateutil(cases, oracle: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/rrule_oracle.py").path)
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
