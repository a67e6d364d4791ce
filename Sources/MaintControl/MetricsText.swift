import Foundation
import MaintCore
import MaintEngine
import MaintStore

/// `GET /metrics`: the Prometheus text exposition of SPEC "Control API". The database part is
/// read on the loop; the drivers' readings of the real state are made by the caller's thread.
public struct MetricsText: Sendable {
    let status: StatusReport
    let windows: [WindowState: Int]
    let deliveries: [DeliveryState: Int]
    let lag: Measurements.Histogram
    let durations: [String: Measurements.Histogram]
    let reload: (succeeded: Bool, at: Date)?

    public init(_ view: ReadView) throws {
        status = try StatusReport(store: view.store, schedule: view.schedule, secrets: view.secrets)
        windows = try view.store.windowCounts()
        deliveries = try view.store.deliveryCounts()
        lag = view.measurements.switchLag
        durations = view.measurements.switchDurations
        reload = view.measurements.lastReload
    }

    public var probe: StateProbe.Plan? { status.probe }

    public func render(actual: [String: ProbeReading]) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            text += "\(name)\(Self.labels(labels)) \(Self.number(value))\n"
        }
        family("maint_target_in_maintenance", "gauge", "Whether maint wants the target in maintenance now (1) or not (0).")
        for name in status.names {
            sample("maint_target_in_maintenance", [("target", name)], status.current[name].map { StatusReport.inMaintenance.contains($0.target.state) } == true ? 1 : 0)
        }
        family("maint_target_actual_in_maintenance", "gauge", "Whether the target is in maintenance as its driver reads it; only targets whose driver can tell.")
        for name in status.names {
            if let reading = actual[name]?.inMaintenance { sample("maint_target_actual_in_maintenance", [("target", name)], reading ? 1 : 0) }
        }
        family("maint_windows", "gauge", "Windows in the database, by state.")
        for state in WindowState.allCases { sample("maint_windows", [("state", state.rawValue)], Double(windows[state] ?? 0)) }
        family("maint_switch_lag_seconds", "histogram", "From a switch's due instant to when its request left.")
        histogram("maint_switch_lag_seconds", [], lag, into: &text)
        family("maint_switch_duration_seconds", "histogram", "From a switch's request to its answer, by action.")
        for action in durations.keys.sorted() {
            if let histogram = durations[action] { self.histogram("maint_switch_duration_seconds", [("action", action)], histogram, into: &text) }
        }
        family("maint_deliveries", "gauge", "Announcements in the outbox, by state.")
        for state in DeliveryState.allCases { sample("maint_deliveries", [("state", state.rawValue)], Double(deliveries[state] ?? 0)) }
        family("maint_reload_success", "gauge", "Whether the last reload of the schedule files was taken (1) or refused (0).")
        sample("maint_reload_success", [], reload.map { $0.succeeded ? 1 : 0 } ?? 1)
        family("maint_last_reload_timestamp_seconds", "gauge", "When the schedule files were last reloaded, taken or refused (0: not since the start).")
        sample("maint_last_reload_timestamp_seconds", [], reload?.at.timeIntervalSince1970 ?? 0)
        family("maint_next_window_start_timestamp_seconds", "gauge", "When the target's next planned window starts.")
        for name in status.names {
            if let next = status.next[name] { sample("maint_next_window_start_timestamp_seconds", [("target", name)], Double(next.startAt) / 1000) }
        }
        return text
    }

    func histogram(_ name: String, _ labels: [(String, String)], _ histogram: Measurements.Histogram, into text: inout String) {
        func line(_ suffix: String, _ extra: [(String, String)], _ value: Double) {
            text += "\(name)\(suffix)\(Self.labels(labels + extra)) \(Self.number(value))\n"
        }
        for (bound, count) in zip(histogram.bounds, histogram.counts) { line("_bucket", [("le", Self.number(bound))], Double(count)) }
        line("_bucket", [("le", "+Inf")], Double(histogram.count))
        line("_sum", [], histogram.sum)
        line("_count", [], Double(histogram.count))
    }

    /// `{name="value",…}`, or nothing without labels.
    static func labels(_ labels: [(String, String)]) -> String {
        labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// A label value: backslash, double quote and line feed escaped (the exposition format's rule).
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Whole numbers without a fraction; others as Swift writes a Double (which Prometheus reads).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
