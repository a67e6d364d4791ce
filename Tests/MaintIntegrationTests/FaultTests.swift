import Foundation
import MaintFuzz
import MaintNet
import Testing

/// Faults and hostile input, each of which once left sites in maintenance or the daemon dead.
@Suite(.serialized)
struct FaultTests {
    func schedule(_ sites: [DemoSite], _ receiver: WebhookReceiver, windows: String = "", healthTimeout: String = "20s", extraHealth: String = "") -> String {
        scheduleText(sites, receiver: receiver, windows: windows, healthTimeout: healthTimeout, extraHealth: extraHealth)
    }

    /// The database's disk fills up across a window's end, then space comes back: the daemon
    /// reports the failed writes, keeps trying, and ends the window once it can write again.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskAcrossAWindowsEndDelaysItButNeverStallsIt() throws {
        let workspace = try Workspace()
        let state = workspace.directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", state.path])
        defer { try? run("/bin/umount", ["-l", state.path]) }
        let site = try DemoSite(name: "site", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["site"], start: "+2s", duration: "4s" },"#))
        let daemon = try workspace.readyDaemon()
        #expect(waitUntil(timeout: 20) { site.maintenanceEnabled == true })
        // Fill the disk while the window runs; its end passes while nothing can be written.
        let filler = state.appendingPathComponent("filler")
        try run("/bin/sh", ["-c", "dd if=/dev/zero of='\(filler.path)' bs=64k 2>/dev/null; true"])
        #expect(waitUntil(timeout: 20) { daemon.stderr.contains("scheduler round failed") || daemon.stderr.contains("cannot record") })
        #expect(site.maintenanceEnabled == true, "the end could not be recorded, so nothing was switched yet")
        try FileManager.default.removeItem(at: filler)
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 60) == "completed", "\(daemon.stderr)")
        #expect(site.maintenanceEnabled == false)
        #expect(daemon.process.isRunning)
        #expect(!daemon.stderr.contains("SAVEPOINT maint_-"))
        daemon.stop()
        #expect(daemon.process.terminationStatus == 0)
    }

    /// A rule whose numbers overflow Int is refused on reload; the running window ends as planned.
    @Test func aReloadWithAnOverflowingRuleIsRefusedAndTheDaemonGoesOn() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["site"], start: "+1s", duration: "5s" },"#))
        let daemon = try workspace.readyDaemon()
        #expect(waitUntil(timeout: 20) { site.maintenanceEnabled == true })
        for part in ["INTERVAL=-9223372036854775808", "COUNT=-9223372036854775808", "BYMONTHDAY=-9223372036854775808", "BYDAY=-9223372036854775808SU"] {
            try workspace.write("bad.json5", "{ windows: { weekly: { targets: [\"site\"], recurrence: \"FREQ=MONTHLY;\(part)\", start: \"2030-01-05 03:00\", duration: \"1h\" } } }")
            #expect(try workspace.maint(["validate"]).status == 65)
            kill(daemon.process.processIdentifier, SIGHUP)
            #expect(waitUntil(timeout: 10) { daemon.stderr.components(separatedBy: "reload rejected").count > 1 })
            #expect(daemon.process.isRunning)
        }
        #expect(try workspace.waitForWindow("w", in: ["completed"], timeout: 40) == "completed")
        #expect(site.maintenanceEnabled == false)
    }

    /// A reload of a file that takes seconds to read (lists nested 62 deep, thousands of them)
    /// runs beside the scheduler: a window due meanwhile is switched on time.
    @Test func aSlowReloadDoesNotHoldUpADueSwitch() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["site"], start: "+4s", duration: "2s" },"#))
        let daemon = try workspace.readyDaemon()
        let nested = String(repeating: "[", count: 62) + String(repeating: "]", count: 62)
        try workspace.write("slow.json5", "{ x: [" + Array(repeating: nested, count: 2_000).joined(separator: ",") + "] }")
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 30) { site.maintenanceEnabled == true })
        #expect(waitUntil(timeout: 60) { daemon.stderr.contains("reload rejected") })
        let log = daemon.stderr
        let activated = try #require(log.range(of: "window w: activating"))
        let rejected = try #require(log.range(of: "reload rejected"))
        #expect(activated.lowerBound < rejected.lowerBound, "the switch waited for the reload: \(log)")
        let start = try #require(rfc3339(try workspace.window("w")["start"]))
        let arrived = try #require(site.calls.first?.at)
        #expect(arrived.timeIntervalSince(start) < 1, "activation \(arrived.timeIntervalSince(start)) s after the start")
        #expect(try workspace.waitForWindow("w", in: ["completed"], timeout: 30) == "completed")
    }

    /// A HAProxy runtime socket that takes connections and never answers (each try waits out its
    /// 5 s timeout) delays no other window: the site's switch leaves at its start instant.
    @Test func aHungHAProxySocketDelaysNoOtherWindow() throws {
        let (workspace, site, receiver) = try siteSetup()
        let socketPath = workspace.directory.appendingPathComponent("hung.sock").path
        let listener = try silentUnixListener(at: socketPath)
        defer { close(listener) }
        try workspace.write("shop.json5", """
            {
              targets: {
                lb: { driver: "haproxy", haproxy: { socket: "\(socketPath)", servers: ["be/web1"], timeout: "5s" } },
                \(site.target(tags: ["shop"]))
              },
              channels: { \(receiver.channel) },
              windows: {
                "a-lb": { targets: ["lb"], start: "+2s", duration: "20s" },
                "b-site": { targets: ["site"], start: "+3s", duration: "2s" },
              },
            }
            """)
        let daemon = try workspace.readyDaemon()
        #expect(waitUntil(timeout: 20) { site.calls.count >= 2 })
        let window = try workspace.window("b-site")
        let start = try #require(rfc3339(window["start"])), end = try #require(rfc3339(window["end"]))
        let calls = site.calls
        let on = try #require(calls.first), off = try #require(calls.dropFirst().first)
        // Blocked by the socket, the switch would wait out its 5 s timeout; a loaded machine gets 1 s.
        #expect(on.at.timeIntervalSince(start) < 1, "on \(on.at.timeIntervalSince(start)) s late")
        #expect(off.at.timeIntervalSince(end) < 1, "off \(off.at.timeIntervalSince(end)) s late")
        // The hung socket is still being retried meanwhile.
        #expect(try workspace.window("a-lb")["state"] as? String == "activating")
        daemon.stop()
    }

    /// A Unix socket that accepts connections into its backlog and never reads or answers.
    func silentUnixListener(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard bound, listen(fd, 64) == 0 else { throw FixtureError("bind or listen \(path): \(errno)") }
        return fd
    }

    /// Times and durations past what a date can hold are usage errors, never a signal.
    @Test func timesBeyondTheYear9999AreUsageErrors() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver))
        let id = try workspace.add(["site", "--at", "+1h", "--for", "1h"])
        for arguments in [["ls", "--from", "300000000-01-01 00:00"], ["add", "site", "--at", "300000000-01-01 00:00", "--for", "1h"],
                          ["add", "site", "--at", "9000000000000000000-01-01 00:00", "--for", "1h"], ["extend", id, "--until", "300000000-08-22 08:18"],
                          ["add", "site", "--at", "9999-12-31 23:00", "--for", "999999999d"], ["extend", id, "--by", "999999999d"],
                          ["add", "site", "--at", "+999999999d", "--for", "1h"], ["add", "site", "--at", "+1d", "--for", "1h", "--notice", "10m,10m"],
                          ["add", "site", "--at", "+1d", "--for", "1h", "--notice", "1h,60m"]] {
            let result = try workspace.maint(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("constraint") && !result.stderr.contains("database error"), "\(arguments): \(result.stderr)")
        }
        let notice = try workspace.maint(["add", "site", "--at", "+1d", "--for", "1h", "--notice", "1h,60m"])
        #expect(notice.stderr.contains("--notice \"60m\": given twice"))
        // Nothing half-written: only the first window exists.
        #expect(try #require(try workspace.json(["ls"]) as? [Any]).count == 1)
    }

    /// A secret echoed by the platform in a failing check's reply is replaced before it is
    /// stored, shown, logged or announced.
    @Test func aSecretEchoedByAFailingCheckIsNeverStoredOrShown() throws {
        let (workspace, site, receiver) = try siteSetup()
        let wrong = "S3cr3t-" + String(repeating: "7", count: 40)
        let admin = #", { name: "admin", url: "\#(site.base)/admin/api/maintenance", headers: { Authorization: "Bearer {{secret:WRONG_TOKEN}}" }, expect: "[BODY].error == none" }"#
        try workspace.write("shop.json5", schedule([site], receiver, windows: #""w": { targets: ["site"], start: "+1s", duration: "2s", channels: ["ops"] },"#,
                                                   healthTimeout: "2s", extraHealth: admin))
        var environment = workspace.environment
        environment["WRONG_TOKEN"] = wrong
        let check = try ChildProcess(Repository.binary, ["check", "site"], environment: environment, directory: workspace.directory)
        check.process.waitUntilExit()
        #expect(check.process.terminationStatus == 1)
        #expect(check.stdout.contains("[secret:WRONG_TOKEN]"), "\(check.stdout)")
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: environment, directory: workspace.directory)
        #expect(try workspace.waitForWindow("w", in: ["degraded"], timeout: 40) == "degraded")
        #expect(waitUntil(timeout: 20) { receiver.received.contains { $0.event == "end" } })
        daemon.stop()
        var shown = check.stdout + check.stderr + daemon.stderr
        shown += try workspace.maint(["show", "w"]).stdout + workspace.maint(["show", "w", "--json"]).stdout + workspace.maint(["log"]).stdout
        let end = try #require(receiver.received.first { $0.event == "end" })
        shown += String(decoding: try JSONSerialization.data(withJSONObject: end.body), as: UTF8.self)
        #expect(shown.contains("[secret:WRONG_TOKEN]"))
        for secret in [wrong, String(wrong.prefix(8))] {
            #expect(!shown.contains(secret))
            for file in [workspace.database, workspace.database + "-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret")
            }
        }
    }

    /// Eight emergencies started at once with no daemon: one command switches at a time, the
    /// others follow and take over; every window goes active, then every one ends completed.
    @Test func concurrentEmergencyCommandsWithNoDaemonAllComplete() throws {
        let workspace = try Workspace()
        let sites = try (0..<8).map { try DemoSite(name: "site\($0)", directory: workspace.directory) }
        let receiver = try WebhookReceiver(directory: workspace.directory)
        try workspace.write("shop.json5", schedule(sites, receiver, healthTimeout: "10s"))
        let starts = try sites.map { site in
            try ChildProcess(Repository.binary, ["now", site.name, "--message", "emergency"], environment: workspace.environment, directory: workspace.directory)
        }
        for child in starts { child.process.waitUntilExit() }
        for (child, site) in zip(starts, sites) {
            #expect(child.process.terminationStatus == 0, "\(site.name): \(child.stdout) \(child.stderr)")
            #expect(!child.stdout.contains("the daemon (pid"), "a sibling command was called the daemon: \(child.stdout)")
            #expect(site.maintenanceEnabled == true)
        }
        let windows = try #require(try workspace.json(["ls"]) as? [[String: Any]])
        #expect(windows.count == 8)
        #expect(windows.allSatisfy { $0["state"] as? String == "active" })
        let ends = try windows.compactMap { $0["id"] as? String }.map { id in
            try ChildProcess(Repository.binary, ["end", id], environment: workspace.environment, directory: workspace.directory)
        }
        for child in ends { child.process.waitUntilExit() }
        for child in ends { #expect(child.process.terminationStatus == 0, "\(child.stdout) \(child.stderr)") }
        let after = try #require(try workspace.json(["ls", "--all"]) as? [[String: Any]])
        #expect(after.count == 8)
        #expect(after.allSatisfy { $0["state"] as? String == "completed" }, "\(after.map { $0["state"] ?? "" })")
        for site in sites { #expect(site.maintenanceEnabled == false) }
    }

    /// Commands that open a new database all at once: switching the file to WAL answers "busy"
    /// at once to all but one (no busy handler), and each must wait its turn, not fail with a
    /// raw database error. (Threads of one process do not show it: SQLite's locks are per process.)
    @Test func commandsOpeningANewDatabaseTogetherAllSucceed() throws {
        let workspace = try Workspace()
        try workspace.write("empty.json5", "{}")
        for round in 0..<10 {
            var environment = workspace.environment
            environment["MAINT_DB"] = workspace.directory.appendingPathComponent("round\(round)/maint.db").path
            let commands = try (0..<16).map { _ in try ChildProcess(Repository.binary, ["status"], environment: environment, directory: workspace.directory) }
            for command in commands { command.process.waitUntilExit() }
            for command in commands {
                #expect(command.process.terminationStatus == 0, "round \(round): \(command.stderr)")
            }
        }
    }

    /// Random command lines built from hostile values (a fixed seed, so a failure repeats): every
    /// one ends with an exit code of the contract, none with a signal, none with a raw database error.
    @Test func randomHostileCommandLinesNeverCrash() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", schedule([site], receiver))
        let planned = try workspace.add(["site", "--at", "+2d", "--for", "1h"])
        let values = ["300000000-01-01 00:00", "9000000000000000000-01-01 00:00", "-9223372036854775808", "9223372036854775807",
                      "999999999d", "+999999999d", "0s", "-1h", "", "-", "--", "now", "+1h", "2026-02-30 10:00", "9999-12-31 23:59",
                      "0001-01-01 00:00", "1h,1h", "10m,600s", "a\nb", "x\u{2028}y", String(repeating: "é", count: 5_000),
                      "{{secret:X}}", "{{message", "tag:", "tag:shop", "site", planned, "Europe/Nowhere", "UTC", "24h,1h", "1e308", "NaN"]
        let commands: [(String, [String])] = [
            ("ls", ["--from", "--to"]), ("add", ["--at", "--for", "--until", "--notice", "--message", "--timezone", "--headline"]),
            ("extend", ["--by", "--until"]), ("update", ["--message"]), ("show", []), ("cancel", []), ("plan", ["--duration", "--within", "--count"]),
            ("preview", ["--event", "--channel"]), ("page", []), ("validate", []), ("export", []), ("status", []), ("log", []),
        ]
        var random = SplitMix64(seed: 0x6d61696e74)
        for round in 0..<400 {
            let (command, options) = random.pick(commands)
            var arguments = [command]
            if random.chance(50) { arguments.append(random.pick(["site", planned, random.pick(values)])) }
            for option in options where random.chance(67) {
                arguments += [option, random.pick(values)]
            }
            let result = try workspace.maint(arguments, timeout: 30)
            #expect([0, 1, 2, 65, 69, 75].contains(result.status), "round \(round): \(arguments) exited \(result.status): \(result.stderr)")
            #expect(!result.stderr.contains("database error") && !result.stderr.contains("constraint"), "round \(round): \(arguments): \(result.stderr)")
        }
    }

    func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("\(executable) \(arguments) exited \(process.terminationStatus)") }
    }
}
