import Foundation
import MaintCore
import MaintEngine
import MaintHTTP
import MaintNet
import MaintStore
import MaintSystem
import Synchronization

/// The control API's endpoints (SPEC "Control API"). In the daemon each request is read on its
/// connection's thread, what needs the engine or the database runs on the scheduler loop, and
/// slow reads of targets happen back on the connection's thread. A CLI with no daemon to ask
/// runs the same endpoints in its own process, so every command has one implementation.
public struct ControlAPI: Sendable {
    let access: any EngineAccess
    /// The daemon's pid, shown by `/v1/status`; nil in a CLI process.
    let daemonPID: pid_t?
    /// Reads the schedule files (`POST /v1/reload`); nil where nothing runs a schedule.
    let readFiles: (@Sendable () throws(ScheduleIssues) -> Schedule)?
    /// Rung as events are written: `GET /v1/events?follow=1` waits on it. Nil where nothing runs.
    let bell: EventBell?
    /// The bearer tokens a request over TCP must show.
    let tokens: AccessTokens

    public init(access: any EngineAccess, daemonPID: pid_t?, readFiles: (@Sendable () throws(ScheduleIssues) -> Schedule)? = nil,
                bell: EventBell? = nil, tokens: AccessTokens = AccessTokens()) {
        self.access = access
        self.daemonPID = daemonPID
        self.readFiles = readFiles
        self.bell = bell
        self.tokens = tokens
    }

    public func handle(_ request: ControlRequest) -> ControlResponse {
        let actor: Actor
        switch caller(of: request) {
        case .refused(let answer): return answer
        case .allowed(let who): actor = who
        }
        // The three documents outside /v1, each read with GET.
        let documents: [String: () -> ControlResponse] = [
            "/metrics": metrics, "/": page, "/calendar.ics": { calendar(ifNoneMatch: request.headers["if-none-match"]) },
        ]
        if let document = documents[request.path] {
            return request.method == "GET" ? document() : Self.error(405, "method-not-allowed", "\(request.path) takes GET")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "v1" else { return Self.notFound(request) }
        let form = WindowAnswerForm(prefer: request.headers["prefer"])
        switch (request.method, Array(parts.dropFirst())) {
        case ("GET", ["status"]): return status(request.query)
        case ("GET", ["events"]): return events(request.query)
        case ("POST", ["reload"]): return reload(actor: actor)
        case ("GET", ["windows"]): return list(request.query)
        case ("GET", ["plan"]): return plan(request.query)
        case ("POST", let path) where path.count == 3 && path[0] == "targets" && path[2] == "check": return check(path[1])
        case ("POST", ["windows"]): return create(request.body, emergency: false, actor: actor, key: request.headers["idempotency-key"], form: form)
        case ("POST", ["windows", "now"]): return create(request.body, emergency: true, actor: actor, key: request.headers["idempotency-key"], form: form)
        case ("GET", let path) where path.count == 2 && path[0] == "windows": return window(path[1])
        case ("GET", let path) where path.count == 2 && path[0] == "deliveries": return delivery(path[1])
        case ("POST", let path) where path.count == 3 && path[0] == "deliveries" && path[2] == "retry":
            let id = path[1]
            return answer(200) { engine in
                try engine.retryDelivery(id, now: Date(), by: actor)
                engine.databaseChanged()
                return try Self.deliveryJSON(id, engine.store)
            }
        case ("POST", let path) where path.count == 3 && path[0] == "windows" && path[2] == "skip":
            let id = path[1]
            return answer(200, form: form) { engine in
                try engine.skipOccurrence(id, now: Date(), by: actor)
                engine.databaseChanged()
                return try form.json(id, store: engine.store)
            }
        case ("POST", let path) where path.count == 3 && path[0] == "windows": return change(path[1], path[2], request.body, actor: actor, form: form)
        case ("GET", let path) where path.count == 2 && path[0] == "series": return series(path[1])
        case ("POST", let path) where path.count == 3 && path[0] == "series" && path[2] == "cancel":
            let name = path[1]
            return answer(200) { engine in
                let canceled = try engine.cancelSeries(name, now: Date(), by: actor)
                engine.databaseChanged()
                return .object(["series": .string(name), "canceled": .array(canceled.map(JSONValue.string)),
                                "note": .string("\(name) is still defined in the schedule files: occurrences after the stored ones are planned as they come, unless it is removed from there")])
            }
        default:
            let known = ["status", "events", "windows", "series", "reload", "deliveries", "plan", "targets"].contains(parts.dropFirst().first ?? "")
            return known ? Self.error(405, "method-not-allowed", "\(request.method) \(request.path) is not an endpoint; see docs/api.md")
                         : Self.notFound(request)
        }
    }

    enum Caller {
        case allowed(Actor)
        case refused(ControlResponse)
    }

    /// Who asks: the uid the kernel vouches for on the Unix socket; over TCP, the bearer token
    /// shown (GET needs a read token, anything else a write token), except for the public page.
    func caller(of request: ControlRequest) -> Caller {
        guard request.overNetwork else { return .allowed(request.peerUID.map(Actor.socket) ?? .commandLine) }
        if request.path == "/" && request.method == "GET" && tokens.statusIsPublic { return .allowed(Actor(via: "the public page", name: nil, origin: .api)) }
        // Calendar clients cannot send headers: the feed also takes `?token=`.
        let presented = request.headers["authorization"] ?? (request.path == "/calendar.ics" ? request.query["token"].map { "Bearer " + $0 } : nil)
        switch tokens.check(authorization: presented, needs: request.method == "GET" ? .read : .write) {
        case .unknown:
            var answer = Self.error(401, "unauthorized", "this needs Authorization: Bearer TOKEN, with a token of the api section")
            answer.headers.append(("WWW-Authenticate", "Bearer"))
            return .refused(answer)
        case .tooNarrow(let name):
            return .refused(Self.error(403, "forbidden", "the token \(Quoted(name)) may read, not change; use a write token"))
        case .allowed(let name):
            return .allowed(.token(name))
        }
    }

    // MARK: Endpoints

    /// `?format=text&zone=ZONE`: the table `maint status` prints, drawn here, so that the CLI
    /// does not decode a large report only to draw it (10,000 targets are megabytes of JSON).
    func status(_ query: [String: String]) -> ControlResponse {
        var zone: TimeZone?
        switch query["format"] {
        case nil, "json"?:
            break
        case "text"?:
            guard let found = TimeZone(identifier: query["zone"] ?? TimeZone.current.identifier) else {
                return Self.error(400, "invalid-parameter", "zone: \(Quoted(query["zone"] ?? "")) is not an IANA time zone")
            }
            zone = found
        case let other?:
            return Self.error(400, "invalid-parameter", "format: \(Quoted(other)) is not one of json, text")
        }
        switch access.read({ view in try StatusReport(store: view.store, schedule: view.schedule, secrets: view.secrets) }) {
        case .failure(let error): return Self.failure(error)
        case .success(let report):
            // The drivers' reads are requests to the targets: sent here, not on the loop.
            let value = report.json(actual: report.probe?.read() ?? [:], daemon: daemonPID)
            guard let zone else { return Self.json(200, value) }
            return ControlResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                   body: Data((StatusText.render(value, zone: zone) + "\n").utf8))
        }
    }

    /// The files are read here, on the caller's thread (a large schedule takes seconds); the loop
    /// only puts the result in force. Errors leave the running schedule as it was.
    func reload(actor: Actor) -> ControlResponse {
        guard let readFiles else { return Self.error(409, "no-daemon", "no daemon is running; each command reads the files itself") }
        // Handed to the loop, not kept here: once the engine let go of what it does not keep,
        // nothing on this thread holds the read, and the loop can give its memory back.
        let read: Handoff<Schedule>
        do {
            read = Handoff(try readFiles())
        } catch {
            let count = error.issues.count
            _ = access.run { engine in engine.reloadRefused(errors: count, now: Date(), by: actor) }
            let answer = Self.error(422, "invalid-schedule", "\(error.issues.count) error(s) in the schedule files; the running schedule stays in force")
            guard case .object(var object)? = answer.value as? JSONValue else { return answer }
            object["errors"] = .array(error.issues.map {
                .object(["file": .string($0.file), "line": .number(Double($0.line)), "column": .number(Double($0.column)),
                         "path": .string($0.path), "message": .string($0.message)])
            })
            return Self.json(422, .object(object))
        }
        let now = Date()
        return answer(200) { engine in
            guard let schedule = read.take() else { throw CommandRefusal(.state, "this reload was already put in force") }
            let summary = try engine.reload(to: schedule, now: now, by: actor)
            let list = { (names: [String]) in JSONValue.array(names.map(JSONValue.string)) }
            return .object(["changed": .object([
                "targetsAdded": list(summary.targetsAdded), "targetsRemoved": list(summary.targetsRemoved),
                "channelsAdded": list(summary.channelsAdded), "channelsRemoved": list(summary.channelsRemoved),
                "windowsAdded": list(summary.windowsAdded), "windowsRemoved": list(summary.windowsRemoved),
            ]), "summary": .string(summary.description)])
        }
    }

    /// `GET /v1/plan?targets=a,tag:b&duration=2h&within=14d&count=3`, as `maint plan` takes them.
    func plan(_ query: [String: String]) -> ControlResponse {
        var problems: [(path: String, message: String)] = []
        let selectors = (query["targets"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if selectors.isEmpty { problems.append(("targets", "name at least one target (a name or tag:NAME), comma-separated")) }
        func duration(_ key: String, _ fallback: String?, limit: Int64) -> Int64? {
            guard let text = query[key] ?? fallback else {
                problems.append((key, "required: a duration such as 2h"))
                return nil
            }
            guard let milliseconds = DurationText.parse(text), milliseconds > 0, milliseconds <= limit else {
                problems.append((key, "\(Quoted(text)) is not a duration up to \(DurationText.format(limit))"))
                return nil
            }
            return milliseconds
        }
        let length = duration("duration", nil, limit: 366 * 86_400_000)
        let within = duration("within", "14d", limit: 366 * 86_400_000)
        let count = Int(query["count"] ?? "3")
        if count.map({ !(1...100).contains($0) }) ?? true { problems.append(("count", "a number from 1 to 100")) }
        guard problems.isEmpty, let length, let within, let count else {
            return Self.error(400, "invalid", "the query has \(problems.count) error(s)", fields: problems)
        }
        return answer(200) { engine in
            let (targets, outcome) = try engine.planSlots(selectors, duration: Double(length) / 1000, within: Double(within) / 1000, count: count, now: Date())
            var answer = PlanJSON.json(targets: targets, outcome: outcome)
            // Fewer than asked for: say why, rather than leave the caller to guess.
            if case .slots(let slots) = outcome, slots.count < count, case .object(var fields) = answer {
                fields["note"] = .string("only \(slots.count) of the \(count) slots asked for: there is one per free stretch in which every target is off-peak, and \(slots.count == 1 ? "one fits" : "\(slots.count) fit") within \(DurationText.format(within)); --within longer looks further ahead")
                answer = .object(fields)
            }
            return answer
        }
    }

    /// `POST /v1/targets/{name}/check` (a name or `tag:NAME`): built on the loop, sent from here.
    func check(_ selector: String) -> ControlResponse {
        switch access.run({ engine in Result { try engine.checkPlan([selector], now: Date()) } }) {
        case nil: return Self.unavailable
        case .failure(let error)?: return Self.failure(error)
        case .success(let plan)?: return Self.json(200, CheckJSON.json(plan.run()))
        }
    }

    func list(_ query: [String: String]) -> ControlResponse {
        let now = Date()
        let list: WindowList
        do {
            list = try WindowList(query: query, now: now)
        } catch {
            return Self.error(400, "invalid", "the query has \(error.fields.count) error(s)", fields: error.fields)
        }
        // The daemon keeps the recurring definitions; every one-off one is stored.
        return reading(200) { view in try list.json(store: view.store, schedule: view.schedule, now: now) }
    }

    /// The iCalendar feed of `maint export --ics`, with an ETag of its bytes: a client that
    /// asks again with `If-None-Match` is told 304 when nothing changed.
    func calendar(ifNoneMatch: String?) -> ControlResponse {
        switch access.read({ view in try CalendarFeed(store: view.store, schedule: view.schedule).render() }) {
        case .failure(let error): return Self.failure(error)
        case .success(let feed):
            let body = Data(feed.utf8)
            let tag = "\"" + HMACSHA256.authenticate(body, key: Data("maint calendar".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
            let headers = [("ETag", tag), ("Cache-Control", "no-cache")]
            if let ifNoneMatch, ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag || $0 == "*" }) {
                return ControlResponse(status: 304, headers: headers)
            }
            return ControlResponse(status: 200, headers: [("Content-Type", "text/calendar; charset=utf-8")] + headers, body: body)
        }
    }

    func page() -> ControlResponse {
        switch access.read({ view in try StatusPage(store: view.store, now: Date()) }) {
        case .failure(let error): return Self.failure(error)
        case .success(let page):
            return ControlResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("X-Content-Type-Options", "nosniff"),
                                                          ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
                                                          ("Cache-Control", "no-cache")],
                                   body: Data(page.html.utf8))
        }
    }

    func metrics() -> ControlResponse {
        switch access.read({ view in try MetricsText(view) }) {
        case .failure(let error): return Self.failure(error)
        case .success(let metrics):
            let text = metrics.render(actual: metrics.probe?.read() ?? [:])
            return ControlResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Data(text.utf8))
        }
    }

    func window(_ id: String) -> ControlResponse {
        reading(200) { view in
            guard let report = try WindowReport.json(id, store: view.store) else { throw CommandRefusal(.notFound, "no window \(Quoted(id))") }
            return report
        }
    }

    /// `GET /v1/series/{name}`: a recurring window as a whole: its rule, and its stored
    /// occurrences (the window list's shape), earliest first.
    func series(_ name: String) -> ControlResponse {
        reading(200) { view in
            let occurrences = try view.store.occurrences(ofSeries: name)
            guard !occurrences.isEmpty || view.schedule.windows[name]?.recurrence != nil else {
                throw CommandRefusal(.notFound, "no recurring window \(Quoted(name))")
            }
            let definition = view.schedule.windows[name]
            return .object([
                "name": .string(name),
                "recurrence": definition?.recurrence.map { .string($0.source) } ?? .null,
                "file": definition.map { .string($0.file) } ?? .null,
                "occurrences": .array(try occurrences.map { WindowJSON.window($0, targets: try view.store.targets(of: $0.id)) }),
            ])
        }
    }

    func delivery(_ id: String) -> ControlResponse {
        reading(200) { view in try Self.deliveryJSON(id, view.store) }
    }

    static func deliveryJSON(_ id: String, _ store: MaintenanceStore) throws -> JSONValue {
        guard let delivery = try store.delivery(id) else { throw CommandRefusal(.notFound, "no delivery \(Quoted(id))") }
        return WindowJSON.delivery(delivery)
    }

    func events(_ query: [String: String]) -> ControlResponse {
        var after: Int64 = 0
        if let text = query["after"] {
            guard let number = Int64(text), number >= 0 else { return Self.error(400, "invalid", "after=\(text): not an event id", fields: [("after", "not a whole number")]) }
            after = number
        }
        let window = query["window"], start = after
        let access = self.access
        let read = { @Sendable (after: Int64) -> Result<[EventRecord], any Error> in
            access.read { view in
                if let window, try view.store.window(window) == nil { throw CommandRefusal(.notFound, "no window \(Quoted(window))") }
                return try view.store.events(window: window, after: after)
            }
        }
        guard query["follow"].map({ $0 == "" || $0 == "1" || $0 == "true" }) == true else {
            switch read(start) {
            case .failure(let error): return Self.failure(error)
            case .success(let events): return Self.json(200, .array(events.map(WindowJSON.event)))
            }
        }
        guard let bell else { return Self.error(409, "no-daemon", "only a running daemon can follow the event log") }
        // Newline-delimited JSON: what is there, then each event as it is written. A blank line
        // every 25 s of quiet lets a caller that went away be noticed.
        let backlog: [EventRecord]
        switch read(start) {
        case .failure(let error): return Self.failure(error)
        case .success(let events): backlog = events
        }
        let lines = { @Sendable (events: [EventRecord]) in Data(events.map { WindowJSON.event($0).serialized() + "\n" }.joined().utf8) }
        let last = Mutex(backlog.last?.id ?? start)
        let stream = { @Sendable () -> Data? in
            let seen = last.withLock { $0 }
            switch bell.wait(after: seen, timeout: 25) {
            case .closed: return nil
            case .timedOut: return Data("\n".utf8)
            case .rang:
                guard case .success(let events) = read(seen) else { return nil }
                if let newest = events.last?.id { last.withLock { $0 = newest } }
                // Events of other windows rang the bell too: nothing of ours is a quiet moment.
                return events.isEmpty ? Data("\n".utf8) : lines(events)
            }
        }
        return ControlResponse(status: 200, headers: [("Content-Type", "application/x-ndjson")], body: lines(backlog), stream: stream)
    }

    /// A key is kept a day: a CI job that retries within it gets the same window back.
    static let idempotencyLifetime: Int64 = 86_400_000

    func create(_ body: Data, emergency: Bool, actor: Actor, key: String?, form: WindowAnswerForm) -> ControlResponse {
        let now = Date()
        let request: WindowRequest
        do {
            request = emergency ? try WindowRequest.emergency(body, now: now) : try WindowRequest.planned(body, now: now)
        } catch {
            return Self.error(422, "invalid", "the request has \(error.fields.count) error(s)", fields: error.fields)
        }
        if let key, key.isEmpty || key.count > 255 {
            return Self.error(400, "invalid", "Idempotency-Key is 1 to 255 characters", fields: [("Idempotency-Key", "1 to 255 characters")])
        }
        // What the key stands for: the endpoint and the body, so that a key reused for another
        // request is refused rather than answered with the wrong window.
        let fingerprint = (emergency ? "now " : "plan ") + HMACSHA256.authenticate(body, key: Data("maint idempotency".utf8)).base64EncodedString()
        return answer(201, form: form) { engine in
            let nowMs = Engine.milliseconds(now)
            let id = try engine.store.transaction { () throws -> String in
                if let key, let earlier = try engine.store.idempotentWindow(key: key, since: nowMs - Self.idempotencyLifetime) {
                    guard earlier.request == fingerprint else {
                        throw CommandRefusal(.conflict, "the Idempotency-Key \(Quoted(key)) was used for another request in the last 24 hours")
                    }
                    return earlier.windowId
                }
                let id = try engine.addWindow(request, now: now, by: actor)
                if let key {
                    try engine.store.rememberIdempotencyKey(key, request: fingerprint, windowId: id, at: nowMs, forgetBefore: nowMs - Self.idempotencyLifetime)
                }
                return id
            }
            engine.databaseChanged()
            return try form.json(id, store: engine.store)
        }
    }

    func change(_ id: String, _ action: String, _ data: Data, actor: Actor, form: WindowAnswerForm) -> ControlResponse {
        let now = Date()
        var body: RequestBody
        let apply: @Sendable (Engine) throws -> Void
        switch action {
        case "end", "done", "cancel":
            body = RequestBody(data, allowed: [])
            apply = { engine in
                switch action {
                case "end": try engine.endWindow(id, now: now, by: actor)
                case "done": try engine.markDone(id, now: now, by: actor)
                default: try engine.cancelWindow(id, now: now, by: actor)
                }
            }
        case "extend":
            body = RequestBody(data, allowed: ["by", "until"])
            let by = body.duration("by")
            let untilText = body.string("until")
            if (by == nil) == (untilText == nil) { body.fail("by", "give by (a duration) or until (a time), one of them") }
            apply = { engine in
                guard let window = try engine.store.window(id) else { throw CommandRefusal(.notFound, "no window \(Quoted(id))") }
                let zone = TimeZone(identifier: window.timezone) ?? .current
                let end: Date
                if let by {
                    guard let current = window.endAt else { throw CommandRefusal(.input, "window \(id) has no end yet; give until (a time)") }
                    guard let date = TimeText.checked(Date(timeIntervalSince1970: Double(current + by) / 1000)) else {
                        throw CommandRefusal(.input, "the window would end after the year 9999")
                    }
                    end = date
                } else {
                    guard let text = untilText, let date = TimeText.parse(text, zone: zone, now: now) else {
                        throw CommandRefusal(.input, "until \(Quoted(untilText ?? "")) is not a time; \(TimeText.forms)")
                    }
                    end = date
                }
                try engine.extendWindow(id, until: end, now: now, by: actor)
            }
        case "update":
            body = RequestBody(data, allowed: ["message", "headline"])
            let message = body.string("message"), headline = body.string("headline")
            if message == nil && headline == nil { body.fail("message", "give message, headline or both") }
            for (key, text) in [("message", message), ("headline", headline)] where text?.isEmpty == true {
                body.fail(key, "must not be empty: it is what users see")
            }
            apply = { engine in try engine.updateMessage(id, message: message, headline: headline, now: now, by: actor) }
        default:
            return Self.error(404, "not-found", "no action \(Quoted(action)) on a window; the actions are end, done, cancel, extend and update")
        }
        do {
            try body.check()
        } catch {
            return Self.error(422, "invalid", "the request has \(error.fields.count) error(s)", fields: error.fields)
        }
        return answer(200, form: form) { engine in
            try apply(engine)
            engine.databaseChanged()
            return try form.json(id, store: engine.store)
        }
    }

    // MARK: Answers

    /// Reads with `work` (off the loop in the daemon) and answers with its JSON, or its error.
    func reading(_ status: Int, _ work: (ReadView) throws -> JSONValue) -> ControlResponse {
        switch access.read(work) {
        case .success(let value): return Self.json(status, value)
        case .failure(let error): return Self.failure(error)
        }
    }

    /// Runs `work` on the engine and answers with its JSON, or with the error it threw.
    /// `form`: the window in full, or as `Prefer: return=minimal` asked (and then said so).
    func answer(_ status: Int, form: WindowAnswerForm = .full, _ work: @escaping @Sendable (Engine) throws -> JSONValue) -> ControlResponse {
        switch access.run({ engine in Result { try work(engine) } }) {
        case nil: return Self.unavailable
        case .success(let value)?:
            var response = Self.json(status, value)
            if form == .minimal { response.headers.append(("Preference-Applied", "return=minimal")) }
            return response
        case .failure(let error)?: return Self.failure(error)
        }
    }

    static func failure(_ error: any Error) -> ControlResponse {
        // The database's own words, never its SQL; busy is worth another try.
        if let database = error as? SQLiteError {
            return database.isBusy ? Self.error(503, "busy", "the database is busy; try again")
                                   : Self.error(500, "database", "the database could not do it: \(database.message)")
        }
        guard let refusal = error as? CommandRefusal else {
            return Self.error(500, "internal", "\(error)")
        }
        switch refusal.kind {
        case .input: return Self.error(422, "invalid", refusal.description)
        case .notFound: return Self.error(404, "not-found", refusal.description)
        case .conflict: return Self.error(409, "conflict", refusal.description)
        case .state: return Self.error(409, "wrong-state", refusal.description)
        case .notReady: return Self.error(503, "not-ready", refusal.description)
        }
    }

    static func json(_ status: Int, _ value: JSONValue) -> ControlResponse {
        ControlResponse(status: status, headers: [("Content-Type", "application/json")], value: value) { Data((value.serialized() + "\n").utf8) }
    }

    /// SPEC's error shape: `{"error": {"code", "message", "fields": [{path, message}]}}`.
    static func error(_ status: Int, _ code: String, _ message: String, fields: [(path: String, message: String)] = []) -> ControlResponse {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if !fields.isEmpty {
            error["fields"] = .array(fields.map { .object(["path": .string($0.path), "message": .string($0.message)]) })
        }
        return json(status, .object(["error": .object(error)]))
    }

    static func notFound(_ request: ControlRequest) -> ControlResponse {
        error(404, "not-found", "no endpoint \(request.method) \(request.path); see docs/api.md")
    }

    static let unavailable = error(503, "unavailable", "the daemon is stopping or too busy to answer; try again")
}
