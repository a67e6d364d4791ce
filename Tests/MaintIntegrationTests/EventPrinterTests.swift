import Foundation
@testable import maint
import MaintControl
import MaintCore
import MaintStore
import Testing

/// The lines `maint now`, `end` and `log` print for events: read here from the database, or from
/// the daemon's JSON, the same line.
struct EventPrinterTests {
    @Test func aLineReadHereIsTheLineOfItsJSONInEveryZoneAndSecond() throws {
        // Within one second, across seconds, back to an earlier second, and at a change of offset
        // (Paris, 2026-03-29 01:00 UTC).
        let instants: [Int64] = [1_774_745_999_998, 1_774_745_999_999, 1_774_746_000_000, 1_774_746_000_001, 1_774_746_001_500,
                                 1_774_746_001_000, 1_764_000_000_123, 1_764_000_000_999, 1_764_000_001_000]
        for zone in ["Europe/Paris", "UTC", "America/St_Johns", "Asia/Kolkata"] {
            var printer = EventPrinter()
            printer.zone = try #require(TimeZone(identifier: zone))
            for (index, at) in instants.enumerated() {
                let event = EventRecord(id: Int64(index), at: at, windowId: "w", target: index % 2 == 0 ? "web" : nil, kind: "target.healthy",
                                        message: "no health checks defined", detail: nil, actor: nil)
                for showWindow in [false, true] {
                    let expected = EventPrinter.line(WindowJSON.event(event), zone: printer.zone, showWindow: showWindow)
                    #expect(printer.line(event, showWindow: showWindow) == expected, "\(zone) \(at)")
                }
            }
        }
        var paris = EventPrinter()
        paris.zone = try #require(TimeZone(identifier: "Europe/Paris"))
        let event = { (at: Int64) in EventRecord(id: 1, at: at, windowId: "w", target: "web", kind: "k", message: "m", detail: nil, actor: nil) }
        #expect(paris.line(event(1_774_745_999_999), showWindow: false) == "2026-03-29 01:59:59.999 CET  web  k  m")
        #expect(paris.line(event(1_774_746_000_000), showWindow: false) == "2026-03-29 03:00:00.000 CEST  web  k  m")
        // Before 1970, rounded down to its second too.
        #expect(paris.line(event(-1), showWindow: true) == "1970-01-01 00:59:59.999 CET  w  web  k  m")
    }
}
