import Foundation
import MaintCore
@testable import MaintEngine
import MaintNet
import MaintStore
import MaintSystem
import Testing

/// The files' windows brought into the database: on a first start (nothing stored, so nothing
/// looked up), then again on the same database, as a restart or a reload does. Fake clock, real
/// SQLite; nothing is sent.
struct SyncTests {
    static let targets = """
        targets: { paris: { driver: "file", file: { path: "/nonexistent/maint-test/paris" }, timezone: "Europe/Paris" } },
        """

    func schedule(_ windows: String, now: Date) throws -> Schedule {
        try ScheduleLoader(now: now).load(sources: [("s.json5", "{ \(Self.targets) windows: { \(windows) } }")])
    }

    func at(_ text: String) throws -> Date { try #require(TimeText.parseRFC3339(text)) }

    @Test func aFirstStartStoresEveryOccurrenceAndALaterOneOnlyWhatChanged() throws {
        let first = try at("2030-06-01T00:00:00Z")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString)/maint.db").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let windows = """
            nightly: { targets: ["paris"], recurrence: "FREQ=DAILY", start: "02:00", timezone: "UTC", duration: "1h" },
            once: { targets: ["paris"], start: "2030-06-03T12:00:00Z", duration: "1h" },
            soon: { targets: ["paris"], start: "+5h", duration: "30m" },
            """
        func engine(_ windows: String, now: Date) throws -> Engine {
            try Engine(store: try MaintenanceStore(path: path), schedule: try schedule(windows, now: now), secrets: SecretSource(environment: [:]),
                       log: Log(environment: [:], threshold: .error), pool: TransferPool())
        }
        func planned(_ store: MaintenanceStore) throws -> [String] {
            try store.openWindows().filter { $0.state == .scheduled }.map(\.id).sorted()
        }
        let fortnight = (1...14).map { "nightly@203006\(String(format: "%02d", $0))T0200Z" }

        let starting = try engine(windows, now: first)
        try starting.sync(now: first)
        #expect(try planned(starting.store) == (fortnight + ["once", "soon"]).sorted())
        #expect(try starting.store.events(window: nil).filter { $0.kind == "window.planned" }.count == 16)
        let soon = try #require(try starting.store.window("soon"))
        #expect(soon.startAt == first.epochMilliseconds + 18_000_000)

        // A day later, the same files: one more night within the horizon, nothing else; the
        // relative start stays where it was first stored. The night that passed meanwhile is
        // left to the loop, which marks it missed: the files did not change.
        let later = try at("2030-06-02T00:00:00Z")
        let restarted = try engine(windows, now: later)
        try restarted.sync(now: later)
        let replanned = try planned(restarted.store)
        #expect(replanned == (fortnight + ["nightly@20300615T0200Z", "once", "soon"]).sorted(), "\(replanned)")
        #expect(try restarted.store.events(window: nil).filter { $0.kind == "window.planned" }.count == 17)
        #expect(try restarted.store.window("soon")?.startAt == soon.startAt)

        // The rule edited to three nights a week: the nights to come it no longer gives are
        // canceled, the last one stored too (a Saturday, after its last Friday within the
        // horizon); the one that passed is still left to the loop.
        let edited = try engine(windows.replacingOccurrences(of: "FREQ=DAILY", with: "FREQ=WEEKLY;BYDAY=MO,WE,FR"), now: later)
        try edited.sync(now: later)
        let kept = try planned(edited.store).filter { $0.hasPrefix("nightly") }
        #expect(kept == ["nightly@20300601T0200Z", "nightly@20300603T0200Z", "nightly@20300605T0200Z", "nightly@20300607T0200Z", "nightly@20300610T0200Z",
                         "nightly@20300612T0200Z", "nightly@20300614T0200Z"])
        #expect(try edited.store.window("nightly@20300604T0200Z")?.state == .canceled)
        #expect(try edited.store.window("nightly@20300615T0200Z")?.state == .canceled)
        let reasons = try edited.store.events(window: "nightly@20300615T0200Z").filter { $0.kind == "window.canceled" }.map(\.message)
        #expect(reasons.count == 1 && reasons[0].contains("no longer an occurrence of nightly"), "\(reasons)")
    }
}
