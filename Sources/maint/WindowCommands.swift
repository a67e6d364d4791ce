import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintNet
import MaintStore
import MaintSystem

/// `maint add`, `now`, `end`, `cancel`: write to the database, then let the daemon act, or,
/// with no daemon running, act here under the same lock.
enum WindowCommands {
    static func add(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard !arguments.positionals.isEmpty else { throw Failure(.usage, "name at least one TARGET (a name or tag:NAME)") }
        let zone = try timezone(arguments.value("--timezone"))
        let now = Date()
        guard let atText = arguments.value("--at") else { throw Failure(.usage, "--at TIME is required") }
        guard let start = TimeText.parse(atText, zone: zone, now: now) else {
            throw Failure(.usage, "--at \(Quoted(atText)): not a time; \(TimeText.forms) (local times in --timezone, default \(zone.identifier))")
        }
        let end = try end(arguments, start: start, zone: zone, now: now, required: true)
        var notices: [Int64] = []
        for text in (arguments.value("--notice") ?? "").split(separator: ",") {
            guard let milliseconds = DurationText.parse(String(text)), milliseconds > 0 else {
                throw Failure(.usage, "--notice \(Quoted(String(text))): not a duration such as 24h or 1h")
            }
            guard !notices.contains(milliseconds) else {
                throw Failure(.usage, "--notice \(Quoted(String(text))): given twice; each notice is sent once")
            }
            notices.append(milliseconds)
        }
        let request = WindowRequest(
            selectors: arguments.positionals, start: start, end: end,
            headline: arguments.value("--headline") ?? WindowRequest.plannedHeadline,
            message: arguments.value("--message") ?? WindowRequest.plannedMessage,
            notices: notices.sorted(by: >), channels: arguments.options["--channel"], timezone: zone, emergency: false,
            force: arguments.has("--force"))
        let door = try Door.open(session)
        let window = try door.send("POST", "/v1/windows", request.json, minimal: true, session: session)
        let id = window["id"]?.stringValue ?? "?"
        print("planned \(id): \(TimeText.local(start, zone: zone)) to \(end.map { TimeText.local($0, zone: zone) } ?? "open end")")
        if !door.isDaemon && session.wake()?.isDaemon != true { print("note: no daemon is running; start `maint daemon` so that the window happens") }
        return .success
    }

    static func now(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard !arguments.positionals.isEmpty else { throw Failure(.usage, "name at least one TARGET (a name or tag:NAME)") }
        guard let message = arguments.value("--message"), !message.isEmpty else { throw Failure(.usage, "--message M is required") }
        let now = Date()
        // The zone of `--until` and of the times shown (in announcements too).
        let zone = try timezone(arguments.value("--timezone"))
        let end = try end(arguments, start: now, zone: zone, now: now, required: false)
        let request = WindowRequest(selectors: arguments.positionals, start: now, end: end,
                                    headline: arguments.value("--headline") ?? WindowRequest.emergencyHeadline, message: message,
                                    notices: [], channels: arguments.options["--channel"], timezone: zone, emergency: true)
        let door = try Door.open(session)
        let id = try door.send("POST", "/v1/windows/now", request.json, minimal: true, session: session)["id"]?.stringValue ?? "?"
        print("emergency window \(id)" + (end.map { " until \(TimeText.local($0, zone: zone))" } ?? " (open-ended: `maint end \(id)` when fixed)"))
        // Until every target has settled: a target still being retried is followed to its end.
        let progress = try follow(session, door, window: id, after: 0, until: .settled)
        let failed = progress.targets.filter { $0.state == .failed }
        print("\(progress.state?.rawValue ?? "?"): \(progress.targets.count - failed.count) of \(progress.targets.count) target(s) in maintenance" + (failed.isEmpty ? "" : "; failed: \(failed.map(\.name).joined(separator: ", "))"))
        return failed.isEmpty && progress.state == .active ? .success : .partialFailure
    }

    static func end(_ session: Session) throws -> ExitCode {
        let id = try oneWindow(session)
        let door = try Door.open(session)
        let mark = try lastEvent(door, window: id, session: session)
        _ = try door.send("POST", path(id, "end"), minimal: true, session: session)
        let progress = try follow(session, door, window: id, after: mark, until: .over)
        // One write for a fleet's lines, not a locked print per target.
        print(progress.targets.map { "  \($0.name): \($0.state.rawValue)" + ($0.lastError.map { " (\($0))" } ?? "") + "\n" }.joined(), terminator: "")
        print("\(id): \(progress.state?.rawValue ?? "?")")
        // Over without switching anything (canceled, missed, skipped) is what ending asks for too.
        let fine: Set<WindowState> = [.completed, .canceled, .missed, .skipped]
        return progress.state.map(fine.contains) == true ? .success : .partialFailure
    }

    /// `maint cancel WINDOW`, or a recurring window's name: its stored occurrences still to come.
    static func cancel(_ session: Session) throws -> ExitCode {
        let id = try oneWindow(session)
        let door = try Door.open(session)
        let told = { door.isDaemon || session.wake()?.isDaemon == true }
        do {
            _ = try door.send("POST", path(id, "cancel"), minimal: true, session: session)
        } catch let failure as Failure where failure.status == 404 {
            let answer: JSONValue
            do {
                answer = try door.send("POST", "/v1/series/\(ControlClient.escape(id))/cancel", session: session)
            } catch let other as Failure where other.status == 404 {
                throw failure
            }
            let canceled = (answer["canceled"]?.arrayValue ?? []).compactMap(\.stringValue)
            print("canceled \(canceled.count) occurrence(s) of \(id)" + (canceled.isEmpty ? "" : ": " + canceled.joined(separator: ", "))
                  + (told() || canceled.isEmpty ? "" : "; the announcements are sent when the daemon runs"))
            if let note = answer["note"]?.stringValue { print("note: \(note)") }
            return .success
        }
        print("canceled \(id)" + (told() ? "" : "; the announcement is sent when the daemon runs"))
        return .success
    }

    /// `maint skip OCCURRENCE`: one occurrence of a recurring window is left out; the rest go on.
    static func skip(_ session: Session) throws -> ExitCode {
        let id = try oneWindow(session)
        let door = try Door.open(session)
        _ = try door.send("POST", path(id, "skip"), minimal: true, session: session)
        let told = door.isDaemon || session.wake()?.isDaemon == true
        print("skipped \(id); the series goes on" + (told ? "" : "; the announcement is sent when the daemon runs"))
        return .success
    }

    static func extend(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        let id = try oneWindow(session)
        let door = try Door.open(session)
        // The new end is worked out here, against the window as it is, so that a wrong option
        // is a usage error; the daemon is sent the instant.
        let current = try door.send("GET", "/v1/windows/\(ControlClient.escape(id))", session: session)
        let windowZone = current["timezone"]?.stringValue.flatMap(TimeZone.init(identifier:)) ?? .current
        let now = Date()
        let newEnd: Date
        switch (arguments.value("--by"), arguments.value("--until")) {
        case (let by?, nil):
            guard let milliseconds = DurationText.parse(by), milliseconds > 0 else { throw Failure(.usage, "--by \(Quoted(by)): not a duration such as 30m") }
            guard let end = current["end"]?.stringValue.flatMap(TimeText.parseRFC3339) else { throw Failure(.usage, "window \(id) has no end yet; give --until TIME") }
            guard let date = TimeText.checked(end.addingTimeInterval(Double(milliseconds) / 1000)) else {
                throw Failure(.usage, "--by \(Quoted(by)): the window would end after the year 9999")
            }
            newEnd = date
        case (nil, let until?):
            guard let date = TimeText.parse(until, zone: windowZone, now: now) else { throw Failure(.usage, "--until \(Quoted(until)): not a time; \(TimeText.forms)") }
            newEnd = date
        default:
            throw Failure(.usage, "give --by DURATION or --until TIME")
        }
        let mark = try lastEvent(door, window: id, session: session)
        let window = try door.send("POST", path(id, "extend"), .object(["until": .string(TimeText.stamp(newEnd) + "Z")]), session: session)
        let zone = window["timezone"]?.stringValue.flatMap(TimeZone.init(identifier:)) ?? .current
        let ends = window["end"]?.stringValue.flatMap(TimeText.parseRFC3339).map { TimeText.local($0, zone: zone) } ?? "?"
        print("\(id): ends \(ends)")
        return try tellTargets(session, door, window: window, since: mark)
    }

    static func update(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        let id = try oneWindow(session)
        var body: [String: JSONValue] = [:]
        for (option, key) in [("--message", "message"), ("--headline", "headline")] {
            guard let text = arguments.value(option) else { continue }
            guard !text.isEmpty else { throw Failure(.usage, "\(option) must not be empty: it is what users see") }
            body[key] = .string(text)
        }
        guard !body.isEmpty else { throw Failure(.usage, "give --message M, --headline H or both") }
        let door = try Door.open(session)
        let mark = try lastEvent(door, window: id, session: session)
        let window = try door.send("POST", path(id, "update"), .object(body), session: session)
        print("\(id): \(body.keys.sorted().joined(separator: " and ")) changed")
        return try tellTargets(session, door, window: window, since: mark)
    }

    /// After a change to a running window, follows its targets until each has been told.
    static func tellTargets(_ session: Session, _ door: Door, window: JSONValue, since mark: Int64) throws -> ExitCode {
        let id = window["id"]?.stringValue ?? ""
        // A window not started yet has nobody to tell; its announcement goes out with the next round.
        guard Progress(json: window).state != .scheduled else {
            if !door.isDaemon { session.wake() }
            return .success
        }
        _ = try follow(session, door, window: id, after: mark, until: .told)
        let events = try door.send("GET", "/v1/events?window=\(ControlClient.escape(id))&after=\(mark)", session: session).arrayValue ?? []
        return events.contains { $0["kind"]?.stringValue == "target.refresh-failed" } ? .partialFailure : .success
    }

    static func oneWindow(_ session: Session) throws(Failure) -> String {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else { throw Failure(.usage, "name one WINDOW") }
        return id
    }

    static func path(_ id: String, _ action: String) -> String { "/v1/windows/\(ControlClient.escape(id))/\(action)" }

    /// The id of the window's newest event, so that what follows a change can be told apart.
    static func lastEvent(_ door: Door, window id: String, session: Session) throws -> Int64 {
        // Here, one query, rather than every event of the window made into JSON for the last id.
        if case .here(_, _, _, let store) = door { return try store.lastEventId(window: id) }
        let events = try door.send("GET", "/v1/events?window=\(ControlClient.escape(id))", session: session).arrayValue ?? []
        if case .number(let last)? = events.last?["id"] { return Int64(last) }
        return 0
    }

    // MARK: Shared

    static func prepare(_ session: Session) throws -> (Engine, TransferPool, MaintenanceStore) {
        let schedule = try session.loadSchedule()
        let store = try session.openStore()
        let pool = TransferPool()
        let engine = try session.engine(schedule: schedule, store: store, pool: pool)
        return (engine, pool, store)
    }

    static func refusing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let refusal as CommandRefusal {
            throw Failure(refusal.kind == .state ? .usage : .invalidInput, refusal.description)
        }
    }

    static func timezone(_ name: String?) throws(Failure) -> TimeZone {
        guard let name else { return .current }
        guard let zone = TimeZone(identifier: name) else { throw Failure(.usage, "--timezone \(Quoted(name)): not an IANA time zone") }
        return zone
    }

    static func end(_ arguments: Arguments, start: Date, zone: TimeZone, now: Date, required: Bool) throws(Failure) -> Date? {
        if let text = arguments.value("--for") {
            guard let milliseconds = DurationText.parse(text), milliseconds > 0 else {
                throw Failure(.usage, "--for \(Quoted(text)): not a duration such as 90s, 45m or 2h30m")
            }
            if arguments.value("--until") != nil { throw Failure(.usage, "give --for or --until, not both") }
            guard let end = TimeText.checked(start.addingTimeInterval(Double(milliseconds) / 1000)) else {
                throw Failure(.usage, "--for \(Quoted(text)): the window would end after the year 9999")
            }
            return end
        }
        if let text = arguments.value("--until") {
            guard let date = TimeText.parse(text, zone: zone, now: now) else { throw Failure(.usage, "--until \(Quoted(text)): not a time; \(TimeText.forms)") }
            guard date > start else { throw Failure(.usage, "--until is not after the start") }
            return date
        }
        if required { throw Failure(.usage, "give --for DURATION or --until TIME") }
        return nil
    }

    /// Follows a window until it reaches `goal`, printing its events as they come:
    /// through the daemon if one runs (asking it every 200 ms), else here, holding the switching
    /// lock (see `Session.carryOut`).
    static func follow(_ session: Session, _ door: Door, window id: String, after mark: Int64, until goal: FollowGoal) throws -> Progress {
        let zone = try session.displayZone()
        switch door {
        case .daemon:
            var printed = mark
            while true {
                let report = try door.send("GET", "/v1/windows/\(ControlClient.escape(id))", session: session)
                for event in report["events"]?.arrayValue ?? [] {
                    guard case .number(let number)? = event["id"], Int64(number) > printed else { continue }
                    print(EventPrinter.line(event, zone: zone, showWindow: false))
                    printed = Int64(number)
                }
                fflush(nil)
                let progress = Progress(json: report)
                if goal.isReached(progress.state, targets: { progress.targets }) { return progress }
                usleep(200_000)
            }
        case .here(_, let engine, let pool, let store):
            var printer = EventPrinter()
            printer.zone = zone
            printer.window = id
            printer.lastId = mark
            // Handlers before the lock: while we hold it, other commands wake us with SIGUSR1.
            let runner = try Runner(engine: engine, pool: pool, log: session.log, signals: [SIGINT, SIGTERM, SIGUSR1])
            // Done, and each announcement it queued tried once (they are due at once), for at most
            // 10 s more: with no daemon, nothing else would send them.
            var doneAt: Date?
            try session.carryOut(runner: runner, until: {
                guard try goal.isReached(try store.window(id)?.state, targets: { Progress.targets(try store.targets(of: id)) }) else { return false }
                let since = doneAt ?? Date()
                doneAt = since
                let untried = try store.deliveries(window: id, state: .pending).filter { $0.attempts == 0 }
                return untried.isEmpty || Date().timeIntervalSince(since) > 10
            }, progress: { printer.printNew(from: store) })
            let waiting = try store.deliveries(window: id, state: .pending)
            if !waiting.isEmpty {
                print("\(waiting.count) announcement(s) of \(id) not delivered yet (\(waiting.map { "\($0.event.rawValue) to \($0.channel)" }.joined(separator: ", "))): they wait for the daemon; start `maint daemon` (or `systemctl start maint`) to send them")
            }
            return Progress(window: try store.window(id), targets: try store.targets(of: id))
        }
    }
}

extension WindowCommands {
    /// `maint done WINDOW`: end as soon as the health checks pass.
    static func done(_ session: Session) throws -> ExitCode {
        let id = try oneWindow(session)
        let door = try Door.open(session)
        let mark = try lastEvent(door, window: id, session: session)
        _ = try door.send("POST", path(id, "done"), minimal: true, session: session)
        print("\(id): ends as soon as its health checks pass")
        let progress = try follow(session, door, window: id, after: mark, until: .over)
        print("\(id): \(progress.state?.rawValue ?? "?")")
        return progress.state == .completed ? .success : .partialFailure
    }
}
