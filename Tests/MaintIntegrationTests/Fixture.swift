import Foundation
import MaintCore
import MaintNet
import Testing

/// The repository and the built `maint` binary.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$MAINT_BIN`, else the `maint` built beside this test bundle.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["MAINT_BIN"] { return path }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [testBundle, testBundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("maint").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return root.appendingPathComponent(".build/debug/maint").path
    }

    static func script(_ name: String) -> String { root.appendingPathComponent("deploy/demo/\(name)").path }
}

/// A child process whose output goes to files, stopped when released.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: URL) throws {
        stdoutURL = directory.appendingPathComponent("\(UUID().uuidString).out")
        stderrURL = directory.appendingPathComponent("\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Whatever a child writes beside itself lands in the test's own directory.
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    deinit { stop(signal: SIGKILL) }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    func stop(signal: Int32 = SIGTERM) {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
        }
    }

    /// Waits for a line matching "listening on PORT" and returns the port.
    func listeningPort(timeout: Double = 10) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.contains("listening on ") }),
               let port = Int(line.split(separator: " ").last ?? "") {
                return port
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw FixtureError("no port from \(process.arguments ?? []): \(stderr)")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A demo site (deploy/demo/demo_site.py) on 127.0.0.1.
final class DemoSite: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    let name: String
    static let token = "site-admin-token-4711"

    /// `manager`: USER:PASSWORD of Haiilo's management API, which the site then speaks too.
    init(name: String, directory: URL, manager: String? = nil) throws {
        self.name = name
        child = try ChildProcess("/usr/bin/env", ["python3", Repository.script("demo_site.py"), "--port", "0", "--name", name, "--token", Self.token]
                                 + (manager.map { ["--manager", $0] } ?? []), directory: directory)
        port = try child.listeningPort()
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func get(_ path: String, admin: Bool = false) -> HTTPResponse? {
        let headers = admin ? [(name: "Authorization", value: "Bearer \(Self.token)")] : []
        return try? TransferPool().perform([HTTPRequest(method: "GET", url: base + path, headers: headers)]).first?.get()
    }

    func post(_ path: String, json: String) -> HTTPResponse? {
        try? TransferPool().perform([HTTPRequest(method: "POST", url: base + path, headers: [(name: "Authorization", value: "Bearer \(Self.token)"), (name: "Content-Type", value: "application/json")], body: Data(json.utf8))]).first?.get()
    }

    var maintenanceEnabled: Bool? {
        guard let response = get("/admin/api/maintenance", admin: true),
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else { return nil }
        return object["enabled"] as? Bool
    }

    /// Banners the site was given by a target's `notice` request.
    var banners: [String] {
        guard let response = get("/admin/api/banner", admin: true),
              let list = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else { return [] }
        return list.compactMap { $0["text"] as? String }
    }

    /// Maintenance calls the site received: arrival time, when it answered, enabled, the body.
    var calls: [(at: Date, done: Date, enabled: Bool, body: [String: Any])] {
        guard let response = get("/admin/api/requests", admin: true),
              let list = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else { return [] }
        return list.compactMap { item in
            guard let at = item["at"] as? Double, let done = item["done"] as? Double, let body = item["body"] as? [String: Any],
                  let enabled = body["enabled"] as? Bool else { return nil }
            return (Date(timeIntervalSince1970: at), Date(timeIntervalSince1970: done), enabled, body)
        }
    }

    /// A target definition for this site, in JSON5.
    func target(tags: [String], healthTimeout: String = "20s", extraHealth: String = "", retries: Int = 4, timezone: String = "Europe/Paris",
                banner: Bool = false) -> String {
        let notice = banner ? """
            notice: { method: "POST", url: "\(base)/admin/api/banner", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" },
                      json: { text: "{{headline}} at {{start.local}}" } },
            """ : ""
        return """
        "\(name)": {
          timezone: "\(timezone)", tags: [\(tags.map { "\"\($0)\"" }.joined(separator: ", "))], driver: "http",
          activate: { method: "POST", url: "\(base)/admin/api/maintenance",
                      headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" },
                      json: { enabled: true, headline: "{{headline}}", message: "{{message}}", url: "{{page.bypassUrl}}",
                              button: "{{page.buttonText}}", icon: "{{page.icon}}", retryAfter: "{{retryAfter}}" },
                      expect: [200], timeout: "5s", retries: \(retries) },
          deactivate: { method: "POST", url: "\(base)/admin/api/maintenance",
                        headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" }, json: { enabled: false }, retries: 4 },
          \(notice)
          health: [ { name: "home", url: "\(base)/", expect: "[STATUS] == 200 && [RESPONSE_TIME] < 2000" },
                    { name: "api", url: "\(base)/health", expect: "[BODY].status == ok" }\(extraHealth) ],
          healthTimeout: "\(healthTimeout)",
        },
        """
    }
}

/// What most daemon tests start from: a workspace, one demo site named `site`, and the webhook
/// receiver (held by the caller for the test's length).
func siteSetup() throws -> (Workspace, DemoSite, WebhookReceiver) {
    let workspace = try Workspace()
    return (workspace, try DemoSite(name: "site", directory: workspace.directory), try WebhookReceiver(directory: workspace.directory))
}

/// A schedule file over demo sites (tagged `shop`), with the receiver's `ops` channel if given.
func scheduleText(_ sites: [DemoSite], receiver: WebhookReceiver? = nil, windows: String = "", freezes: String = "",
                  healthTimeout: String = "20s", extraHealth: String = "") -> String {
    """
    {
      targets: {
    \(sites.map { $0.target(tags: ["shop"], healthTimeout: healthTimeout, extraHealth: extraHealth) }.joined(separator: "\n"))
      },
      channels: { \(receiver?.channel ?? "") },
      windows: { \(windows) },
      freezes: { \(freezes) },
    }
    """
}

/// The webhook receiver (deploy/demo/webhook_receiver.py).
final class WebhookReceiver: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    static let secret = "whsec_" + Data("receiver-signing-key-0123456789".utf8).base64EncodedString()

    init(directory: URL, failFirst: Int = 0) throws {
        child = try ChildProcess("/usr/bin/env", ["python3", Repository.script("webhook_receiver.py"), "--port", "0", "--secret", Self.secret, "--fail-first", String(failFirst)], directory: directory)
        port = try child.listeningPort()
    }

    var url: String { "http://127.0.0.1:\(port)/hooks" }

    struct Delivery {
        var path: String
        var id: String
        var event: String
        var signatureValid: Bool
        var answered: Int
        var body: [String: Any]
        /// When it arrived, in seconds since 1970.
        var at: Double
    }

    var received: [Delivery] {
        guard let response = try? TransferPool().perform([HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/received")]).first?.get(),
              let list = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else { return [] }
        return list.map {
            Delivery(path: $0["path"] as? String ?? "", id: $0["id"] as? String ?? "", event: $0["event"] as? String ?? "", signatureValid: $0["signatureValid"] as? Bool ?? false,
                     answered: $0["answered"] as? Int ?? 0, body: $0["body"] as? [String: Any] ?? [:], at: $0["at"] as? Double ?? 0)
        }
    }

    var channel: String {
        """
        ops: { type: "webhook", format: "json", url: "\(url)", secret: "{{secret:HOOK_SECRET}}", events: ["*"], timezone: "Europe/Paris", attempts: 8 },
        """
    }
}

/// A temporary directory with a schedule folder and a database, and the `maint` binary to run on them.
final class Workspace: @unchecked Sendable {
    let directory: URL
    var config: URL { directory.appendingPathComponent("schedules") }
    var database: String { directory.appendingPathComponent("state/maint.db").path }
    var environment: [String: String] {
        ["MAINT_CONFIG": config.path, "MAINT_DB": database, "SITE_TOKEN": DemoSite.token, "HOOK_SECRET": WebhookReceiver.secret, "TZ": "UTC"]
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("maint-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("schedules"), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: config.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `maint ARGS` to completion.
    func maint(_ arguments: [String], timeout: Double = 120, environment extra: [String: String] = [:]) throws -> Result {
        let child = try ChildProcess(Repository.binary, arguments, environment: environment.merging(extra) { $1 }, directory: directory)
        let deadline = Date().addingTimeInterval(timeout)
        while child.process.isRunning && Date() < deadline { usleep(20_000) }
        if child.process.isRunning { child.stop(signal: SIGKILL); throw FixtureError("maint \(arguments) timed out: \(child.stdout) \(child.stderr)") }
        child.process.waitUntilExit()
        return Result(status: child.process.terminationStatus, stdout: child.stdout, stderr: child.stderr)
    }

    func daemon() throws -> ChildProcess {
        try ChildProcess(Repository.binary, ["daemon"], environment: environment, directory: directory)
    }

    /// A daemon that has loaded the schedule and is waiting.
    func readyDaemon() throws -> ChildProcess {
        let daemon = try daemon()
        guard waitUntil(timeout: 10, { daemon.stderr.contains("maint daemon started") }) else {
            throw FixtureError("the daemon did not start: \(daemon.stderr)")
        }
        return daemon
    }

    /// `maint add …`, returning the id of the planned window ("planned ID: …").
    func add(_ arguments: [String]) throws -> String {
        let result = try maint(["add"] + arguments)
        guard result.status == 0, let word = result.stdout.split(separator: " ").dropFirst().first, word.hasSuffix(":") else {
            throw FixtureError("maint add \(arguments) exited \(result.status): \(result.stdout) \(result.stderr)")
        }
        return String(word.dropLast())
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try maint(arguments + ["--json"])
        guard result.status == 0 else { throw FixtureError("maint \(arguments) exited \(result.status): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func window(_ id: String) throws -> [String: Any] {
        (try json(["show", id]) as? [String: Any]) ?? [:]
    }

    /// Waits until the window reaches one of `states`, returning the last state seen.
    @discardableResult
    func waitForWindow(_ id: String, in states: Set<String>, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var state = ""
        while Date() < deadline {
            state = (try? window(id)["state"] as? String) ?? ""
            if states.contains(state) { return state }
            usleep(200_000)
        }
        return state
    }
}

func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}

func rfc3339(_ text: Any?) -> Date? {
    guard let text = text as? String else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}

/// Line and column (1-based) of the first occurrence of `token` in `text`.
func position(of token: String, in text: String) -> (Int, Int) {
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if let range = line.range(of: token) { return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1) }
    }
    return (0, 0)
}

/// A TCP port on 127.0.0.1 that was free a moment ago, for servers that cannot report their own.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FixtureError("socket: \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw FixtureError("bind: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GET with optional headers, through the project's own libcurl pool.
func httpGet(_ url: String, headers: [(name: String, value: String)] = []) -> MaintCore.HTTPResponse? {
    try? TransferPool().perform([HTTPRequest(method: "GET", url: url, headers: headers)]).first?.get()
}
