import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintHTTP
import MaintNet
import MaintStore
import MaintSystem
import Testing

/// The endpoints over a real engine and SQLite file, called in process (as a CLI with no daemon
/// does); the daemon's socket adds only the transport, covered by `ControlServerTests` and the
/// subprocess tests.
struct ControlAPITests {
    static let schedule = """
        { targets: {
            paris: { driver: "file", file: { path: "/nonexistent/maint-test/paris" }, timezone: "Europe/Paris", tags: ["eu"] },
            lyon: { driver: "file", file: { path: "/nonexistent/maint-test/lyon" }, timezone: "Europe/Paris", tags: ["eu"] },
          },
          windows: { later: { targets: ["lyon"], start: "2099-01-01 02:00", duration: "1h", timezone: "UTC" } } }
        """

    func api() throws -> (ControlAPI, Engine) {
        let now = Date()
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", Self.schedule)])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString)/maint.db").path
        let engine = try Engine(store: try MaintenanceStore(path: path), schedule: schedule, secrets: SecretSource(environment: [:]),
                                log: Log(environment: [:], threshold: .error), pool: TransferPool())
        try engine.sync(now: now)
        return (ControlAPI(access: DirectAccess(engine), daemonPID: 4242), engine)
    }

    func call(_ api: ControlAPI, _ method: String, _ path: String, _ body: String = "", uid: Int64? = nil) throws -> (Int, JSONValue) {
        let response = api.handle(ControlRequest(method: method, target: path, body: Data(body.utf8), peerUID: uid))
        return (response.status, try JSONValue.parseJSON(response.body))
    }

    func fields(_ answer: JSONValue) -> [String: String] {
        var fields: [String: String] = [:]
        for field in answer["error"]?["fields"]?.arrayValue ?? [] {
            fields[field["path"]?.stringValue ?? ""] = field["message"]?.stringValue
        }
        return fields
    }

    @Test func aPlannedWindowIsCreatedAndItsCallerRecorded() throws {
        let (api, engine) = try api()
        let (status, window) = try call(api, "POST", "/v1/windows",
                                        #"{"targets": ["paris"], "start": "2098-05-01T02:00:00Z", "duration": "90m", "notices": ["24h"], "message": "db upgrade", "page": {"bypassUrl": "https://status.example.com", "buttonText": "Status"}}"#,
                                        uid: 0)
        #expect(status == 201)
        let id = try #require(window["id"]?.stringValue)
        #expect(window["state"] == .string("scheduled"))
        #expect(window["origin"] == .string("api"))
        #expect(window["end"] == .string("2098-05-01T03:30:00.000Z"))
        #expect(window["notices"]?.arrayValue?.first?["offset"] == .string("24h"), "as people write it")
        #expect(window["targets"]?.arrayValue?.first?["name"] == .string("paris"))
        #expect(try engine.store.window(id)?.page == PageFields(bypassUrl: "https://status.example.com", buttonText: "Status"))
        let event = try #require(try engine.store.events(window: id).first)
        #expect(event.actor == "uid 0 (root)" || event.actor == "uid 0")
        #expect(event.message.contains("from the control API"))
        // And it is read back the same way.
        let (readStatus, read) = try call(api, "GET", "/v1/windows/\(id)")
        #expect(readStatus == 200)
        #expect(read["id"] == .string(id))
    }

    /// The table `maint status` prints, drawn by the daemon, in the zone asked for; the same as
    /// drawn from the JSON report.
    @Test func theStatusIsAlsoItsTableInAZone() throws {
        let (api, _) = try api()
        let text = api.handle(ControlRequest(method: "GET", target: "/v1/status?format=text&zone=America%2FNew_York", body: Data(), peerUID: 0))
        #expect(text.status == 200 && text.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/plain") })
        let (_, report) = try call(api, "GET", "/v1/status", uid: 0)
        let expected = StatusText.render(report, zone: try #require(TimeZone(identifier: "America/New_York")))
        #expect(String(decoding: text.body, as: UTF8.self) == expected + "\n")
        #expect(expected.contains("lyon") && expected.contains("later at 2098-12-31 21:00 EST"), "\(expected)")
        #expect(try call(api, "GET", "/v1/status?format=xml", uid: 0).0 == 400)
        #expect(try call(api, "GET", "/v1/status?format=text&zone=Mars%2FOlympus", uid: 0).0 == 400)
    }

    @Test func everyFieldErrorIsListedWithItsPath() throws {
        let (api, engine) = try api()
        let before = try engine.store.windowIds(includeFinished: true, from: nil, through: nil).count
        let (status, answer) = try call(api, "POST", "/v1/windows",
                                        #"{"targets": [3], "start": "soon", "duration": "long", "timezone": "Mars/Olympus", "colour": "red", "page": {"bypassUrl": "javascript:alert(1)", "x": "y"}}"#)
        #expect(status == 422)
        #expect(answer["error"]?["code"] == .string("invalid"))
        let problems = fields(answer)
        #expect(problems["targets[0]"] == "expected a string, got a number")
        #expect(problems["start"]?.hasPrefix("\"soon\" is not a time") == true)
        #expect(problems["duration"]?.hasPrefix("\"long\" is not a duration") == true)
        #expect(problems["timezone"]?.contains("not an IANA time zone") == true)
        #expect(problems["colour"]?.hasPrefix("unknown field") == true)
        #expect(problems["page.bypassUrl"] == "not an http or https URL")
        #expect(problems["page.x"]?.hasPrefix("unknown field") == true)
        #expect(try call(api, "POST", "/v1/windows", "[1]").1["error"]?["fields"]?.arrayValue?.first?["path"] == .string("(body)"))
        #expect(try engine.store.windowIds(includeFinished: true, from: nil, through: nil).count == before, "nothing was stored")
    }

    @Test func refusalsHaveTheStatusOfTheirKind() throws {
        let (api, _) = try api()
        // An unknown target: the request is wrong in itself.
        let (unknown, unknownAnswer) = try call(api, "POST", "/v1/windows", #"{"targets": "nice", "start": "2098-05-01T02:00:00Z", "duration": "1h"}"#)
        #expect(unknown == 422)
        #expect(unknownAnswer["error"]?["message"]?.stringValue?.contains("no target is named \"nice\"") == true)
        let (_, typoAnswer) = try call(api, "POST", "/v1/windows", #"{"targets": ["pariss"], "start": "2098-05-01T02:00:00Z", "duration": "1h"}"#)
        #expect(typoAnswer["error"]?["message"]?.stringValue == "no target is named \"pariss\"; did you mean \"paris\"?")
        // Over the file's window on lyon: a conflict, which force overrides.
        let overlap = #"{"targets": "tag:eu", "start": "2099-01-01T02:30:00Z", "duration": "1h"}"#
        let (conflict, conflictAnswer) = try call(api, "POST", "/v1/windows", overlap)
        #expect(conflict == 409)
        #expect(conflictAnswer["error"]?["code"] == .string("conflict"))
        #expect(conflictAnswer["error"]?["message"]?.stringValue?.contains("overlaps window later") == true)
        let forced = overlap.replacingOccurrences(of: "}", with: #", "force": true}"#)
        #expect(try call(api, "POST", "/v1/windows", forced).0 == 201)
        // No such window; a window in the wrong state; no such action.
        #expect(try call(api, "GET", "/v1/windows/nope").0 == 404)
        #expect(try call(api, "POST", "/v1/windows/nope/end").0 == 404)
        let (state, stateAnswer) = try call(api, "POST", "/v1/windows/later/end")
        #expect(state == 409)
        #expect(stateAnswer["error"]?["code"] == .string("wrong-state"))
        #expect(try call(api, "POST", "/v1/windows/later/explode").0 == 404)
        #expect(try call(api, "GET", "/v2/status").0 == 404)
        #expect(try call(api, "DELETE", "/v1/windows/later").0 == 405)
    }

    @Test func aWindowIsExtendedCanceledAndItsEventsFollowed() throws {
        let (api, _) = try api()
        let (extended, window) = try call(api, "POST", "/v1/windows/later/extend", #"{"by": "30m"}"#, uid: 1000)
        #expect(extended == 200)
        #expect(window["end"] == .string("2099-01-01T03:30:00.000Z"))
        #expect(try call(api, "POST", "/v1/windows/later/extend", #"{"by": "30m", "until": "2099-01-01 05:00"}"#).0 == 422)
        let (updated, renamed) = try call(api, "POST", "/v1/windows/later/update", #"{"headline": "Storage move"}"#)
        #expect(updated == 200)
        #expect(renamed["headline"] == .string("Storage move") && renamed["message"] != .string(""))
        #expect(try call(api, "POST", "/v1/windows/later/update", "{}").0 == 422)
        #expect(try call(api, "POST", "/v1/windows/later/extend", #"{"by": "30m"}"#, uid: 1000).0 == 200)
        let (_, events) = try call(api, "GET", "/v1/events?window=later")
        let last = try #require(events.arrayValue?.last)
        #expect(last["kind"] == .string("window.extended"))
        #expect(last["actor"]?.stringValue?.hasPrefix("uid 1000") == true)
        guard case .number(let mark)? = last["id"] else { Issue.record("no event id"); return }
        let (canceled, closed) = try call(api, "POST", "/v1/windows/later/cancel")
        #expect(canceled == 200)
        #expect(closed["state"] == .string("canceled"))
        let (_, after) = try call(api, "GET", "/v1/events?window=later&after=\(Int(mark))")
        #expect(after.arrayValue?.map { $0["kind"]?.stringValue ?? "" }.contains("window.canceled") == true)
        #expect(after.arrayValue?.contains { $0["kind"] == .string("window.extended") } == false, "only what came after the mark")
        #expect(try call(api, "GET", "/v1/events?after=x").0 == 400)
    }

    /// `Prefer: return=minimal` (RFC 7240): a window made or changed is answered with its id and
    /// state, and the answer says the preference was applied; without it, the whole window.
    @Test func aCallerThatPrefersAMinimalAnswerGetsTheIdAndState() throws {
        let (api, _) = try api()
        func call(_ path: String, _ body: String, prefer: String?) -> ControlResponse {
            var request = ControlRequest(method: "POST", target: path, body: Data(body.utf8))
            if let prefer { request.headers["prefer"] = prefer }
            return api.handle(request)
        }
        let created = call("/v1/windows", #"{"targets": ["paris"], "start": "2098-05-01T02:00:00Z", "duration": "1h"}"#, prefer: "return=minimal")
        #expect(created.status == 201)
        let window = try JSONValue.parseJSON(created.body)
        let id = try #require(window["id"]?.stringValue)
        #expect(window == .object(["id": .string(id), "state": .string("scheduled")]))
        #expect(created.headers.contains { $0.name == "Preference-Applied" && $0.value == "return=minimal" })
        // Among other preferences, with a parameter, in another case: still minimal.
        let extended = call("/v1/windows/\(id)/extend", #"{"by": "30m"}"#, prefer: "respond-async, RETURN=\"minimal\"; x=1")
        #expect(try JSONValue.parseJSON(extended.body) == .object(["id": .string(id), "state": .string("scheduled")]))
        // Not asked for: the whole window, its targets and timeline.
        for prefer in [nil, "return=representation", "return=minimalist"] {
            let full = call("/v1/windows/\(id)/extend", #"{"by": "30m"}"#, prefer: prefer)
            #expect(try JSONValue.parseJSON(full.body)["targets"]?.arrayValue?.count == 1, "\(prefer ?? "none")")
            #expect(!full.headers.contains { $0.name == "Preference-Applied" })
        }
        let canceled = call("/v1/windows/\(id)/cancel", "", prefer: "return=minimal")
        #expect(try JSONValue.parseJSON(canceled.body) == .object(["id": .string(id), "state": .string("canceled")]))
        // A refusal is the usual error, whatever was preferred.
        let refused = call("/v1/windows/nosuch/end", "", prefer: "return=minimal")
        #expect(refused.status == 404)
        #expect(try JSONValue.parseJSON(refused.body)["error"]?["code"] == .string("not-found"))
    }

    @Test func aDeadDeliveryIsSentAgainOnRequestAndADeliveredOneIsNot() throws {
        let (api, engine) = try api()
        try engine.store.enqueue(DeliveryRecord(id: "d-1", channel: "ops", event: .scheduled, windowId: "later", body: "{}", state: .dead,
                                                attempts: 8, maxAttempts: 8, nextAttemptAt: 0, lastError: "HTTP 500", createdAt: 0, deliveredAt: nil))
        let (status, delivery) = try call(api, "POST", "/v1/deliveries/d-1/retry", uid: 0)
        #expect(status == 200)
        #expect(delivery["state"] == .string("pending"))
        #expect(delivery["attempts"] == .number(0))
        #expect(try engine.store.events(window: "later").last?.kind == "delivery.retry")
        #expect(try call(api, "GET", "/v1/deliveries/d-1").1["id"] == .string("d-1"))
        #expect(try call(api, "POST", "/v1/deliveries/d-2/retry").0 == 404)
        var delivered = try #require(try engine.store.delivery("d-1"))
        delivered.state = .delivered
        try engine.store.saveDelivery(delivered)
        #expect(try call(api, "POST", "/v1/deliveries/d-1/retry").1["error"]?["code"] == .string("wrong-state"))
    }

    @Test func windowsAreListedAPageAtATimeAndFiltered() throws {
        let (api, _) = try api()
        for day in 1...3 {
            #expect(try call(api, "POST", "/v1/windows", #"{"targets": "paris", "start": "2098-05-0\#(day)T02:00:00Z", "duration": "1h"}"#).0 == 201)
        }
        let (status, first) = try call(api, "GET", "/v1/windows?limit=2")
        #expect(status == 200)
        #expect(first["total"] == .number(4))
        #expect(first["windows"]?.arrayValue?.count == 2)
        #expect(first["nextCursor"] == .string("2"))
        let (_, second) = try call(api, "GET", "/v1/windows?limit=2&cursor=2")
        let ids = (first["windows"]?.arrayValue ?? []) + (second["windows"]?.arrayValue ?? [])
        #expect(Set(ids.compactMap { $0["id"]?.stringValue }).count == 4, "the two pages hold all four, once each")
        #expect(ids.last?["id"] == .string("later"), "earliest first: the file's window of 2099 last")
        #expect(second["nextCursor"] == .null)
        #expect(try call(api, "GET", "/v1/windows?target=lyon").1["windows"]?.arrayValue?.map { $0["id"] } == [.string("later")])
        #expect(try call(api, "GET", "/v1/windows?state=canceled").1["total"] == .number(0))
        let (bad, answer) = try call(api, "GET", "/v1/windows?state=sleeping&limit=0")
        #expect(bad == 400)
        #expect(Set(fields(answer).keys) == ["state", "limit"])
    }

    /// Over TCP (as the daemon's network listener marks requests) a bearer token is needed, and
    /// a write token to change anything; the token's name is the actor.
    @Test func overTheNetworkATokenOfTheRightScopeIsNeeded() throws {
        let (_, engine) = try api()
        let tokens = AccessTokens()
        let config = try #require(try ScheduleLoader().load(sources: [("api.json5", #"""
            { api: { listen: "127.0.0.1:8470", tokens: { ci: { token: "{{secret:CI}}", scope: "write" }, grafana: { token: "{{secret:RO}}", scope: "read" },
                                                         lost: { token: "{{secret:UNSET}}", scope: "write" } } } }
            """#)]).api)
        #expect(tokens.update(config, secrets: SecretSource(environment: ["CI": "ci-token-1", "RO": "ro-token-2"])) == ["lost"])
        let api = ControlAPI(access: DirectAccess(engine), daemonPID: nil, tokens: tokens)
        func send(_ method: String, _ path: String, token: String?) -> ControlResponse {
            var request = ControlRequest(method: method, target: path, body: Data(#"{"by": "5m"}"#.utf8))
            request.overNetwork = true
            if let token { request.headers["authorization"] = "Bearer \(token)" }
            return api.handle(request)
        }
        let missing = send("GET", "/v1/status", token: nil)
        #expect(missing.status == 401)
        #expect(missing.headers.contains { $0.name == "WWW-Authenticate" && $0.value == "Bearer" })
        #expect(send("GET", "/v1/status", token: "ci-token-") .status == 401, "a prefix of a token is no token")
        #expect(send("GET", "/v1/status", token: "").status == 401)
        #expect(send("GET", "/v1/status", token: "ro-token-2").status == 200)
        #expect(send("POST", "/v1/windows/later/extend", token: "ro-token-2").status == 403)
        #expect(send("POST", "/v1/windows/later/extend", token: "ci-token-1").status == 200)
        #expect(try engine.store.events(window: "later").last?.actor == "token ci")
    }

    @Test func theCalendarIsServedWithAnETagAndNotSentAgainWhenUnchanged() throws {
        let (api, _) = try api()
        let first = api.handle(ControlRequest(method: "GET", target: "/calendar.ics"))
        #expect(first.status == 200)
        #expect(first.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/calendar") })
        let feed = String(decoding: first.body, as: UTF8.self)
        #expect(feed.hasPrefix("BEGIN:VCALENDAR") && feed.contains("later"))
        let tag = try #require(first.headers.first { $0.name == "ETag" }?.value)
        var again = ControlRequest(method: "GET", target: "/calendar.ics")
        again.headers["if-none-match"] = tag
        let unchanged = api.handle(again)
        #expect(unchanged.status == 304)
        #expect(unchanged.body.isEmpty)
        #expect(try call(api, "POST", "/v1/windows", #"{"targets": "paris", "start": "2098-05-01T02:00:00Z", "duration": "1h"}"#).0 == 201)
        let changed = api.handle(again)
        #expect(changed.status == 200, "a new window, a new feed")
        #expect(changed.headers.first { $0.name == "ETag" }?.value != tag)
    }

    @Test func aCalendarClientMayShowItsReadTokenInTheQuery() throws {
        let (_, engine) = try api()
        let tokens = AccessTokens()
        let config = try #require(try ScheduleLoader().load(sources: [("api.json5", #"""
            { api: { listen: "127.0.0.1:8470", tokens: { cal: { token: "{{secret:CAL}}", scope: "read" } } } }
            """#)]).api)
        tokens.update(config, secrets: SecretSource(environment: ["CAL": "calendar-token-9"]))
        let api = ControlAPI(access: DirectAccess(engine), daemonPID: nil, tokens: tokens)
        func get(_ target: String) -> Int {
            var request = ControlRequest(method: "GET", target: target)
            request.overNetwork = true
            return api.handle(request).status
        }
        #expect(get("/calendar.ics?token=calendar-token-9") == 200)
        #expect(get("/calendar.ics?token=wrong") == 401)
        #expect(get("/v1/status?token=calendar-token-9") == 401, "only the calendar takes it in the query")
    }

    /// A CI job that retries its request gets the window it created, not a second one.
    @Test func anIdempotencyKeyCreatesOneWindowAndRefusesAnotherRequest() throws {
        let (api, engine) = try api()
        func post(_ body: String, key: String?) throws -> (Int, JSONValue) {
            var request = ControlRequest(method: "POST", target: "/v1/windows/now", body: Data(body.utf8))
            if let key { request.headers["idempotency-key"] = key }
            let response = api.handle(request)
            return (response.status, try JSONValue.parseJSON(response.body))
        }
        let body = #"{"targets": "paris", "message": "deploy 41", "duration": "10m"}"#
        let (first, window) = try post(body, key: "job-41")
        #expect(first == 201)
        let (again, same) = try post(body, key: "job-41")
        #expect(again == 201)
        #expect(same["id"] == window["id"], "the same window back")
        #expect(try engine.store.windowIds(includeFinished: true).count == 2, "the file's window and one more, not two")
        let (reused, refusal) = try post(#"{"targets": "lyon", "message": "deploy 42", "duration": "10m"}"#, key: "job-41")
        #expect(reused == 409)
        #expect(refusal["error"]?["message"]?.stringValue?.contains("used for another request") == true)
        #expect(try post(body, key: nil).0 == 201, "no key, no promise: a second window")
        #expect(try post(body, key: "").0 == 400)
    }

    @Test func thePageOfMaintenanceEscapesEveryFieldAndIsPublicOnlyWhenSaid() throws {
        let (_, engine) = try api()
        let tokens = AccessTokens()
        let api = ControlAPI(access: DirectAccess(engine), daemonPID: nil, tokens: tokens)
        let hostile = #"{"targets": "paris", "message": "<script>alert(1)</script> & \"quotes\"", "headline": "<b>Outage</b>"}"#
        #expect(api.handle(ControlRequest(method: "POST", target: "/v1/windows/now", body: Data(hostile.utf8))).status == 201)
        let page = api.handle(ControlRequest(method: "GET", target: "/"))
        #expect(page.status == 200)
        #expect(page.headers.contains { $0.name == "Content-Security-Policy" && $0.value.hasPrefix("default-src 'none'") })
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("&lt;b&gt;Outage&lt;/b&gt;") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(!html.contains("<script") && !html.contains("<b>"), "nothing of the window's text is markup")
        #expect(html.contains("2099-01-01 02:00"), "the planned window of the file is listed")
        var remote = ControlRequest(method: "GET", target: "/")
        remote.overNetwork = true
        #expect(api.handle(remote).status == 401, "not public unless the files say so")
        tokens.update(try ScheduleLoader().load(sources: [("api.json5", #"{ api: { listen: "127.0.0.1:8470", publicStatus: true } }"#)]).api,
                      secrets: SecretSource(environment: [:]))
        #expect(api.handle(remote).status == 200)
        var other = ControlRequest(method: "GET", target: "/v1/status")
        other.overNetwork = true
        #expect(api.handle(other).status == 401, "only the page is public")
    }

    @Test func slotsArePlannedAndChecksRunAsTheCommandsDoThem() throws {
        let (api, _) = try api()
        let (status, plan) = try call(api, "GET", "/v1/plan?targets=tag:eu&duration=2h&within=3d&count=2")
        #expect(status == 200)
        let slots = plan["slots"]?.arrayValue ?? []
        #expect(slots.count == 1, "no off-peak hours: the whole stretch is free, one slot at its start")
        #expect(slots.first?["targets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["lyon", "paris"])
        #expect(slots.first?["targets"]?.arrayValue?.first?["timezone"] == .string("Europe/Paris"))
        let (bad, answer) = try call(api, "GET", "/v1/plan?duration=forever&count=500")
        #expect(bad == 400)
        #expect(Set(fields(answer).keys) == ["targets", "duration", "count"])
        #expect(try call(api, "GET", "/v1/plan?targets=nice&duration=1h").0 == 422)

        let (checked, results) = try call(api, "POST", "/v1/targets/tag:eu/check")
        #expect(checked == 200)
        #expect(results.arrayValue?.map { $0["target"] } == [.string("lyon"), .string("paris")])
        #expect(results.arrayValue?.allSatisfy { $0["ok"] == .bool(true) && $0["checks"] == .array([]) } == true, "no checks defined: nothing fails")
        #expect(try call(api, "POST", "/v1/targets/nowhere/check").0 == 404)
    }

    @Test func statusNamesTheDaemonAndEveryTarget() throws {
        let (api, _) = try api()
        let (status, report) = try call(api, "GET", "/v1/status")
        #expect(status == 200)
        #expect(report["daemon"]?["pid"] == .number(4242))
        #expect(report["targets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["lyon", "paris"])
        let lyon = report["targets"]?.arrayValue?.first
        #expect(lyon?["nextWindow"]?["id"] == .string("later"))
        #expect(lyon?["actual"]?["inMaintenance"] == .bool(false), "the file driver reads the flag: absent")
    }
}
