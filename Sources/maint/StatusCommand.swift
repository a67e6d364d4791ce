import Foundation
import MaintCore
import MaintEngine
import MaintNet
import MaintStore

/// `maint status`: each target in maintenance or not, its current and next window; the daemon;
/// dead deliveries.
enum StatusCommand {
    static let inMaintenance: Set<TargetState> = [.activating, .active, .refreshing, .waiting, .deactivating]

    static func run(_ session: Session) throws -> ExitCode {
        let store = try session.openStore()
        var names = Set<String>()
        var scheduleNote: String?
        var schedule: Schedule?
        do {
            schedule = try session.loadSchedule()
            names.formUnion(schedule?.targets.keys.map { $0 } ?? [])
        } catch {
            scheduleNote = "the schedule files have errors (run `maint validate`); showing targets from the database"
        }
        var current: [String: (WindowRecord, TargetStateRecord)] = [:]
        // The windows that hold each target in maintenance (SPEC "Targets held by several windows").
        var heldBy: [String: [String]] = [:]
        // Only the running windows are read whole; the next planned one per target is one query.
        for window in try store.runningWindows() {
            for target in try store.targets(of: window.id) {
                names.insert(target.target)
                if target.state.holds { heldBy[target.target, default: []].append(window.id) }
                // The newest window that holds it, else the first running one.
                if current[target.target] == nil || target.state.holds { current[target.target] = (window, target) }
            }
        }
        let next = try store.nextWindows()
        names.formUnion(next.keys)
        let dead = try store.deliveries(state: .dead)
        // What the drivers that can tell say: the real state beside the desired one.
        var actual: [String: ProbeReading] = [:]
        if let schedule {
            let pool = TransferPool()
            actual = try session.engine(schedule: schedule, store: store, pool: pool).actualStates(names.sorted())
        }
        // "-": the driver cannot tell; "?": it can, but the reading failed (the reason is listed below).
        var unreadable: [String] = []
        func actualText(_ name: String) -> String {
            guard let target = schedule?.targets[name], target.driver.readsState, let state = actual[name] else { return "-" }
            guard let on = state.inMaintenance else {
                unreadable.append("\(name): cannot read its state: \(state.detail)")
                return "?"
            }
            return on ? "yes" : "no"
        }
        let daemon: pid_t? = {
            if case .daemon(let pid)? = try? session.lock().holder() { return pid }
            return nil
        }()
        if session.json {
            // Each value typed on its own: one literal of them all takes the type checker seconds.
            func target(_ name: String) -> JSONValue {
                let reading: JSONValue = actual[name].map { state in
                    .object(["inMaintenance": state.inMaintenance.map(JSONValue.bool) ?? .null, "detail": .string(state.detail)])
                } ?? .null
                let nextWindow: JSONValue = next[name].map { .object(["id": .string($0.id), "start": WindowJSON.time($0.startAt)]) } ?? .null
                let fields: [String: JSONValue] = [
                    "name": .string(name),
                    "inMaintenance": .bool(current[name].map { inMaintenance.contains($0.1.state) } ?? false),
                    "actual": reading,
                    "state": current[name].map { .string($0.1.state.rawValue) } ?? .null,
                    "currentWindow": current[name].map { .string($0.0.id) } ?? .null,
                    "heldBy": .array((heldBy[name] ?? []).map(JSONValue.string)),
                    "nextWindow": nextWindow,
                ]
                return .object(fields)
            }
            let running: JSONValue = daemon.map { .object(["running": .bool(true), "pid": .number(Double($0))]) } ?? .object(["running": .bool(false)])
            printJSON(.object([
                "daemon": running,
                "targets": .array(names.sorted().map(target)),
                "deadDeliveries": .array(dead.map(WindowJSON.delivery)),
            ]))
            return .success
        }
        print(daemon.map { "daemon: running (pid \($0))" } ?? "daemon: not running")
        if let scheduleNote { print("note: \(scheduleNote)") }
        var table = Table(headers: ["TARGET", "MAINTENANCE", "ACTUAL", "HELD BY", "NEXT WINDOW"])
        for name in names.sorted() {
            let now = current[name]
            let upcoming = next[name]
            table.rows.append([
                name,
                now.map { inMaintenance.contains($0.1.state) ? "yes (\($0.1.state))" : "no (\($0.1.state))" } ?? "no",
                actualText(name),
                heldBy[name].map { $0.joined(separator: ", ") } ?? now.map { $0.0.id } ?? "-",
                upcoming.map { "\($0.id) at \(WindowJSON.local($0.startAt, TimeZone(identifier: $0.timezone) ?? .current))" } ?? "-",
            ])
        }
        print(table.render())
        for note in unreadable { print("note: \(note)") }
        if dead.isEmpty {
            print("dead deliveries: none")
        } else {
            print("dead deliveries: \(dead.count)")
            for delivery in dead {
                print("  \(delivery.id)  \(delivery.event) to \(delivery.channel) (window \(delivery.windowId ?? "-")): \(delivery.lastError ?? "")")
            }
        }
        return .success
    }
}
