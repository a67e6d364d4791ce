import Foundation
import MaintCore
import MaintFuzz
import Testing

/// `maint ls --from --to` reaches as far as it is asked, beyond the two weeks the daemon stores.
struct ListHorizonTests {
    /// 300 random rules in ten zones (`RandomRule`), nothing stored yet: a year of `maint ls`
    /// must list exactly the occurrences python-dateutil finds, each marked as not stored; and
    /// without `--all` it lists them a page at a time.
    @Test func aYearOfOccurrencesIsListedAsDateutilFindsThem() throws {
        let workspace = try Workspace()
        var random = SplitMix64(seed: 20_261_202)
        let from = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.up) * 60 + 120)
        let to = from.addingTimeInterval(365 * 86_400)
        let through = TimeText.civil(to.addingTimeInterval(2 * 86_400), zone: TimeZone(secondsFromGMT: 0) ?? .current).date
        let rules = (0..<300).map { _ in var rule = RandomRule(&random, span: 1); rule.through = through; return rule }
        var text = "{ targets: {\n"
        for index in rules.indices {
            text += "  t\(index): { driver: \"file\", file: { path: \"\(workspace.directory.path)/flag\(index)\" } },\n"
        }
        text += "}, windows: {\n"
        for (index, rule) in rules.enumerated() {
            let start = rule.start.description.replacingOccurrences(of: "T", with: " ").dropLast(3)
            text += "  r\(index): { targets: [\"t\(index)\"], recurrence: \"\(rule.rule)\", start: \"\(start)\", timezone: \"\(rule.zone)\", duration: \"1m\" },\n"
        }
        text += "} }\n"
        try workspace.write("rules.json5", text)
        let validate = try workspace.maint(["validate"])
        try #require(validate.status == 0, "\(validate.stdout)\(validate.stderr)")

        let range = ["--from", TimeText.rfc3339(from), "--to", TimeText.rfc3339(to)]
        let listed = try workspace.maint(["ls"] + range + ["--all", "--json"])
        try #require(listed.status == 0, "\(listed.stderr)")
        let windows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(windows.allSatisfy { $0["stored"] as? Bool == false })
        var starts: [String: [Int]] = [:]
        for window in windows {
            let id = window["id"] as? String ?? ""
            let series = String(id.prefix { $0 != "@" })
            starts[series, default: []].append(Int(rfc3339(window["start"])?.timeIntervalSince1970 ?? -1))
        }

        let expected = try RandomRule.dateutil(rules, oracle: Repository.root.appendingPathComponent("Tests/Support/rrule_oracle.py").path)
        try #require(expected.count == rules.count)
        var compared = 0
        for (index, rule) in rules.enumerated() {
            let inRange = expected[index].filter { $0 >= Int(from.timeIntervalSince1970) && $0 <= Int(to.timeIntervalSince1970) }
            compared += inRange.count
            #expect((starts["r\(index)"] ?? []).sorted() == inRange, "r\(index): \(rule.rule) from \(rule.start) in \(rule.zone)")
        }
        #expect(compared > 1_000, "only \(compared) occurrences in the year")
        print("compared \(rules.count) rules over a year through maint ls: \(compared) occurrences")

        // A page at a time unless asked: the earliest first, and how many more on stderr.
        let page = try workspace.maint(["ls"] + range + ["--json"])
        let firstPage = try #require(try JSONSerialization.jsonObject(with: Data(page.stdout.utf8)) as? [[String: Any]])
        #expect(firstPage.count == 50)
        #expect(page.stderr.contains("the first 50 of \(windows.count) windows; --limit N or --all for more"))
        let seven = try workspace.maint(["ls"] + range + ["--limit", "7", "--json"])
        let sevenIds = (try #require(try JSONSerialization.jsonObject(with: Data(seven.stdout.utf8)) as? [[String: Any]])).map { $0["id"] as? String }
        #expect(sevenIds == windows.prefix(7).map { $0["id"] as? String })
        let table = try workspace.maint(["ls"] + range + ["--limit", "3"])
        #expect(table.stdout.split(separator: "\n").count == 1 + 3 + 1, "\(table.stdout)")
        #expect(try workspace.maint(["ls", "--limit", "0"]).status == 2)
    }
}
