import Foundation
import MaintCore
import MaintEngine
import MaintStore

/// What `maint status` and `GET /v1/status` show: each target in maintenance or not (desired and
/// real), the windows holding it, its next window; the daemon; dead deliveries. One JSON shape
/// for both; the CLI's table is drawn from it (`StatusText`), whichever process built it.
public struct StatusReport: Sendable {
    public static let inMaintenance: Set<TargetState> = [.activating, .active, .refreshing, .waiting, .deactivating]

    struct Current: Sendable {
        var window: WindowRecord
        var target: TargetStateRecord
    }

    var names: [String] = []
    var current: [String: Current] = [:]
    /// The windows that hold each target in maintenance (SPEC "Targets held by several windows").
    var heldBy: [String: [String]] = [:]
    var next: [String: (id: String, startAt: Int64, timezone: String)] = [:]
    var dead: [DeliveryRecord] = []
    /// Announcements not delivered yet (a daemon sends them, retrying).
    var pending = 0
    /// The targets whose driver can read the real state.
    var readable: Set<String> = []
    /// Sent after the database part is read, off the scheduler loop when a daemon runs.
    public var probe: StateProbe.Plan?

    /// Reads the database part: the running windows (read whole) and one query for each
    /// target's next planned window. `schedule` is nil when the schedule files cannot be read.
    public init(store: MaintenanceStore, schedule: Schedule?, secrets: SecretSource) throws {
        var names = Set(schedule?.targetSummaries.keys.map { $0 } ?? [])
        for window in try store.runningWindows() {
            for target in try store.targets(of: window.id) {
                names.insert(target.target)
                if target.state.holds { heldBy[target.target, default: []].append(window.id) }
                // The newest window that holds it, else the first running one.
                if current[target.target] == nil || target.state.holds { current[target.target] = Current(window: window, target: target) }
            }
        }
        next = try store.nextWindows()
        names.formUnion(next.keys)
        self.names = names.sorted()
        dead = try store.deliveries(state: .dead)
        pending = try store.pendingDeliveryCount()
        if let schedule {
            readable = Set(self.names.filter { schedule.targetSummaries[$0]?.readsState == true })
            if !readable.isEmpty {
                probe = StateProbe.Plan(names: readable.sorted(), schedule: schedule, store: store, driverStates: try store.driverStates(), secrets: secrets)
            }
        }
    }

    /// The report with the real states read (`probe.read()`), and who runs the daemon.
    public func json(actual: [String: ProbeReading], daemon: pid_t?) -> JSONValue {
        // Each value typed on its own: one literal of them all takes the type checker seconds.
        func target(_ name: String) -> JSONValue {
            let reading: JSONValue = readable.contains(name) ? actual[name].map { state in
                .object(["inMaintenance": state.inMaintenance.map(JSONValue.bool) ?? .null, "detail": .string(state.detail)])
            } ?? .null : .null
            let nextWindow: JSONValue = next[name].map {
                .object(["id": .string($0.id), "start": WindowJSON.time($0.startAt), "timezone": .string($0.timezone)])
            } ?? .null
            let now = current[name]
            let fields: [String: JSONValue] = [
                "name": .string(name),
                "inMaintenance": .bool(now.map { Self.inMaintenance.contains($0.target.state) } ?? false),
                "actual": reading,
                "state": now.map { .string($0.target.state.rawValue) } ?? .null,
                "currentWindow": now.map { .string($0.window.id) } ?? .null,
                "heldBy": .array((heldBy[name] ?? []).map(JSONValue.string)),
                "nextWindow": nextWindow,
            ]
            return .object(fields)
        }
        let running: JSONValue = daemon.map { .object(["running": .bool(true), "pid": .number(Double($0))]) } ?? .object(["running": .bool(false)])
        return .object([
            "daemon": running,
            "targets": .array(names.map(target)),
            "deadDeliveries": .array(dead.map(WindowJSON.delivery)),
            "pendingDeliveries": .number(Double(pending)),
        ])
    }
}

/// `maint status`'s table, drawn from the report's JSON (built here or by the daemon).
public enum StatusText {
    /// Times in `zone`, the view's one zone, each labelled.
    public static func render(_ report: JSONValue, zone: TimeZone = .current) -> String {
        var lines: [String] = []
        if case .bool(true)? = report["daemon"]?["running"], case .number(let pid)? = report["daemon"]?["pid"] {
            lines.append("daemon: running (pid \(Int(pid)))")
        } else {
            lines.append("daemon: not running")
        }
        var table = Table(headers: ["TARGET", "MAINTENANCE", "ACTUAL", "HELD BY", "NEXT WINDOW"])
        // "-": the driver cannot tell; "?": it can, but the reading failed (the reason is listed below).
        var unreadable: [String] = []
        for target in report["targets"]?.arrayValue ?? [] {
            let name = target["name"]?.stringValue ?? "?"
            let state = target["state"]?.stringValue
            let maintenance = state.map { target["inMaintenance"] == .bool(true) ? "yes (\($0))" : "no (\($0))" } ?? "no"
            var actual = "-"
            if let reading = target["actual"], reading != .null {
                switch reading["inMaintenance"] {
                case .bool(let on)?: actual = on ? "yes" : "no"
                default:
                    actual = "?"
                    unreadable.append("\(name): cannot read its state: \(reading["detail"]?.stringValue ?? "")")
                }
            }
            let held = (target["heldBy"]?.arrayValue ?? []).compactMap(\.stringValue)
            let heldText = held.isEmpty ? (target["currentWindow"]?.stringValue ?? "-") : held.joined(separator: ", ")
            var nextText = "-"
            if let next = target["nextWindow"], let id = next["id"]?.stringValue,
               let start = next["start"]?.stringValue.flatMap(TimeText.parseRFC3339) {
                nextText = "\(id) at \(TimeText.short(start, zone: zone))"
            }
            table.rows.append([name, maintenance, actual, heldText, nextText])
        }
        lines.append(table.render())
        for note in unreadable { lines.append("note: \(note)") }
        if case .number(let pending)? = report["pendingDeliveries"], pending > 0 {
            let daemon = report["daemon"]?["running"] == .bool(true)
            lines.append("pending deliveries: \(Int(pending))" + (daemon ? " (being sent)" : " (they wait for the daemon: start `maint daemon` to send them)"))
        }
        let dead = report["deadDeliveries"]?.arrayValue ?? []
        if dead.isEmpty {
            lines.append("dead deliveries: none")
        } else {
            lines.append("dead deliveries: \(dead.count)")
            for delivery in dead {
                let text = { (key: String) in delivery[key]?.stringValue ?? "-" }
                lines.append("  \(text("id"))  \(text("event")) to \(text("channel")) (window \(text("window"))): \(delivery["lastError"]?.stringValue ?? "")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
