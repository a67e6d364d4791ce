import Foundation
import MaintCore
import Testing

@Suite(.serialized)
struct PlanCommandTests {
    static let schedule = """
        { targets: {
          paris: { driver: "http", timezone: "Europe/Paris", offPeak: ["Mon-Sun 01:00-06:00"], activate: { url: "http://127.0.0.1:9/m" }, deactivate: { url: "http://127.0.0.1:9/m" } },
          newyork: { driver: "http", timezone: "America/New_York", offPeak: ["Mon-Sun 20:00-23:00"], activate: { url: "http://127.0.0.1:9/m" }, deactivate: { url: "http://127.0.0.1:9/m" } },
          sydney: { driver: "http", timezone: "Australia/Sydney", offPeak: ["Mon-Sun 01:00-05:00"], activate: { url: "http://127.0.0.1:9/m" }, deactivate: { url: "http://127.0.0.1:9/m" } },
        } }
        """

    func slots(_ workspace: Workspace, _ arguments: [String]) throws -> [[String: Any]] {
        let plan = try #require(try workspace.json(["plan"] + arguments) as? [String: Any])
        return try #require(plan["slots"] as? [[String: Any]])
    }

    @Test func slotsLieInEveryTargetsOffPeakHoursAndAvoidPlannedWindows() throws {
        let workspace = try Workspace()
        try workspace.write("sites.json5", Self.schedule)
        let first = try slots(workspace, ["paris", "newyork", "--duration", "2h", "--count", "3"])
        #expect(first.count == 3)
        for slot in first {
            let targets = try #require(slot["targets"] as? [[String: Any]])
            // Local times read back in each zone: inside 01:00–06:00 Paris and 20:00–23:00 New York.
            let paris = try #require(targets.first { $0["name"] as? String == "paris" }?["start"] as? String)
            let newyork = try #require(targets.first { $0["name"] as? String == "newyork" }?["end"] as? String)
            let parisHour = Int(paris.dropFirst(11).prefix(2)) ?? -1
            let newyorkEnd = String(newyork.dropFirst(11).prefix(5))
            #expect((1...4).contains(parisHour), "\(paris)")
            #expect(newyorkEnd >= "22:00" && newyorkEnd <= "23:00", "\(newyork)")
        }
        // Taking the first slot moves the plan on by a day.
        let taken = try #require(first[0]["start"] as? String)
        _ = try workspace.add(["paris", "--at", taken, "--for", "2h"])
        let second = try slots(workspace, ["paris", "newyork", "--duration", "2h", "--count", "1"])
        #expect(second.first?["start"] as? String == first[1]["start"] as? String)
        // Three days hold at most four of the hundred slots asked for (one a day): said so.
        let short = try workspace.maint(["plan", "paris", "newyork", "--duration", "2h", "--count", "100", "--within", "3d"])
        #expect(short.status == 0)
        #expect(short.stdout.contains("slot 1:") && !short.stdout.contains("slot 5:"), "\(short.stdout)")
        #expect(short.stdout.contains("note: only ") && short.stdout.contains("of the 100 slots asked for"), "\(short.stdout)")
    }

    @Test func noSlotSaysWhichTargetsNeverMeet() throws {
        let workspace = try Workspace()
        try workspace.write("sites.json5", Self.schedule)
        let result = try workspace.maint(["plan", "paris", "sydney", "--duration", "1h"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("no slot: sydney's off-peak hours (Mon-Sun 01:00-05:00 Australia/Sydney) never meet paris's (Mon-Sun 01:00-06:00 Europe/Paris) within 14d"))
        #expect(try workspace.maint(["plan", "paris", "--duration", "soon"]).status == 2)
        #expect(try workspace.maint(["plan", "lyon", "--duration", "1h"]).status == 65)
    }
}
