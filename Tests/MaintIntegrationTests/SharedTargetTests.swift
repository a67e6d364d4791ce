import Foundation
import MaintNet
import Testing

/// Windows that share targets, and windows whose time has come or gone (SPEC "Targets held by
/// several windows").
@Suite(.serialized)
struct SharedTargetTests {
    func schedule(_ sites: [DemoSite], windows: String = "", freezes: String = "") -> String {
        """
        {
          targets: {
        \(sites.map { $0.target(tags: ["shop"], healthTimeout: "10s") }.joined(separator: "\n"))
          },
          windows: { \(windows) },
          freezes: { \(freezes) },
        }
        """
    }

    /// Of twenty `maint add` for the same slot at once, exactly one is planned; the others are
    /// refused as overlapping it.
    @Test func simultaneousAddsForOneSlotPlanExactlyOne() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        try workspace.write("shop.json5", schedule([site]))
        _ = try workspace.maint(["status"])  // the database exists before the race
        let at = stamp(Date().addingTimeInterval(3_600))
        let adds = try (0..<20).map { _ in
            try ChildProcess(Repository.binary, ["add", "site", "--at", at, "--for", "30m"], environment: workspace.environment, directory: workspace.directory)
        }
        for child in adds { child.process.waitUntilExit() }
        let statuses = adds.map(\.process.terminationStatus)
        #expect(statuses.filter { $0 == 0 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 65 }.count == 19, "\(statuses)")
        #expect(adds.filter { $0.process.terminationStatus == 65 }.allSatisfy { $0.stderr.contains("overlaps window win-") })
        #expect(try #require(try workspace.json(["ls"]) as? [Any]).count == 1)
    }

    /// A window that is already over, or has already begun, is not planned: 65 and a hint.
    @Test func pastWindowsAreRefusedWithAHint() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "site", directory: workspace.directory)
        try workspace.write("shop.json5", schedule([site]))
        let over = try workspace.maint(["add", "site", "--at", stamp(Date().addingTimeInterval(-7_200)), "--for", "1h"])
        #expect(over.status == 65)
        #expect(over.stderr.contains("already over"), "\(over.stderr)")
        let begun = try workspace.maint(["add", "site", "--at", stamp(Date().addingTimeInterval(-600)), "--for", "1h"])
        #expect(begun.status == 65)
        #expect(begun.stderr.contains("use `maint now"), "\(begun.stderr)")
        #expect(try #require(try workspace.json(["ls", "--all"]) as? [Any]).isEmpty)
        // Nothing was stored, so nothing is announced as missed later.
        let events = try #require(try workspace.json(["log"]) as? [[String: Any]])
        #expect(!events.contains { ($0["kind"] as? String)?.hasPrefix("window.") == true }, "\(events)")
    }

    /// `2026-12-06T02:00:00Z`, as the command line takes it.
    func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
