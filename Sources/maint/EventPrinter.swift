import Foundation
import MaintControl
import MaintCore
import MaintStore

/// Prints event-log lines as they appear, each once.
struct EventPrinter {
    var lastId: Int64 = 0
    var window: String?
    var zone = TimeZone.current
    /// The second the last line was stamped in, as text with its zone's label: a window's events
    /// come by the thousand within a second, and the wall clock and label only change between
    /// seconds.
    private var second: (epoch: Int64, text: String, label: String)?

    /// An event's line, from its JSON (`WindowJSON.event`): as the daemon sends it. The time is in
    /// the view's zone, labelled: `2026-12-06 02:00:00.004 CET`.
    static func line(_ event: JSONValue, zone: TimeZone, showWindow: Bool) -> String {
        let date = event["at"]?.stringValue.flatMap(TimeText.parseRFC3339) ?? Date(timeIntervalSince1970: 0)
        var printer = EventPrinter()
        printer.zone = zone
        // The text has whole milliseconds: the nearest one is the one written.
        return printer.line(at: Int64((date.timeIntervalSince1970 * 1000).rounded()), window: event["window"]?.stringValue,
                            target: event["target"]?.stringValue, kind: event["kind"]?.stringValue ?? "?",
                            message: event["message"]?.stringValue ?? "", showWindow: showWindow)
    }

    /// An event's line, as read from the database here.
    mutating func line(_ event: EventRecord, showWindow: Bool) -> String {
        line(at: event.at, window: event.windowId, target: event.target, kind: event.kind, message: event.message, showWindow: showWindow)
    }

    mutating func line(at milliseconds: Int64, window: String?, target: String?, kind: String, message: String, showWindow: Bool) -> String {
        // Rounded down to the second, before 1970 too.
        let below = milliseconds % 1000 < 0
        let epoch = milliseconds / 1000 - (below ? 1 : 0)
        let fraction = String(milliseconds % 1000 + (below ? 1000 : 0))
        if second?.epoch != epoch {
            let date = Date(timeIntervalSince1970: Double(epoch))
            second = (epoch, TimeText.civil(date, zone: zone).text(separator: " "), TimeText.label(date, zone: zone))
        }
        var line = (second?.text ?? "") + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + " " + (second?.label ?? "")
        if showWindow { line += "  " + (window ?? "-") }
        return line + "  " + (target ?? "-") + "  " + kind + "  " + message
    }

    mutating func printNew(from store: MaintenanceStore) {
        guard let events = try? store.events(window: window, after: lastId), let last = events.last else { return }
        // One write for the lot, not a locked print per line.
        var text = ""
        for event in events { text += line(event, showWindow: window == nil) + "\n" }
        print(text, terminator: "")
        lastId = last.id
        fflush(nil)
    }
}
