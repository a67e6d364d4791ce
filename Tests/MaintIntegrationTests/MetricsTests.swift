import Foundation
import MaintCore
import MaintNet
import Testing

/// `/metrics` read by Prometheus's own tools, and the rules `deploy/prometheus` ships.
struct MetricsTests {
    func run(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func theMetricsPassPromtoolAndSayWhatIsInMaintenance() throws {
        let workspace = try Workspace()
        try workspace.write("a.json5", """
            { targets: { "web-1": { driver: "file", file: { path: "\(workspace.directory.path)/web.flag" } },
                         "db": { driver: "file", file: { path: "\(workspace.directory.path)/db.flag" } } },
              windows: { later: { targets: ["db"], start: "2099-01-01 02:00", duration: "1h", timezone: "UTC" } } }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.maint(["now", "web-1", "--for", "1h", "--message", "disk"]).status == 0)
        var request = HTTPRequest(method: "GET", url: "http://localhost/metrics")
        request.unixSocket = workspace.database + ".sock"
        let response = try #require(TransferPool().perform([request]).first).get()
        #expect(response.status == 200)
        let text = response.text
        let check = try run("/usr/bin/promtool", ["check", "metrics"], input: response.body)
        #expect(check.status == 0, "promtool: \(check.output)")
        for line in ["maint_target_in_maintenance{target=\"web-1\"} 1", "maint_target_in_maintenance{target=\"db\"} 0",
                     "maint_target_actual_in_maintenance{target=\"web-1\"} 1", "maint_windows{state=\"active\"} 1",
                     "maint_windows{state=\"scheduled\"} 1", "maint_switch_lag_seconds_count 1",
                     "maint_switch_duration_seconds_count{action=\"activate\"} 1",
                     "maint_next_window_start_timestamp_seconds{target=\"db\"} 4070916000"] {
            #expect(text.contains(line + "\n"), "\(line) in:\n\(text)")
        }
    }

    @Test func theShippedRulesMuteAlertsOfTargetsInMaintenance() throws {
        let directory = Repository.root.appendingPathComponent("deploy/prometheus").path
        let rules = try run("/usr/bin/promtool", ["test", "rules", directory + "/maint-rules.test.yml"])
        #expect(rules.status == 0, "\(rules.output)")
        let alertmanager = try run("/usr/bin/amtool", ["check-config", directory + "/alertmanager-inhibit.yml"])
        #expect(alertmanager.status == 0, "\(alertmanager.output)")
        #expect(alertmanager.output.contains("inhibit") || alertmanager.output.contains("SUCCESS"), "\(alertmanager.output)")
    }
}
