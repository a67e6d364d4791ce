import Foundation
import MaintCore
import Testing

/// `WindowContext.Memo` gives each target what `WindowContext.values` gives it, and never a
/// value left from an earlier window, zone or instant.
struct WindowContextTests {
    static let start = (TimeText.parseRFC3339("2030-06-05T02:00:00Z") ?? .distantPast).epochMilliseconds

    func window(end: Int64?, message: String = "Back at {{end.local}} for {{target}}") -> WindowRecord {
        WindowRecord(id: "w", origin: .cli, sourceFile: nil, headline: "Upgrade", message: message, page: PageFields(), selectors: [],
                     channels: [], timezone: "UTC", startAt: Self.start, endAt: end, healthTimeoutMilliseconds: nil, state: .active,
                     fingerprint: nil, createdAt: 0, updatedAt: 0)
    }

    @Test func theMemoGivesEachTargetWhatItsOwnValuesWould() throws {
        var memo = WindowContext.Memo()
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let now = Date(timeIntervalSince1970: Double(Self.start) / 1000 + 10)
        var cases: [(WindowRecord, String, TimeZone, Date)] = []
        for target in ["a", "b"] { cases.append((window(end: Self.start + 3_600_000), target, paris, now)) }
        // Then another zone, a later instant, a new end, another message: each must show.
        cases.append((window(end: Self.start + 3_600_000), "a", tokyo, now))
        cases.append((window(end: Self.start + 3_600_000), "a", tokyo, now.addingTimeInterval(60)))
        cases.append((window(end: Self.start + 7_200_000), "a", tokyo, now.addingTimeInterval(60)))
        // A message that does not name the target is rendered once for all of them; a message
        // changed alone shows too.
        cases.append((window(end: Self.start + 7_200_000, message: "Back at {{end.local}}"), "a", tokyo, now.addingTimeInterval(60)))
        cases.append((window(end: Self.start + 7_200_000, message: "Back at {{end.local}}"), "b", tokyo, now.addingTimeInterval(60)))
        cases.append((window(end: nil, message: "plain"), "b", tokyo, now.addingTimeInterval(60)))
        cases.append((window(end: nil, message: "plain {{target}}"), "b", tokyo, now.addingTimeInterval(60)))
        var seen: Set<[String: String]> = []
        for (window, target, zone, instant) in cases {
            let values = memo.values(window, target: target, zone: zone, now: instant)
            #expect(values == WindowContext.values(window, target: target, zone: zone, now: instant))
            seen.insert(values)
        }
        #expect(seen.count == cases.count, "every case differs from the one before it")
        #expect(memo.values(window(end: Self.start + 3_600_000), target: "b", zone: paris, now: now)["message"] == "Back at 2030-06-05 05:00 CEST (+02:00) for b")
    }
}
