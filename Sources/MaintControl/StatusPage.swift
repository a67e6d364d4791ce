import Foundation
import MaintCore
import MaintStore

/// `GET /`: a small page of the maintenance going on now and coming next, for people (a phone
/// in a data centre, a support desk). Written on the server, with no script; every field is
/// escaped; it refreshes itself every minute.
public struct StatusPage: Sendable {
    struct Entry: Sendable {
        var window: WindowRecord
        var targets: [String]
    }

    var now: [Entry] = []
    var upcoming: [Entry] = []
    var upcomingTotal = 0
    let generated: Date

    /// How many upcoming windows are shown.
    static let upcomingLimit = 20

    public init(store: MaintenanceStore, now date: Date) throws {
        generated = date
        now = try store.runningWindows().map { Entry(window: $0, targets: try store.targets(of: $0.id).map(\.target)) }
        let page = try store.windowPage(includeFinished: false, state: .scheduled, limit: Self.upcomingLimit)
        upcoming = try page.windows.map { Entry(window: $0, targets: try store.targets(of: $0.id).map(\.target)) }
        upcomingTotal = page.total
    }

    public var html: String {
        func period(_ window: WindowRecord) -> String {
            let zone = TimeZone(identifier: window.timezone) ?? .current
            let start = TimeText.local(Date(timeIntervalSince1970: Double(window.startAt) / 1000), zone: zone)
            let end = window.endAt.map { TimeText.local(Date(timeIntervalSince1970: Double($0) / 1000), zone: zone) } ?? "until it is done"
            return "\(start) – \(end)"
        }
        func card(_ entry: Entry, running: Bool) -> String {
            let zone = TimeZone(identifier: entry.window.timezone) ?? .current
            let message = WindowContext.values(entry.window, target: nil, zone: zone, now: generated)["message"] ?? entry.window.message
            let paragraphs = message.split(separator: "\n").map { "<p>\(HTMLText.escape(String($0)))</p>" }.joined()
            return """
                <article class="\(running ? "now" : "next")">
                <h3>\(HTMLText.escape(entry.window.headline))</h3>
                <p class="when">\(HTMLText.escape(period(entry.window)))</p>
                \(paragraphs)
                <p class="targets">\(HTMLText.escape(entry.targets.joined(separator: ", ")))</p>
                </article>
                """
        }
        let nowSection = now.isEmpty ? "<p class=\"quiet\">No maintenance is going on.</p>" : now.map { card($0, running: true) }.joined(separator: "\n")
        var nextSection = upcoming.isEmpty ? "<p class=\"quiet\">No maintenance is planned.</p>" : upcoming.map { card($0, running: false) }.joined(separator: "\n")
        if upcomingTotal > upcoming.count { nextSection += "\n<p class=\"quiet\">and \(upcomingTotal - upcoming.count) more</p>" }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="60">
            <title>Maintenance</title>
            <style>
            body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f6f8fa; color: #1f2328; }
            main { max-width: 42rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
            h1 { font-size: 1.5rem; margin: 0 0 1rem; }
            h2 { font-size: 1.1rem; margin: 2rem 0 .75rem; text-transform: uppercase; letter-spacing: .04em; color: #59636e; }
            article { background: #fff; border: 1px solid #d1d9e0; border-left: 6px solid #0969da; border-radius: 8px; padding: .75rem 1rem; margin: 0 0 .75rem; }
            article.now { border-left-color: #bf8700; }
            h3 { font-size: 1.1rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
            p { margin: .25rem 0; overflow-wrap: anywhere; }
            .when { font-weight: 600; }
            .targets, .quiet, footer { color: #59636e; font-size: .9rem; }
            </style>
            </head>
            <body>
            <main>
            <h1>Maintenance</h1>
            <h2>Now</h2>
            \(nowSection)
            <h2>Planned</h2>
            \(nextSection)
            <footer>As of \(HTMLText.escape(TimeText.rfc3339(generated))); this page refreshes every minute.</footer>
            </main>
            </body>
            </html>
            """
    }
}
