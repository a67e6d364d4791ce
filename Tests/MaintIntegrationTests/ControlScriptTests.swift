import Foundation
import MaintCore
import MaintNet
import Testing

/// The control API as a script uses it: `curl --unix-socket`, `jq`, the shipped deploy job.
@Suite(.serialized)
struct ControlScriptTests {
    /// Runs a program with the workspace's environment; its exit status and output.
    func run(_ argv: [String], _ workspace: Workspace, extra: [String: String] = [:], timeout: Double = 90) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(argv[0], Array(argv.dropFirst()), environment: workspace.environment.merging(extra) { $1 }, directory: workspace.directory)
        #expect(waitUntil(timeout: timeout) { !child.process.isRunning }, "\(argv) did not finish: \(child.stdout) \(child.stderr)")
        child.process.waitUntilExit()
        return (child.process.terminationStatus, child.stdout + child.stderr)
    }

    /// docs/api.md's recipe, as shipped in deploy/: maintenance on, the deploy sees the site in
    /// maintenance, then off as soon as the site is healthy; a failed deploy ends it at once.
    @Test func theCIDeployJobRunsEndToEnd() throws {
        let (workspace, site, _) = try siteSetup()
        // Health checks that get through maintenance mode (the admin token), as `done` needs.
        try workspace.write("shop.json5", """
            { targets: { site: { driver: "http",
                activate: { method: "POST", url: "\(site.base)/admin/api/maintenance", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" },
                            json: { enabled: true, headline: "{{headline}}", message: "{{message}}" } },
                deactivate: { method: "POST", url: "\(site.base)/admin/api/maintenance", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" },
                              json: { enabled: false } },
                health: [ { name: "api", url: "\(site.base)/health", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" },
                            expect: "[STATUS] == 200 && [BODY].status == ok" } ] } } }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let job = Repository.root.appendingPathComponent("deploy/ci-deploy-job.sh").path
        let marker = workspace.directory.appendingPathComponent("deployed").path
        // The deploy step checks, as a deploy would need, that the site is in maintenance.
        let check = "curl -sf -H 'Authorization: Bearer \(DemoSite.token)' \(site.base)/admin/api/maintenance | jq -e .enabled && touch \(marker)"
        let environment = ["MAINT_SOCKET": workspace.database + ".sock", "CI_JOB_ID": "4711"]
        let good = try run([job, "site", "Deploying release 4.2", "--", "/bin/sh", "-c", check], workspace, extra: environment)
        #expect(good.status == 0, "\(good.output)")
        #expect(FileManager.default.fileExists(atPath: marker), "the deploy ran while the site was in maintenance")
        #expect(site.maintenanceEnabled == false)
        #expect(good.output.contains(": completed"), "\(good.output)")
        #expect(site.calls.first?.body["message"] as? String == "Deploying release 4.2")

        let bad = try run([job, "site", "Deploying release 4.3", "--", "/bin/false"], workspace, extra: ["MAINT_SOCKET": workspace.database + ".sock", "CI_JOB_ID": "4712"])
        #expect(bad.status == 1)
        #expect(bad.output.contains("the deploy failed; ending maintenance"), "\(bad.output)")
        #expect(waitUntil(timeout: 20) { site.maintenanceEnabled == false })
        #expect(try workspace.maint(["ls", "--all", "--json"]).stdout.components(separatedBy: "\"id\"").count - 1 == 2, "one window per job")
    }

    /// The feed over HTTP read by `icalendar`, then 304 when asked again with its ETag; an
    /// idempotent retry; a read-only token refused a write. All with curl, against the daemon.
    @Test func curlReadsTheFeedRetriesIdempotentlyAndIsRefusedWithAReadToken() throws {
        let workspace = try Workspace()
        let port = try ControlSocketTests().freePort()
        try workspace.write("a.json5", """
            { targets: { web: { driver: "file", file: { path: "\(workspace.directory.path)/web.flag" } } },
              windows: { later: { targets: ["web"], start: "2099-01-01 02:00", duration: "1h", timezone: "UTC", headline: "Storage move" } },
              api: { listen: "127.0.0.1:\(port)", tokens: { grafana: { token: "{{secret:RO_TOKEN}}", scope: "read" } } } }
            """)
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: workspace.environment.merging(["RO_TOKEN": "read-only-7"]) { $1 },
                                      directory: workspace.directory)
        defer { daemon.stop() }
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("maint daemon started") }, "\(daemon.stderr)")
        let socket = workspace.database + ".sock"
        let script = """
            set -eu
            cd '\(workspace.directory.path)'
            curl -sS -D headers --unix-socket \(socket) http://maint/calendar.ics > feed.ics
            tag=$(grep -i '^etag:' headers | cut -d' ' -f2 | tr -d '\\r')
            python3 \(Repository.root.appendingPathComponent("Tests/Support/ics_reader.py").path) 2099-02-01T00:00:00 < feed.ics | jq -r '.events[].summary'
            curl -s -o /dev/null -w 'again %{http_code}\\n' -H "If-None-Match: $tag" --unix-socket \(socket) http://maint/calendar.ics
            curl -s -o /dev/null -w 'feed by token %{http_code}\\n' "http://127.0.0.1:\(port)/calendar.ics?token=read-only-7"
            for try in 1 2; do
              curl -s --unix-socket \(socket) -X POST -H 'Idempotency-Key: job-1' -d '{"targets": "web", "message": "x", "duration": "5m"}' \\
                http://maint/v1/windows/now | jq -r '"window " + .id'
            done
            curl -s -o /dev/null -w 'read token writes %{http_code}\\n' -H 'Authorization: Bearer read-only-7' -X POST \\
              "http://127.0.0.1:\(port)/v1/windows/later/cancel"
            """
        let result = try run(["/bin/bash", "-c", script], workspace)
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("Storage move"), "icalendar read the window: \(lines)")
        #expect(lines.contains("again 304"), "\(lines)")
        #expect(lines.contains("feed by token 200"), "\(lines)")
        let windows = lines.filter { $0.hasPrefix("window ") }
        #expect(windows.count == 2 && Set(windows).count == 1, "the retry got the same window: \(windows)")
        #expect(lines.contains("read token writes 403"), "\(lines)")
    }
}
