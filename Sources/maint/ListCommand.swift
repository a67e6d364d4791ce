import MaintControl
import Foundation
import MaintCore
import MaintEngine
import MaintStore

/// `maint ls`: windows, upcoming first; finished ones with --all. A page at a time: the first
/// `WindowList.defaultLimit` unless `--limit N` or `--all` says otherwise, in the table and in
/// JSON alike, with how many more there are on stderr. Asked of the daemon when one runs.
enum ListCommand {
    static func run(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard arguments.positionals.isEmpty else { throw Failure(.usage, "ls takes no positional arguments") }
        let now = Date()
        // One zone for every row (sorted by instant, they read sorted), each time labelled.
        let zone = try session.displayZone()
        var list = WindowList()
        var query: [String] = []
        func bound(_ name: String) throws(Failure) -> Int64? {
            guard let text = arguments.value(name) else { return nil }
            guard let date = TimeText.parse(text, zone: zone, now: now) else { throw Failure(.usage, "\(name) \(Quoted(text)): not a time; \(TimeText.forms)") }
            query.append("\(name.dropFirst(2))=\(ControlClient.escape(TimeText.stamp(date) + "Z"))")
            return date.epochMilliseconds
        }
        list.from = try bound("--from")
        list.through = try bound("--to")
        list.includeFinished = arguments.has("--all") || list.from != nil || list.through != nil
        if arguments.has("--all") { query.append("all=1") }
        list.limit = arguments.has("--all") ? nil : WindowList.defaultLimit
        if let text = arguments.value("--limit") {
            guard let number = Int(text), number > 0 else { throw Failure(.usage, "--limit \(Quoted(text)): not a whole number above 0") }
            list.limit = number
            query.append("limit=\(number)")
        }
        let answer: JSONValue
        let daemon = try session.daemonClient()
        let daemonRuns = daemon != nil
        if let (client, _) = daemon {
            answer = try session.ask { () throws(ControlClient.Failure) in try client.get("/v1/windows" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))) }
        } else {
            let store = try session.openStore()
            // Only a range with an end needs the files: what is not stored yet is computed from them.
            var schedule: Schedule?
            var note: String?
            if list.through != nil {
                do {
                    schedule = try session.loadSchedule()
                } catch {
                    note = "occurrences not yet stored are left out: \(error.message)"
                }
            }
            answer = try list.json(store: store, schedule: schedule, note: note, now: now)
        }
        for note in answer["notes"]?.arrayValue ?? [] { printError("maint: \(note.stringValue ?? "")") }
        let windows = answer["windows"]?.arrayValue ?? []
        var total = windows.count
        if case .number(let count)? = answer["total"] { total = Int(count) }
        if total > windows.count {
            printError("maint: the first \(windows.count) of \(total) windows; --limit N or --all for more")
        }
        if session.json {
            printJSON(.array(windows))
            return .success
        }
        if windows.isEmpty {
            print(arguments.has("--all") ? "no windows" : "no open windows (--all shows finished ones)")
            if !daemonRuns, let waiting = try? unstored(session), waiting > 0 {
                print("note: the schedule files define \(waiting) window(s) that no daemon has stored yet: start `maint daemon` (or `systemctl start maint`)")
            }
            return .success
        }
        var table = Table(headers: ["WINDOW", "STATE", "START", "END", "TARGETS"])
        for window in windows {
            let start = window["start"]?.stringValue.flatMap(TimeText.parseRFC3339)
            let end = window["end"]?.stringValue.flatMap(TimeText.parseRFC3339)
            // An end on the start's day shows its time alone: `04:00 CET`.
            var endText = "-"
            if let end {
                let sameDay = start.map { TimeText.civil($0, zone: zone).date == TimeText.civil(end, zone: zone).date } ?? false
                endText = sameDay ? String(TimeText.short(end, zone: zone).dropFirst(11)) : TimeText.short(end, zone: zone)
            }
            let targets = (window["targets"]?.arrayValue ?? []).compactMap(\.stringValue)
            let stored = window["stored"] != .bool(false)
            table.rows.append([window["id"]?.stringValue ?? "?", (window["state"]?.stringValue ?? "?") + (stored ? "" : "*"),
                               start.map { TimeText.short($0, zone: zone) } ?? "-", endText, targets.joined(separator: ",")])
        }
        print(table.render(maxWidth: arguments.has("--wide") ? nil : 99))
        if windows.contains(where: { $0["stored"] == .bool(false) }) {
            print("* not stored yet: computed from the schedule files; the daemon stores each occurrence two weeks ahead")
        }
        return .success
    }
}

extension ListCommand {
    /// How many window definitions of the files have nothing stored: before any daemon ran,
    /// `ls` would otherwise just say there are no windows.
    static func unstored(_ session: Session) throws -> Int {
        let schedule = try session.loadSchedule()
        let stored = try session.openStore().fileWindowNames()
        return schedule.windows.keys.filter { !stored.contains($0) }.count
    }
}

/// `maint show WINDOW`: timeline, per-target results, notices, deliveries, health. Asked of the
/// daemon when one runs; the text is drawn from the same JSON either way.
enum ShowCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else {
            throw Failure(.usage, "name one WINDOW")
        }
        var found: JSONValue?
        if let (client, _) = try session.daemonClient() {
            do {
                found = try session.ask { () throws(ControlClient.Failure) in try client.get("/v1/windows/" + ControlClient.escape(id)) }
            } catch {
                guard error.status == 404 else { throw error }
            }
        } else {
            found = try WindowReport.json(id, store: try session.openStore())
        }
        // Not a window: perhaps a recurring window's name, shown as a whole.
        guard let report = found else {
            if let shown = try showSeries(session, id, door: try Door.open(session)) { return shown }
            throw Failure.noWindow(id)
        }
        if session.json {
            printJSON(report)
        } else {
            print(text(report, zone: try session.displayZone()))
        }
        return .success
    }

    /// Every time in `zone`, the view's one zone; the window's own zone is named beside it.
    /// A recurring window's name: the series as a whole, its rule and its stored occurrences.
    /// Nil when there is no such series either.
    static func showSeries(_ session: Session, _ name: String, door: Door) throws -> ExitCode? {
        var found: JSONValue?
        do {
            found = try door.send("GET", "/v1/series/" + ControlClient.escape(name), session: session)
        } catch {
            guard (error as? Failure)?.status == 404 else { throw error }
        }
        guard let series = found else { return nil }
        if session.json {
            printJSON(series)
            return .success
        }
        let zone = try session.displayZone()
        var lines = ["series    \(name)  \(series["recurrence"]?.stringValue ?? "(no longer in the files)")" + (series["file"]?.stringValue.map { "  (\($0))" } ?? "")]
        var table = Table(headers: ["  OCCURRENCE", "STATE", "START", "TARGETS"])
        for window in series["occurrences"]?.arrayValue ?? [] {
            let start = window["start"]?.stringValue.flatMap(TimeText.parseRFC3339).map { TimeText.short($0, zone: zone) } ?? "-"
            table.rows.append(["  " + (window["id"]?.stringValue ?? "?"), window["state"]?.stringValue ?? "?", start,
                               (window["targets"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")])
        }
        lines += ["", "occurrences (stored two weeks ahead; `maint ls --to +90d` computes later ones)", table.render(maxWidth: 99),
                  "", "`maint show OCCURRENCE` for one; `maint skip OCCURRENCE` leaves one out; `maint cancel \(name)` cancels those stored"]
        print(lines.joined(separator: "\n"))
        return .success
    }

    static func text(_ report: JSONValue, zone: TimeZone) -> String {
        let field = { (key: String) in report[key]?.stringValue ?? "-" }
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
            "timezone  \(field("timezone"))" + (field("timezone") == zone.identifier ? "" : " (times here in \(zone.identifier))"),
            "selectors \(strings("selectors").joined(separator: " "))",
            "channels  \(strings("channels").isEmpty ? "-" : strings("channels").joined(separator: " "))",
            "", "targets",
        ]
        // TRIES: of its current or last step (the check rounds once switched off): 1 is at once.
        var table = Table(headers: ["  TARGET", "STATE", "TRIES", "ALSO HELD BY", "HEALTH"])
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
        if case .object(let references)? = report["references"], !references.isEmpty {
            lines += ["", "references (what a channel made for the window, such as a status page's incident)"]
            for (channel, reference) in references.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(channel): \(reference.stringValue ?? "?")")
            }
        }
        lines += ["", "timeline"]
        for event in report["events"]?.arrayValue ?? [] {
            lines.append("  " + EventPrinter.line(event, zone: zone, showWindow: false))
        }
        return lines.joined(separator: "\n")
    }
}

/// `maint log [-f] [WINDOW]`: the event log, optionally followed: through the daemon's stream
/// when one runs (each event as it is written), else by reading the file.
enum LogCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count <= 1 else { throw Failure(.usage, "name at most one WINDOW") }
        let window = session.arguments.positionals.first
        let follow = session.arguments.has("-f") || session.arguments.has("--follow")
        let zone = try session.displayZone()
        let show = { (event: JSONValue) in
            print(session.json ? event.serialized() : EventPrinter.line(event, zone: zone, showWindow: window == nil))
            fflush(nil)
        }
        var query = window.map { ["window=\(ControlClient.escape($0))"] } ?? []
        if let (client, _) = try session.daemonClient() {
            if follow {
                query.append("follow=1")
                try session.ask { () throws(ControlClient.Failure) in try client.follow("/v1/events?" + query.joined(separator: "&"), line: show) }
                return .success
            }
            let events = try session.ask { () throws(ControlClient.Failure) in try client.get("/v1/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))) }
            if session.json { printJSON(events) } else { (events.arrayValue ?? []).forEach(show) }
            return .success
        }
        let store = try session.openStore()
        if let window, try store.window(window) == nil { throw Failure.noWindow(window) }
        var lastId: Int64 = 0
        func printNew() throws {
            let events = try store.events(window: window, after: lastId)
            if session.json && !follow {
                printJSON(.array(events.map(WindowJSON.event)))
            } else {
                events.map(WindowJSON.event).forEach(show)
            }
            lastId = events.last?.id ?? lastId
        }
        try printNew()
        guard follow else { return .success }
        while true {
            usleep(250_000)
            try printNew()
        }
    }
}
