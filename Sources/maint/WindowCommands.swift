import Foundation
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
            headline: arguments.value("--headline") ?? "Scheduled maintenance",
            message: arguments.value("--message") ?? "This site is undergoing scheduled maintenance.",
            notices: notices.sorted(by: >), channels: arguments.options["--channel"], timezone: zone, emergency: false,
            force: arguments.has("--force"))
        let (engine, _, _) = try prepare(session)
        let id = try refusing { try engine.addWindow(request, now: now) }
        let woke = session.wake()?.isDaemon == true
        print("planned \(id): \(TimeText.local(start, zone: zone)) to \(end.map { TimeText.local($0, zone: zone) } ?? "open end")")
        if !woke { print("note: no daemon is running; start `maint daemon` so that the window happens") }
        return .success
    }

    static func now(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard !arguments.positionals.isEmpty else { throw Failure(.usage, "name at least one TARGET (a name or tag:NAME)") }
        guard let message = arguments.value("--message"), !message.isEmpty else { throw Failure(.usage, "--message M is required") }
        let now = Date()
        let end = try end(arguments, start: now, zone: .current, now: now, required: false)
        let request = WindowRequest(selectors: arguments.positionals, start: now, end: end,
                                    headline: arguments.value("--headline") ?? "Maintenance in progress", message: message,
                                    notices: [], channels: arguments.options["--channel"], timezone: .current, emergency: true)
        let (engine, pool, store) = try prepare(session)
        let id = try refusing { try engine.addWindow(request, now: now) }
        print("emergency window \(id)" + (end.map { " until \(TimeText.local($0, zone: .current))" } ?? " (open-ended: `maint end \(id)` when fixed)"))
        // Until every target has settled: a target still being retried is followed to its end.
        try drive(session, engine: engine, pool: pool, store: store, window: id) { window, targets in
            guard let window else { return true }
            return window.isTerminal || (window.state != .scheduled && window.state != .activating && !targets.contains { $0.state == .activating })
        }
        guard let window = try store.window(id) else { return .partialFailure }
        let targets = try store.targets(of: id)
        let failed = targets.filter { $0.state == .failed }
        print("\(window.state): \(targets.count - failed.count) of \(targets.count) target(s) in maintenance" + (failed.isEmpty ? "" : "; failed: \(failed.map(\.target).joined(separator: ", "))"))
        return failed.isEmpty && window.state == .active ? .success : .partialFailure
    }

    static func end(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else {
            throw Failure(.usage, "name one WINDOW")
        }
        let (engine, pool, store) = try prepare(session)
        try refusing { try engine.endWindow(id, now: Date()) }
        try drive(session, engine: engine, pool: pool, store: store, window: id) { window, _ in window?.isTerminal ?? true }
        guard let window = try store.window(id) else { return .partialFailure }
        for target in try store.targets(of: id) {
            print("  \(target.target): \(target.state)" + (target.lastError.map { " (\($0))" } ?? ""))
        }
        print("\(id): \(window.state)")
        return window.state == .completed ? .success : .partialFailure
    }

    static func cancel(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else {
            throw Failure(.usage, "name one WINDOW")
        }
        let (engine, _, _) = try prepare(session)
        try refusing { try engine.cancelWindow(id, now: Date()) }
        let woke = session.wake()?.isDaemon == true
        print("canceled \(id)" + (woke ? "" : "; the announcement is sent when the daemon runs"))
        return .success
    }

    static func extend(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard arguments.positionals.count == 1, let id = arguments.positionals.first else { throw Failure(.usage, "name one WINDOW") }
        let (engine, pool, store) = try prepare(session)
        guard let window = try store.window(id) else { throw Failure.noWindow(id) }
        let zone = TimeZone(identifier: window.timezone) ?? .current
        let now = Date()
        let newEnd: Date
        switch (arguments.value("--by"), arguments.value("--until")) {
        case (let by?, nil):
            guard let milliseconds = DurationText.parse(by), milliseconds > 0 else { throw Failure(.usage, "--by \(Quoted(by)): not a duration such as 30m") }
            guard let end = window.endAt else { throw Failure(.usage, "window \(id) has no end yet; give --until TIME") }
            guard let date = TimeText.checked(Date(timeIntervalSince1970: Double(end + milliseconds) / 1000)) else {
                throw Failure(.usage, "--by \(Quoted(by)): the window would end after the year 9999")
            }
            newEnd = date
        case (nil, let until?):
            guard let date = TimeText.parse(until, zone: zone, now: now) else { throw Failure(.usage, "--until \(Quoted(until)): not a time; \(TimeText.forms)") }
            newEnd = date
        default:
            throw Failure(.usage, "give --by DURATION or --until TIME")
        }
        let mark = try store.events(window: id).last?.id ?? 0
        try refusing { try engine.extendWindow(id, until: newEnd, now: now) }
        print("\(id): ends \(TimeText.local(newEnd, zone: zone))")
        return try tellTargets(session, engine: engine, pool: pool, store: store, window: id, since: mark)
    }

    static func update(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard arguments.positionals.count == 1, let id = arguments.positionals.first else { throw Failure(.usage, "name one WINDOW") }
        guard let message = arguments.value("--message"), !message.isEmpty else { throw Failure(.usage, "--message M is required") }
        let (engine, pool, store) = try prepare(session)
        let mark = try store.events(window: id).last?.id ?? 0
        try refusing { try engine.updateMessage(id, message: message, now: Date()) }
        print("\(id): message changed")
        return try tellTargets(session, engine: engine, pool: pool, store: store, window: id, since: mark)
    }

    /// After a change to a running window, follows its targets until each has been told.
    static func tellTargets(_ session: Session, engine: Engine, pool: TransferPool, store: MaintenanceStore, window id: String,
                            since mark: Int64) throws -> ExitCode {
        guard let window = try store.window(id), window.state != .scheduled else {
            session.wake()
            return .success
        }
        try drive(session, engine: engine, pool: pool, store: store, window: id) { window, targets in
            !targets.contains { $0.state == .refreshing } || window?.isTerminal != false
        }
        let failed = try store.events(window: id, after: mark).filter { $0.kind == "target.refresh-failed" }
        return failed.isEmpty ? .success : .partialFailure
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
            throw Failure(refusal.kind == .input ? .invalidInput : .usage, refusal.description)
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

    /// Follows a window until `done` says so of it and its targets: through the daemon if one
    /// runs, else here, holding the switching lock (see `Session.carryOut`).
    static func drive(_ session: Session, engine: Engine, pool: TransferPool, store: MaintenanceStore, window id: String,
                      until done: @escaping (WindowRecord?, [TargetStateRecord]) -> Bool) throws {
        var printer = EventPrinter()
        printer.window = id
        printer.lastId = (try store.events(window: id).last?.id ?? 1) - 1
        // Handlers before the lock: while we hold it, other commands wake us with SIGUSR1.
        let runner = try Runner(engine: engine, pool: pool, log: session.log, signals: [SIGINT, SIGTERM, SIGUSR1])
        try session.carryOut(runner: runner, until: { done(try store.window(id), try store.targets(of: id)) },
                             progress: { printer.printNew(from: store) })
    }
}

extension WindowCommands {
    /// `maint done WINDOW`: end as soon as the health checks pass.
    static func done(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else { throw Failure(.usage, "name one WINDOW") }
        let (engine, pool, store) = try prepare(session)
        try refusing { try engine.markDone(id, now: Date()) }
        print("\(id): ends as soon as its health checks pass")
        try drive(session, engine: engine, pool: pool, store: store, window: id) { window, _ in window?.isTerminal ?? true }
        let state = try store.window(id)?.state
        print("\(id): \(state?.rawValue ?? "?")")
        return state == .completed ? .success : .partialFailure
    }
}
