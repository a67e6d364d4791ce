import Foundation
import MaintControl
import MaintCore
import MaintStore

/// Prints event-log lines as they appear, each once.
struct EventPrinter {
    var lastId: Int64 = 0
    var window: String?
    var zone = TimeZone.current

    /// An event's line, from its JSON (`WindowJSON.event`): as the daemon sends it, or as read
    /// here. The time is in the view's zone, labelled: `2026-12-06 02:00:00.004 CET`.
    static func line(_ event: JSONValue, zone: TimeZone, showWindow: Bool) -> String {
        let date = event["at"]?.stringValue.flatMap(TimeText.parseRFC3339) ?? Date(timeIntervalSince1970: 0)
        var parts = [TimeText.stamp(date, zone: zone, separator: " ") + " " + TimeText.label(date, zone: zone)]
        if showWindow { parts.append(event["window"]?.stringValue ?? "-") }
        parts.append(event["target"]?.stringValue ?? "-")
        parts.append(event["kind"]?.stringValue ?? "?")
        parts.append(event["message"]?.stringValue ?? "")
        return parts.joined(separator: "  ")
    }

    mutating func printNew(from store: MaintenanceStore) {
        guard let events = try? store.events(window: window, after: lastId) else { return }
        for event in events {
            print(Self.line(WindowJSON.event(event), zone: zone, showWindow: window == nil))
            lastId = event.id
        }
        fflush(nil)
    }
}
