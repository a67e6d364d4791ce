import Foundation
import MaintCore
import Testing

/// Each driver read from a schedule file and asked what to do, with no request, program, file or
/// socket: the work it builds, what a result means, when it looks again, what extend and update need.
struct DriverDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)
    static let end = now.addingTimeInterval(3_600)
    static let secrets = SecretSource(environment: ["TOKEN": "tok-123", "AM_TOKEN": "am-456"])

    /// The driver of the one target a file defines.
    static func driver(_ target: String) throws -> any Driver {
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", "{ targets: { t: { \(target) } } }")])
        return try #require(schedule.targets["t"]).driver
    }

    static func context(driverState: String? = nil, end: Date? = end) -> DriverContext {
        DriverContext(values: ["message": "Back at 03:00 \"soon\"", "headline": "Upgrade", "end.local": "03:00 CET", "window.id": "w1",
                               "target": "t", "end": end == nil ? "" : "2030-03-17T18:46:40Z"],
                      secrets: secrets, headline: "Upgrade", message: "Back at 03:00 \"soon\"",
                      page: PageFields(buttonText: "Status"), end: end, driverState: driverState, now: now)
    }

    static func response(_ status: Int, _ body: String = "") -> DriverResult {
        .response(HTTPResponse(status: status, body: Data(body.utf8), elapsedMilliseconds: 3))
    }

    @Test func everyDriverIsFoundByItsNameAndNoTwoShareOne() {
        let names = DriverRegistry.kinds.map { $0.name }
        #expect(Set(names).count == names.count)
        #expect(Set(names) == ["http", "file", "command", "haproxy", "alertmanager"])
    }

    @Test func aKeyOfAnotherDriverIsNamedAsSuch() throws {
        let error = #expect(throws: ScheduleIssues.self) {
            try ScheduleLoader().load(sources: [("s.json5", #"{ targets: { t: { driver: "file", file: { path: "/tmp/f" }, activate: { url: "https://x.example" } } } }"#)])
        }
        let issue = try #require(error?.issues.first)
        #expect(issue.path == "targets.t.activate")
        #expect(issue.message == "\"activate\" is for the http and command driver, not file")
    }

    /// Targets that send the same body share it (laid out once); each still sends its own, and a
    /// target whose body differs in one member sends that body, whatever the order they are read in.
    @Test func targetsWithTheSameBodySendItAndTheOthersTheirOwn() throws {
        let bodies = [#"{ on: true, text: "{{message}}" }"#, #"{ on: true, text: "{{headline}}" }"#, #"{ on: false, text: "{{message}}" }"#]
        var targets: [String] = []
        for index in 0..<30 {
            let body = bodies[index % 7 == 3 ? 1 : index % 5 == 4 ? 2 : 0]
            targets.append(#"t\#(index): { driver: "http", activate: { url: "https://s\#(index).example/m", json: \#(body) }, deactivate: { url: "https://s\#(index).example/m" } }"#)
        }
        let schedule = try ScheduleLoader(now: Self.now).load(sources: [("s.json5", "{ targets: { \(targets.joined(separator: ", ")) } }")])
        for index in 0..<30 {
            let driver = try #require(schedule.targets["t\(index)"]).driver
            guard case .request(let request) = try driver.switchWork(activate: true, Self.context()) else { Issue.record("not a request"); return }
            let expected = index % 7 == 3 ? #"{"on":true,"text":"Upgrade"}"# : index % 5 == 4 ? #"{"on":false,"text":"Back at 03:00 \"soon\""}"#
                : #"{"on":true,"text":"Back at 03:00 \"soon\""}"#
            #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == expected, "t\(index)")
            #expect(request.url == "https://s\(index).example/m")
        }
    }

    @Test func httpSendsItsTemplatedRequestAndJudgesTheStatus() throws {
        let driver = try Self.driver("""
            driver: "http",
            activate: { url: "https://shop.example/m", headers: { Authorization: "Bearer {{secret:TOKEN}}" }, json: { on: true, text: "{{message}}" }, expect: [200, 204] },
            deactivate: { method: "DELETE", url: "https://shop.example/m" },
            """)
        guard case .request(let request) = try driver.switchWork(activate: true, Self.context()) else { Issue.record("not a request"); return }
        #expect(request.method == "POST")
        #expect(request.url == "https://shop.example/m")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer tok-123" })
        let body = try JSONValue.parseJSON(try #require(request.body))
        #expect(body["text"]?.stringValue == "Back at 03:00 \"soon\"")
        #expect(driver.outcome(activate: true, Self.response(204)) == .success("HTTP 204"))
        #expect(driver.outcome(activate: true, Self.response(500, "busy")) == .failure("HTTP 500: busy"))
        #expect(driver.outcome(activate: true, .failed("connection refused")) == .failure("connection refused"))
        guard case .request(let off) = try driver.switchWork(activate: false, Self.context()) else { Issue.record("not a request"); return }
        #expect(off.method == "DELETE")
        // Without a probe it cannot read the state, and is not looked at until the end.
        #expect(!driver.readsState)
        #expect(driver.look(openEnded: false, probeInterval: 60_000) == nil)
        #expect(WindowChange.allCases.allSatisfy(driver.refreshes(on:)))
        #expect(driver.retries(activate: true) == 5)
    }

    @Test func aMissingSecretIsAnErrorThatNamesItNotAValue() throws {
        let driver = try Self.driver("""
            driver: "http",
            activate: { url: "https://shop.example/m", headers: { Authorization: "Bearer {{secret:UNSET}}" } },
            deactivate: { url: "https://shop.example/m" },
            """)
        let error = #expect(throws: DriverError.self) { try driver.switchWork(activate: true, Self.context()) }
        #expect(error?.description.contains("UNSET") == true)
    }

    @Test func anHTTPProbeReadsTheStateWithItsCondition() throws {
        let driver = try Self.driver("""
            driver: "http",
            activate: { url: "https://shop.example/m" }, deactivate: { url: "https://shop.example/m" },
            probe: { url: "https://shop.example/state", expect: "[BODY].maintenance == true" },
            """)
        #expect(driver.readsState)
        #expect(driver.look(openEnded: false, probeInterval: 30_000) == .probe(after: 30_000))
        guard case .request(let request) = try driver.probeWork(Self.context()) else { Issue.record("not a request"); return }
        #expect(request.method == "GET" && request.url == "https://shop.example/state")
        #expect(driver.probeOutcome(Self.response(200, #"{"maintenance": true}"#)).inMaintenance == true)
        #expect(driver.probeOutcome(Self.response(200, #"{"maintenance": false}"#)).inMaintenance == false)
        #expect(driver.probeOutcome(.failed("timed out")) == ProbeReading(nil, "timed out"))
    }

    @Test func theFileDriverWritesThePageThenTheFlagAndRemovesThemInReverse() throws {
        let driver = try Self.driver("""
            driver: "file", file: { path: "/srv/maintenance.flag", page: "/srv/maintenance.html", content: "{{now.unix}} {{end}}", rearm: "5m" },
            """)
        guard case .files(.write(let writes)) = try driver.switchWork(activate: true, Self.context()) else { Issue.record("not a write"); return }
        #expect(writes.map(\.path) == ["/srv/maintenance.html", "/srv/maintenance.flag"])
        guard case .page(let page) = writes[0].content, case .text(let flag) = writes[1].content else { Issue.record("wrong contents"); return }
        #expect(page.headline == "Upgrade" && page.message == "Back at 03:00 \"soon\"" && page.backAt == "03:00 CET")
        #expect(page.page.buttonText == "Status")
        #expect(flag == "1900000000 2030-03-17T18:46:40Z")
        guard case .files(.remove(let removed)) = try driver.switchWork(activate: false, Self.context()) else { Issue.record("not a removal"); return }
        #expect(removed == ["/srv/maintenance.flag", "/srv/maintenance.html"])
        #expect(driver.outcome(activate: true, .written) == .success("flag /srv/maintenance.flag written"))
        #expect(driver.outcome(activate: false, .failed("cannot remove: Permission denied")) == .failure("cannot remove: Permission denied"))
        // A flag that expires is written again; the state is read from the flag.
        #expect(driver.look(openEnded: false, probeInterval: 60_000) == .rearm(after: 300_000))
        guard case .files(.exists(let path)) = try driver.probeWork(Self.context()) else { Issue.record("not a look"); return }
        #expect(path == "/srv/maintenance.flag")
        #expect(driver.probeOutcome(.exists(false)) == ProbeReading(false, "flag absent"))
    }

    @Test func aPlainFlagNeedsNothingOnExtendOrUpdate() throws {
        let driver = try Self.driver(#"driver: "file", file: { path: "/srv/flag" },"#)
        #expect(!WindowChange.allCases.contains(where: driver.refreshes(on:)))
        #expect(driver.look(openEnded: true, probeInterval: 60_000) == .probe(after: 60_000))
    }

    @Test func theCommandDriverRunsItsProgramWithTheWindowInTheEnvironment() throws {
        let driver = try Self.driver("""
            driver: "command",
            activate: { argv: ["php", "artisan", "down", "--secret={{secret:TOKEN}}"], env: { APP_ENV: "production" }, exitCodes: [0, 3], timeout: "30s" },
            deactivate: { argv: ["php", "artisan", "up"] },
            """)
        guard case .program(let run) = try driver.switchWork(activate: true, Self.context()) else { Issue.record("not a program"); return }
        #expect(run.argv == ["php", "artisan", "down", "--secret=tok-123"])
        #expect(run.environment["MAINT_MESSAGE"] == "Back at 03:00 \"soon\"")
        #expect(run.environment["MAINT_ACTION"] == "activate")
        #expect(run.environment["APP_ENV"] == "production")
        #expect(run.timeoutMilliseconds == 30_000)
        #expect(driver.outcome(activate: true, .exited(ProgramExit(status: 3, timedOut: false, stderr: ""))) == .success("exit 3"))
        #expect(driver.outcome(activate: true, .exited(ProgramExit(status: 1, timedOut: false, stderr: "no artisan"))) == .failure("exit 1; stderr: no artisan"))
        #expect(driver.outcome(activate: true, .exited(ProgramExit(status: -1, timedOut: true, stderr: ""))) == .failure("timed out after 30s"))
        #expect(driver.outcome(activate: false, .failed("php: not found on PATH")) == .failure("php: not found on PATH"))
        #expect(!driver.readsState)
        #expect(driver.look(openEnded: true, probeInterval: 60_000) == nil)
    }

    static let serversState = """
        1
        # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state
        3 shop 1 web1 127.0.0.1 0 1
        3 shop 2 web2 127.0.0.1 0 8
        """

    @Test func haproxySetsTheServersAndChecksTheirStateAfter() throws {
        let driver = try Self.driver(#"driver: "haproxy", haproxy: { socket: "/run/haproxy/admin.sock", servers: ["shop/web1"] },"#)
        guard case .socket(let exchange) = try driver.switchWork(activate: true, Self.context()) else { Issue.record("not a socket"); return }
        #expect(exchange.address == "/run/haproxy/admin.sock")
        #expect(exchange.commands == ["set server shop/web1 state maint", "show servers state"])
        #expect(driver.outcome(activate: true, .answers(["\n", Self.serversState])) == .success("1 server(s) maint"))
        // Switched off, it must no longer be in maintenance.
        #expect(driver.outcome(activate: false, .answers(["", Self.serversState])) == .failure("shop/web1 is still in maintenance or drain after the command"))
        #expect(driver.outcome(activate: true, .answers(["No such server.", Self.serversState])) == .failure("HAProxy: No such server."))
        #expect(driver.probeOutcome(.answers([Self.serversState])) == ProbeReading(true, "all servers maint"))
        // Servers show neither the text nor the end: extend and update leave them alone.
        #expect(!WindowChange.allCases.contains(where: driver.refreshes(on:)))
    }

    @Test func haproxyInDrainModeReadsTheDrainFlag() throws {
        let driver = try Self.driver(#"driver: "haproxy", haproxy: { socket: "tcp://127.0.0.1:9999", servers: ["shop/web2"], mode: "drain" },"#)
        #expect(driver.outcome(activate: true, .answers(["", Self.serversState])) == .success("1 server(s) drain"))
        let missing = try Self.driver(#"driver: "haproxy", haproxy: { socket: "tcp://127.0.0.1:9999", servers: ["shop/web9"] },"#)
        #expect(missing.outcome(activate: true, .answers(["", Self.serversState])) == .failure("HAProxy does not list shop/web9"))
        #expect(missing.probeOutcome(.answers([Self.serversState])).inMaintenance == false)
    }

    @Test func alertmanagerCreatesUpdatesAndExpiresOneSilence() throws {
        let driver = try Self.driver("""
            driver: "alertmanager",
            alertmanager: { url: "http://127.0.0.1:9093/", matchers: ["instance=shop:443", "job=~node.*"], headers: { Authorization: "Bearer {{secret:AM_TOKEN}}" } },
            """)
        guard case .request(let create) = try driver.switchWork(activate: true, Self.context()) else { Issue.record("not a request"); return }
        #expect(create.method == "POST" && create.url == "http://127.0.0.1:9093/api/v2/silences")
        let body = try JSONValue.parseJSON(try #require(create.body))
        #expect(body["endsAt"]?.stringValue == TimeText.rfc3339(Self.end))
        guard case .array(let matchers)? = body["matchers"] else { Issue.record("no matchers"); return }
        #expect(matchers.count == 2)
        #expect(body["id"] == nil)
        #expect(driver.outcome(activate: true, Self.response(200, #"{"silenceID":"abc"}"#)) == .success("silence abc", keep: "abc"))
        #expect(driver.outcome(activate: true, Self.response(200, "{}")) == .failure("HTTP 200: {}"))
        // Told again (a new end), it updates the same silence.
        guard case .request(let update) = try driver.switchWork(activate: true, Self.context(driverState: "abc")) else { Issue.record("not a request"); return }
        #expect(try JSONValue.parseJSON(try #require(update.body))["id"]?.stringValue == "abc")
        guard case .request(let expire) = try driver.switchWork(activate: false, Self.context(driverState: "abc")) else { Issue.record("not a request"); return }
        #expect(expire.method == "DELETE" && expire.url == "http://127.0.0.1:9093/api/v2/silence/abc")
        #expect(driver.outcome(activate: false, Self.response(404)) == .success("silence expired (HTTP 404)"))
        // No silence was made: nothing to expire, and that is a success.
        guard case .known(let nothing) = try driver.switchWork(activate: false, Self.context()) else { Issue.record("not known"); return }
        #expect(driver.outcome(activate: false, nothing) == .success("no silence to expire"))
        // An open-ended window's silence lasts a day and is renewed an hour before it lapses.
        #expect(driver.look(openEnded: true, probeInterval: 60_000) == .rearm(after: 23 * 3_600_000))
        #expect(driver.look(openEnded: false, probeInterval: 60_000) == .probe(after: 60_000))
        #expect(driver.probeOutcome(Self.response(200, #"{"status":{"state":"expired"}}"#)) == ProbeReading(false, "silence expired"))
    }
}
