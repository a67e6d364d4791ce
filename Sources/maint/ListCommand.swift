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

/// `maint show WINDOW`: timeline, per-target results, notices, deliveries, health. Asked of the
/// daemon when one runs; the text is drawn from the same JSON either way.
enum ShowCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else {
            throw Failure(.usage, "name one WINDOW")
        }
        let report: JSONValue
        if let (client, _) = try session.daemonClient() {
            report = try session.ask { () throws(ControlClient.Failure) in try client.get("/v1/windows/" + ControlClient.escape(id)) }
        } else {
            guard let json = try WindowReport.json(id, store: try session.openStore()) else { throw Failure.noWindow(id) }
            report = json
        }
        if session.json {
            printJSON(report)
        } else {
            print(text(report))
        }
        return .success
    }

    static func text(_ report: JSONValue) -> String {
        let field = { (key: String) in report[key]?.stringValue ?? "-" }
        let zone = TimeZone(identifier: field("timezone")) ?? .current
        func local(_ value: JSONValue?) -> String {
            value?.stringValue.flatMap(TimeText.parseRFC3339).map { TimeText.local($0, zone: zone) } ?? "-"
        }
        let strings = { (key: String) in (report[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        var lines = [
            "window    \(field("id"))  [\(field("state"))]",
            "headline  \(field("headline"))",
            "message   \(report["messageText"]?.stringValue ?? field("message"))",
            "start     \(local(report["start"]))",
            "end       \(local(report["end"]))",
            "selectors \(strings("selectors").joined(separator: " "))",
            "channels  \(strings("channels").isEmpty ? "-" : strings("channels").joined(separator: " "))",
            "", "targets",
        ]
        var table = Table(headers: ["  TARGET", "STATE", "ATTEMPTS", "ALSO HELD BY", "HEALTH"])
        for target in report["targets"]?.arrayValue ?? [] {
            var health = "-"
            if let checks = target["health"]?.arrayValue {
                health = checks.isEmpty ? "no checks" : checks.map { check in
                    let ok = check["ok"] == .bool(true)
                    return "\(check["check"]?.stringValue ?? "?"): \(ok ? "ok" : "FAIL \(check["detail"]?.stringValue ?? "")")"
                }.joined(separator: "; ")
            } else if let error = target["lastError"]?.stringValue {
                health = "error: \(error)"
            }
            let others = (target["heldBy"]?.arrayValue ?? []).compactMap(\.stringValue)
            var attempts = "0"
            if case .number(let count)? = target["attempts"] { attempts = String(Int(count)) }
            table.rows.append(["  " + (target["name"]?.stringValue ?? "?"), target["state"]?.stringValue ?? "?", attempts,
                               others.isEmpty ? "-" : others.joined(separator: ", "), health])
        }
        lines.append(table.render())
        let notices = report["notices"]?.arrayValue ?? []
        if !notices.isEmpty {
            lines += ["", "notices"]
            for notice in notices {
                lines.append("  \(notice["offset"]?.stringValue ?? "?") before  \(local(notice["due"]))  \(notice["state"]?.stringValue ?? "?")")
            }
        }
        let deliveries = report["deliveries"]?.arrayValue ?? []
        if !deliveries.isEmpty {
            lines += ["", "deliveries"]
            var table = Table(headers: ["  ID", "EVENT", "CHANNEL", "STATE", "ATTEMPTS", "LAST ERROR"])
            for delivery in deliveries {
                let text = { (key: String) in delivery[key]?.stringValue ?? "-" }
                var attempts = "0"
                if case .number(let count)? = delivery["attempts"] { attempts = String(Int(count)) }
                table.rows.append(["  " + text("id"), text("event"), text("channel"), text("state"), attempts, text("lastError")])
            }
            lines.append(table.render())
        }
        lines += ["", "timeline"]
        for event in report["events"]?.arrayValue ?? [] {
            lines.append("  " + EventPrinter.line(event, zone: zone, showWindow: false))
        }
        return lines.joined(separator: "\n")
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
