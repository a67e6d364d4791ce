import MaintControl
import Foundation
import MaintCore
import MaintEngine
import MaintStore

/// `maint ls`: windows, upcoming first; finished ones with --all. A page at a time: the first
/// `defaultLimit` unless `--limit N` or `--all` says otherwise, in the table and in JSON alike,
/// with how many more there are on stderr.
enum ListCommand {
    static let defaultLimit = 50

    static func run(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard arguments.positionals.isEmpty else { throw Failure(.usage, "ls takes no positional arguments") }
        let now = Date()
        func bound(_ name: String) throws(Failure) -> Int64? {
            guard let text = arguments.value(name) else { return nil }
            guard let date = TimeText.parse(text, zone: .current, now: now) else { throw Failure(.usage, "\(name) \(Quoted(text)): not a time; \(TimeText.forms)") }
            return date.epochMilliseconds
        }
        let from = try bound("--from"), to = try bound("--to")
        var limit: Int? = arguments.has("--all") ? nil : defaultLimit
        if let text = arguments.value("--limit") {
            guard let number = Int(text), number > 0 else { throw Failure(.usage, "--limit \(Quoted(text)): not a whole number above 0") }
            limit = number
        }
        let store = try session.openStore()
        // Only the page is read from the database; the count says how many more there are.
        let includeFinished = arguments.has("--all") || from != nil || to != nil
        let page = try store.windowPage(includeFinished: includeFinished, from: from, through: to, limit: limit)
        var rows: [Row] = try page.windows.map { Row(window: $0, targets: try store.targets(of: $0.id), stored: true) }
        var total = page.total
        // A range reaches as far as it says: occurrences the daemon has not stored yet (it stores
        // two weeks ahead) are computed from the files, and marked so.
        if let to {
            do {
                let schedule = try session.loadSchedule()
                let stored = try store.windowIds(includeFinished: includeFinished, from: from, through: to)
                let plans = schedule.forecast(from: Date(timeIntervalSince1970: Double(from ?? 0) / 1000),
                                              through: Date(timeIntervalSince1970: Double(to) / 1000), now: now)
                for plan in plans where !stored.contains(plan.record.id) {
                    total += 1
                    rows.append(Row(window: plan.record, targets: plan.targets.map {
                        TargetStateRecord(windowId: plan.record.id, target: $0, state: .pending, attempts: 0, nextAttemptAt: nil, phaseStartedAt: nil,
                                          activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil, stage: plan.stages[$0] ?? 0)
                    }, stored: false))
                }
                rows.sort { ($0.window.startAt, $0.window.id) < ($1.window.startAt, $1.window.id) }
            } catch {
                FileHandle.standardError.write(Data("maint: occurrences not yet stored are left out: \(error)\n".utf8))
            }
        }
        if let limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        if let limit, total > limit {
            FileHandle.standardError.write(Data("maint: the first \(limit) of \(total) windows; --limit N or --all for more\n".utf8))
        }
        if session.json {
            printJSON(.array(rows.map { row in
                guard case .object(var object) = WindowJSON.window(row.window, targets: row.targets) else { return .null }
                object["stored"] = .bool(row.stored)
                return .object(object)
            }))
            return .success
        }
        if rows.isEmpty {
            print(arguments.has("--all") ? "no windows" : "no open windows (--all shows finished ones)")
            return .success
        }
        var table = Table(headers: ["WINDOW", "STATE", "START", "END", "TARGETS"])
        for row in rows {
            let zone = WindowJSON.zone(row.window)
            let targets = row.targets.map(\.target)
            table.rows.append([row.window.id, row.window.state.rawValue + (row.stored ? "" : "*"), WindowJSON.local(row.window.startAt, zone),
                               WindowJSON.local(row.window.endAt, zone),
                               targets.count > 4 ? "\(targets.prefix(4).joined(separator: ",")) +\(targets.count - 4)" : targets.joined(separator: ",")])
        }
        print(table.render())
        if rows.contains(where: { !$0.stored }) {
            print("* not stored yet: computed from the schedule files; the daemon stores each occurrence two weeks ahead")
        }
        return .success
    }

    /// A window as listed: stored, or computed from the files beyond what is stored.
    struct Row {
        var window: WindowRecord
        var targets: [TargetStateRecord]
        var stored: Bool
    }
}

/// `maint show WINDOW`: timeline, per-target results, notices, deliveries, health.
enum ShowCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else {
            throw Failure(.usage, "name one WINDOW")
        }
        let store = try session.openStore()
        guard let window = try store.window(id) else { throw Failure.noWindow(id) }
        let targets = try store.targets(of: id)
        let notices = try store.notices(of: id)
        let deliveries = try store.deliveries(window: id)
        let events = try store.events(window: id)
        // The other windows that hold each target in maintenance now (SPEC "Targets held by
        // several windows"): a target this window left `held` is still on because of them.
        var heldBy: [String: [String]] = [:]
        for target in targets {
            heldBy[target.target] = try store.holds(of: target.target).map(\.id).filter { $0 != id }
        }
        if session.json {
            guard case .object(var object) = WindowJSON.window(window, targets: targets) else { return .success }
            object["targets"] = .array(targets.map { target in
                guard case .object(var fields) = WindowJSON.target(target) else { return WindowJSON.target(target) }
                fields["heldBy"] = .array((heldBy[target.target] ?? []).map(JSONValue.string))
                return .object(fields)
            })
            object["notices"] = .array(notices.map {
                .object(["offset": .string(DurationText.format($0.offsetMilliseconds)), "due": WindowJSON.time($0.dueAt), "state": .string($0.state.rawValue)])
            })
            object["deliveries"] = .array(deliveries.map(WindowJSON.delivery))
            object["events"] = .array(events.map(WindowJSON.event))
            printJSON(.object(object))
            return .success
        }
        let zone = WindowJSON.zone(window)
        print("window    \(window.id)  [\(window.state)]")
        print("headline  \(window.headline)")
        print("message   \(WindowContext.values(window, target: nil, zone: zone, now: Date())["message"] ?? window.message)")
        print("start     \(WindowJSON.local(window.startAt, zone))")
        print("end       \(WindowJSON.local(window.endAt, zone))")
        print("selectors \(window.selectors.joined(separator: " "))")
        print("channels  \(window.channels.isEmpty ? "-" : window.channels.joined(separator: " "))")
        print("\ntargets")
        var table = Table(headers: ["  TARGET", "STATE", "ATTEMPTS", "ALSO HELD BY", "HEALTH"])
        for target in targets {
            var health = "-"
            if let text = target.health, let value = try? JSONValue.parseJSON(Data(text.utf8)), case .array(let checks) = value {
                health = checks.map { check in
                    let ok = check["ok"] == .bool(true)
                    return "\(check["check"]?.stringValue ?? "?"): \(ok ? "ok" : "FAIL \(check["detail"]?.stringValue ?? "")")"
                }.joined(separator: "; ")
                if checks.isEmpty { health = "no checks" }
            } else if let error = target.lastError {
                health = "error: \(error)"
            }
            let others = heldBy[target.target] ?? []
            table.rows.append(["  " + target.target, target.state.rawValue, String(target.attempts), others.isEmpty ? "-" : others.joined(separator: ", "), health])
        }
        print(table.render())
        if !notices.isEmpty {
            print("\nnotices")
            for notice in notices {
                print("  \(DurationText.format(notice.offsetMilliseconds)) before  \(WindowJSON.local(notice.dueAt, zone))  \(notice.state)")
            }
        }
        if !deliveries.isEmpty {
            print("\ndeliveries")
            var table = Table(headers: ["  ID", "EVENT", "CHANNEL", "STATE", "ATTEMPTS", "LAST ERROR"])
            for delivery in deliveries {
                table.rows.append(["  " + delivery.id, delivery.event.rawValue, delivery.channel, delivery.state.rawValue, String(delivery.attempts), delivery.lastError ?? "-"])
            }
            print(table.render())
        }
        print("\ntimeline")
        for event in events { print("  " + EventPrinter.line(event, zone: zone, showWindow: false)) }
        return .success
    }
}

/// `maint log [-f] [WINDOW]`: the event log, optionally followed.
enum LogCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count <= 1 else { throw Failure(.usage, "name at most one WINDOW") }
        let store = try session.openStore()
        var printer = EventPrinter()
        printer.window = session.arguments.positionals.first
        if let window = printer.window, try store.window(window) == nil {
            throw Failure.noWindow(window)
        }
        if session.json {
            printJSON(.array(try store.events(window: printer.window).map(WindowJSON.event)))
            return .success
        }
        printer.printNew(from: store)
        guard session.arguments.has("-f") || session.arguments.has("--follow") else { return .success }
        while true {
            usleep(250_000)
            printer.printNew(from: store)
        }
    }
}
