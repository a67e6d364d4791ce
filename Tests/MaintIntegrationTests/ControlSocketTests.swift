import Foundation
import MaintCore
import MaintNet
import Testing

/// The daemon's control socket, with the real binary: the CLI asks the daemon through it whenever
/// one runs, so only the daemon writes the database, whoever runs the CLI.
@Suite(.serialized)
struct ControlSocketTests {
    func socket(_ workspace: Workspace) -> String { workspace.database + ".sock" }

    @Test func theCLIAsksTheRunningDaemonThroughItsSocket() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", scheduleText([site], receiver: receiver))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        var info = stat()
        #expect(stat(socket(workspace), &info) == 0 && info.st_mode & 0o777 == 0o660, "the socket is there, mode 0660")

        let status = try workspace.maint(["status", "--json"])
        #expect(status.status == 0)
        let report = try JSONValue.parseJSON(Data(status.stdout.utf8))
        #expect(report["daemon"]?["pid"] == .number(Double(daemon.process.processIdentifier)))

        // `maint log -f` follows the daemon's stream: each event as it is written.
        let follower = try ChildProcess(Repository.binary, ["log", "-f", "--json"], environment: workspace.environment, directory: workspace.directory)
        defer { follower.stop(signal: SIGKILL) }
        #expect(waitUntil(timeout: 10) { follower.stdout.contains("daemon.started") }, "\(follower.stderr)")
        let now = try workspace.maint(["now", "site", "--for", "1h", "--message", "disk swap"])
        #expect(now.status == 0, "\(now.stdout) \(now.stderr)")
        #expect(!now.stdout.contains("switching from here"), "the daemon switched, not the command")
        #expect(site.maintenanceEnabled == true)
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        let events = try JSONValue.parseJSON(Data(try workspace.maint(["show", id, "--json"]).stdout.utf8))["events"]?.arrayValue ?? []
        let planned = try #require(events.first)
        #expect(planned["actor"]?.stringValue?.hasPrefix("uid \(getuid())") == true, "the caller's uid, as the kernel tells the daemon")
        #expect(planned["message"]?.stringValue?.contains("from the control API") == true)

        // A socket that nobody serves: the CLI says so instead of writing the database itself.
        let astray = try workspace.maint(["end", id], environment: ["MAINT_SOCKET": workspace.directory.appendingPathComponent("elsewhere.sock").path])
        #expect(astray.status == 69)
        #expect(astray.stderr.contains("does not answer on its control socket"), "\(astray.stderr)")
        #expect(site.maintenanceEnabled == true)

        let end = try workspace.maint(["end", id])
        #expect(end.status == 0, "\(end.stdout) \(end.stderr)")
        #expect(site.maintenanceEnabled == false)

        let followed = follower.stdout.split(separator: "\n").compactMap { try? JSONValue.parseJSON(Data($0.utf8)) }
        let kinds = followed.filter { $0["window"] == .string(id) }.compactMap { $0["kind"]?.stringValue }
        #expect(kinds.starts(with: ["window.planned", "window.activating"]), "\(kinds)")
        #expect(kinds.contains("window.end-requested") && kinds.contains("window.completed"), "\(kinds)")

        daemon.stop()
        #expect(waitUntil(timeout: 10) { !follower.process.isRunning }, "the stream ends when the daemon stops")
        #expect(!FileManager.default.fileExists(atPath: socket(workspace)), "the socket goes with the daemon")
        // With no daemon, the same commands work on the file itself.
        #expect(try workspace.maint(["status"]).stdout.contains("daemon: not running"))
        #expect(try workspace.maint(["show", id]).stdout.contains("[completed]"))
    }

    @Test func reloadSaysWhatChangedOrEveryErrorAndKeepsTheRunningSchedule() throws {
        let workspace = try Workspace()
        try workspace.write("a.json5", #"{ targets: { web: { driver: "file", file: { path: "/nonexistent/maint-test/web" } } } }"#)
        #expect(try workspace.maint(["reload"]).status == 69, "no daemon: nothing to reload")
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        try workspace.write("b.json5", #"{ targets: { api: { driver: "file", file: { path: "/nonexistent/maint-test/api" } } }, windows: { w: { targets: ["api"], start: "+1d", duration: "1h" } } }"#)
        let good = try workspace.maint(["reload"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("1 target(s) added: api; 1 window(s) added: w"), "\(good.stdout)")
        #expect(try workspace.maint(["show", "w"]).status == 0)

        let broken = #"{ windows: { x: { targets: ["ghost"], start: "+1d", duration: "1h" } } }"#
        try workspace.write("c.json5", broken)
        let bad = try workspace.maint(["reload"])
        #expect(bad.status == 65)
        let (line, column) = position(of: "\"ghost\"", in: broken)
        #expect(bad.stderr.contains("c.json5:\(line):\(column): windows.x.targets[0]: no target is named \"ghost\""), "\(bad.stderr)")
        #expect(bad.stderr.contains("the running schedule stays in force"))
        #expect(daemon.stderr.contains("reload rejected"))
        #expect(try workspace.maint(["show", "x"]).status == 65)
        let log = try workspace.maint(["log", "--json"])
        #expect(log.stdout.contains("schedule.reload-failed"))
    }

    /// A free TCP port on 127.0.0.1, as the kernel hands one out.
    func freePort() throws -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw FixtureError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func theAPIOnTCPWantsATokenAndKnowsWhoUsedIt() throws {
        let workspace = try Workspace()
        let port = try freePort()
        try workspace.write("a.json5", """
            { targets: { web: { driver: "file", file: { path: "\(workspace.directory.path)/web.flag" } } },
              api: { listen: "127.0.0.1:\(port)", tokens: { deploy: { token: "{{secret:DEPLOY_TOKEN}}", scope: "write" } } } }
            """)
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: workspace.environment.merging(["DEPLOY_TOKEN": "s3cr3t-deploy"]) { $1 },
                                      directory: workspace.directory)
        defer { daemon.stop() }
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("http://127.0.0.1:\(port)") }, "\(daemon.stderr)")
        func post(_ token: String?) throws -> HTTPResponse {
            let headers = token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
            return try #require(TransferPool().perform([HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/v1/windows/now", headers: headers,
                                                                     body: Data(#"{"targets": "web", "message": "deploy", "duration": "10m"}"#.utf8))]).first).get()
        }
        #expect(try post(nil).status == 401)
        #expect(try post("s3cr3t-deplo").status == 401)
        let created = try post("s3cr3t-deploy")
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(try JSONValue.parseJSON(created.body)["id"]?.stringValue)
        #expect(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: workspace.directory.path + "/web.flag") })
        let events = try JSONValue.parseJSON(Data(try workspace.maint(["show", id, "--json"]).stdout.utf8))["events"]?.arrayValue ?? []
        #expect(events.first?["actor"] == .string("token deploy"))
        #expect(!daemon.stderr.contains("s3cr3t-deploy"), "the token never reaches the log")
    }

    /// SPEC "Storage": the daemon as an unprivileged user, the CLI as root, and not one file in
    /// the state directory changes owner (a root-owned WAL file would lock the daemon out).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aRootCLIBesideAnUnprivilegedDaemonLeavesEveryFileTheDaemons() throws {
        let workspace = try Workspace()
        let state = workspace.directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let nobody: uid_t = 65534
        #expect(chown(state.path, nobody, gid_t(nobody)) == 0)
        #expect(chmod(workspace.directory.path, 0o755) == 0)
        let flag = state.appendingPathComponent("web.flag").path
        try workspace.write("a.json5", """
            { targets: { web: { driver: "file", file: { path: "\(flag)" } } },
              windows: { later: { targets: ["web"], start: "+2d", duration: "1h" } } }
            """)
        // The daemon's user reads the files whatever this process's umask made of them.
        #expect(chmod(workspace.config.path, 0o755) == 0 && chmod(workspace.config.appendingPathComponent("a.json5").path, 0o644) == 0)
        let daemon = try ChildProcess("/usr/bin/setpriv", ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", Repository.binary, "daemon"],
                                      environment: workspace.environment, directory: workspace.directory)
        defer { daemon.stop() }
        #expect(waitUntil(timeout: 10) { daemon.stderr.contains("maint daemon started") }, "\(daemon.stderr)")

        let now = try workspace.maint(["now", "web", "--for", "1h", "--message", "as root"])
        #expect(now.status == 0, "\(now.stdout) \(now.stderr)")
        #expect(FileManager.default.fileExists(atPath: flag))
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        for arguments in [["status"], ["show", id], ["update", id, "--message", "still root"], ["extend", id, "--by", "10m"], ["end", id],
                          ["add", "web", "--at", "+3d", "--for", "1h"], ["cancel", "later"], ["ls", "--all"]] {
            let result = try workspace.maint(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stdout) \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: flag))
        let show = try workspace.maint(["show", id, "--json"])
        let actors = (try JSONValue.parseJSON(Data(show.stdout.utf8))["events"]?.arrayValue ?? []).compactMap { $0["actor"]?.stringValue }
        #expect(actors.contains { $0.hasPrefix("uid 0") }, "root is named as who asked: \(actors)")
        let owners = try FileManager.default.contentsOfDirectory(atPath: state.path).map { name -> (String, uid_t) in
            var info = stat()
            _ = lstat(state.appendingPathComponent(name).path, &info)
            return (name, info.st_uid)
        }
        #expect(owners.count >= 3, "the database, its lock and its socket at least: \(owners)")
        #expect(owners.allSatisfy { $0.1 == nobody }, "every file is the daemon's: \(owners)")
    }
}
