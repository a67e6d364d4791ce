import Foundation
import MaintCore
import MaintEngine
import MaintNet
import MaintStore
import MaintSystem
import Testing

/// The engine over a real SQLite file, driven by a fake clock: each test hands it the instants it chooses
/// and reads the database; nothing here sends a request, starts a program or sleeps. (The
/// subprocess tests cover the wiring to real sites.)
struct EngineClockTests {
    /// Two file-driver targets (no request is ever sent before a window activates) and no channel.
    static let targets = """
        targets: {
          paris: { driver: "file", file: { path: "/nonexistent/maint-test/paris" }, timezone: "Europe/Paris" },
          lyon: { driver: "file", file: { path: "/nonexistent/maint-test/lyon" }, timezone: "Europe/Paris" },
        },
        """

    /// An engine over a new database, on `windows` (and `freezes`), as loaded at `now`.
    func engine(windows: String, freezes: String = "", now: Date) throws -> Engine {
        let text = "{ \(Self.targets) windows: { \(windows) }, freezes: { \(freezes) } }"
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", text)])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("machine-\(UUID().uuidString)/maint.db").path
        return try Engine(store: try MaintenanceStore(path: path), schedule: schedule, secrets: SecretSource(environment: [:]),
                          log: Log(environment: [:], threshold: .error), pool: TransferPool())
    }

    func at(_ text: String) throws -> Date { try #require(TimeText.parseRFC3339(text)) }

    @Test func anOccurrenceBegunBeforeItsDefinitionIsSkippedAndTheNextPlanned() throws {
        let now = try at("2030-06-05T04:30:00Z")
        let engine = try engine(windows: #"daily: { targets: ["paris"], recurrence: "FREQ=DAILY", start: "04:00", timezone: "UTC", duration: "2h" },"#, now: now)
        try engine.sync(now: now)
        try engine.advance(now: now)
        #expect(try engine.store.window("daily@20300605T0400Z")?.state == .skipped)
        #expect(try engine.store.targets(of: "daily@20300605T0400Z").map(\.state) == [.pending])
        #expect(try engine.store.window("daily@20300606T0400Z")?.state == .scheduled)
        #expect(try engine.store.events(window: "daily@20300605T0400Z").last?.message.hasPrefix("defined after its start") == true)
    }

    @Test func aWindowStoredBeforeItsStartThatPassedWhileNothingRanIsMissed() throws {
        let stored = try at("2030-06-05T01:00:00Z")
        let engine = try engine(windows: #"w: { targets: ["lyon"], start: "2030-06-05T02:00:00Z", duration: "1h" },"#, now: stored)
        try engine.sync(now: stored)
        #expect(try engine.store.window("w")?.state == .scheduled)
        // Three hours later, with nothing run meanwhile.
        try engine.advance(now: try at("2030-06-05T04:00:00Z"))
        #expect(try engine.store.window("w")?.state == .missed)
        #expect(try engine.store.targets(of: "w").map(\.state) == [.pending], "nothing was switched")
        // It did not happen, and a calendar says so.
        let feed = try CalendarFeed(store: engine.store, schedule: engine.schedule).render()
        #expect(feed.contains("UID:w@maint") && feed.contains("STATUS:CANCELLED") && !feed.contains("STATUS:CONFIRMED"), "\(feed)")
    }

    /// At the start instant only the send is left: the step to `activating` was committed a
    /// moment before, as of the start, and the switch waits for its attempt time, the start.
    @Test func aWindowIsMadeReadyAheadOfItsStartAndSwitchedOnlyAtIt() throws {
        let stored = try at("2030-06-05T01:00:00Z")
        let start = try at("2030-06-05T02:00:00Z")
        let engine = try engine(windows: #"w: { targets: ["lyon"], start: "2030-06-05T02:00:00Z", duration: "1h" },"#, now: stored)
        try engine.sync(now: stored)
        #expect(try engine.nextDue(now: stored) == start.addingTimeInterval(-Double(Engine.armLead) / 1000), "the sleep ends a moment early")
        // Nothing is made ready earlier than that.
        try engine.advance(now: start.addingTimeInterval(-2))
        #expect(try engine.store.window("w")?.state == .scheduled)
        let ahead = start.addingTimeInterval(-0.5)
        try engine.advance(now: ahead)
        let window = try #require(try engine.store.window("w"))
        #expect(window.state == .activating)
        #expect(!window.hasBegun(at: ahead.epochMilliseconds))
        let targets = try engine.store.targets(of: "w")
        #expect(targets.map(\.state) == [.activating])
        #expect(targets.first?.nextAttemptAt == start.epochMilliseconds)
        #expect(try engine.store.events(window: "w").last?.at == start.epochMilliseconds, "logged as of the start")
        #expect(!engine.hasWorkInFlight, "nothing is switched before the start")
        #expect(try engine.nextDue(now: ahead) == start)
        try engine.advance(now: start)
        #expect(engine.hasWorkInFlight, "the switch starts at the start")
        #expect(try engine.store.targets(of: "w").map(\.state) == [.activating])
    }

    /// Once stored, a one-off window runs from the database alone: the daemon lets go of its
    /// definition (and of the memory a large schedule took to read), and keeps recurring ones.
    @Test func oneOffDefinitionsAreLetGoOnceStoredAndTheirWindowsStillRun() throws {
        let stored = try at("2030-06-05T01:00:00Z")
        let engine = try engine(windows: #"""
            once: { targets: ["lyon"], start: "2030-06-05T02:00:00Z", duration: "1h" },
            daily: { targets: ["paris"], recurrence: "FREQ=DAILY", start: "04:00", timezone: "UTC", duration: "1h" },
            """#, now: stored)
        try engine.sync(now: stored)
        engine.letGoOfStoredDefinitions()
        #expect(engine.schedule.windows.keys.sorted() == ["daily"])
        try engine.advance(now: try at("2030-06-05T02:00:00Z"))
        #expect(try engine.store.window("once")?.state == .activating)
        #expect(engine.hasWorkInFlight, "switched without its definition")
        try engine.advance(now: try at("2030-06-05T04:00:00Z"))
        #expect(try engine.store.window("daily@20300605T0400Z")?.state == .activating)
        #expect(try engine.store.window("daily@20300619T0400Z")?.state == .scheduled, "the series still stores its next occurrences")
    }

    @Test func aWindowMadeReadyHasNotBegunAndCanStillBeCanceled() throws {
        let stored = try at("2030-06-05T01:00:00Z")
        let start = try at("2030-06-05T02:00:00Z")
        let engine = try engine(windows: #"w: { targets: ["lyon"], start: "2030-06-05T02:00:00Z", duration: "1h" },"#, now: stored)
        try engine.sync(now: stored)
        try engine.advance(now: start.addingTimeInterval(-0.5))
        #expect(throws: CommandRefusal.self) { try engine.endWindow("w", now: start.addingTimeInterval(-0.4)) }
        try engine.cancelWindow("w", now: start.addingTimeInterval(-0.4))
        #expect(try engine.store.window("w")?.state == .canceled)
        try engine.advance(now: start)
        #expect(!engine.hasWorkInFlight, "a canceled window switches nothing")
        #expect(try engine.nextDue(now: start) == nil)
    }

    @Test func aDueNoticeIsSentAndAStaleOneSkippedNeverLate() throws {
        let stored = try at("2030-06-04T00:00:00Z")
        let engine = try engine(windows: #"w: { targets: ["lyon"], start: "2030-06-05T12:00:00Z", duration: "1h", notices: ["24h", "1h"] },"#, now: stored)
        try engine.sync(now: stored)
        // The 24h notice, 30 s after it is due: sent.
        try engine.advance(now: try at("2030-06-04T12:00:30Z"))
        #expect(try engine.store.window("w")?.state == .scheduled, "a notice does not make the window ready")
        // The 1h notice, 30 min late (more than a tenth of its offset): skipped.
        try engine.advance(now: try at("2030-06-05T11:30:00Z"))
        let notices = try engine.store.notices(of: "w")
        #expect(notices.map(\.offsetMilliseconds) == [86_400_000, 3_600_000])
        #expect(notices.map(\.state) == [.sent, .skipped])
        #expect(try engine.store.events(window: "w").map(\.kind).filter { $0.hasPrefix("notice.") } == ["notice.sent", "notice.skipped"])
    }

    /// A notice due just before the start is still sent; the window is made ready after it.
    @Test func aNoticeDueAsTheWindowIsMadeReadyIsSentFirst() throws {
        let stored = try at("2030-06-05T01:00:00Z")
        let engine = try engine(windows: #"w: { targets: ["lyon"], start: "2030-06-05T02:00:00Z", duration: "1h", notices: ["1s"] },"#, now: stored)
        try engine.sync(now: stored)
        let ahead = try at("2030-06-05T01:59:59.200Z")
        try engine.advance(now: ahead)
        #expect(try engine.store.notices(of: "w").map(\.state) == [.sent])
        #expect(try engine.store.window("w")?.state == .scheduled)
        #expect(engine.wantsAnotherRound)
        try engine.advance(now: ahead)
        #expect(try engine.store.window("w")?.state == .activating)
        #expect(!engine.hasWorkInFlight)
    }

    @Test func aFreezeLeavesOutOnlyItsOwnTarget() throws {
        let now = try at("2030-06-01T00:00:00Z")
        let engine = try engine(
            windows: #"patch: { targets: ["paris", "lyon"], recurrence: "FREQ=DAILY", start: "03:00", timezone: "UTC", duration: "45m" },"#,
            freezes: #"sale: { start: "2030-06-03 00:00", end: "2030-06-04 00:00", timezone: "UTC", targets: ["paris"] },"#, now: now)
        try engine.sync(now: now)
        #expect(try engine.store.targets(of: "patch@20300603T0300Z").map(\.target) == ["lyon"])
        #expect(try engine.store.window("patch@20300603T0300Z")?.state == .scheduled)
        #expect(try engine.store.targets(of: "patch@20300604T0300Z").map(\.target) == ["lyon", "paris"])
        let frozen = try engine.store.events(window: "patch@20300603T0300Z").filter { $0.kind == "target.frozen" }
        #expect(frozen.map(\.target) == ["paris"])
    }

    @Test func aFreezeOverEveryTargetCancelsTheOccurrence() throws {
        let now = try at("2030-06-01T00:00:00Z")
        let engine = try engine(
            windows: #"patch: { targets: ["paris"], recurrence: "FREQ=DAILY", start: "03:00", timezone: "UTC", duration: "45m" },"#,
            freezes: #"sale: { start: "2030-06-03 00:00", end: "2030-06-04 00:00", timezone: "UTC", targets: ["paris"] },"#, now: now)
        try engine.sync(now: now)
        #expect(try engine.store.window("patch@20300603T0300Z")?.state == .canceled)
        #expect(try engine.store.window("patch@20300602T0300Z")?.state == .scheduled)
    }

    @Test func plannedWindowsInThePastOrOverAnotherAreRefusedAndNothingIsStored() throws {
        let now = try at("2030-06-05T12:00:00Z")
        let engine = try engine(windows: #"w: { targets: ["lyon"], start: "2030-06-06T02:00:00Z", duration: "2h" },"#, now: now)
        try engine.sync(now: now)
        func request(_ start: String, _ end: String, force: Bool = false) throws -> WindowRequest {
            WindowRequest(selectors: ["lyon"], start: try at(start), end: try at(end), headline: "H", message: "M", notices: [],
                          channels: [], timezone: TimeZone(secondsFromGMT: 0) ?? .current, emergency: false, force: force)
        }
        let over = #expect(throws: CommandRefusal.self) { try engine.addWindow(try request("2030-06-05T08:00:00Z", "2030-06-05T09:00:00Z"), now: now) }
        #expect(over?.description.contains("already over") == true)
        let begun = #expect(throws: CommandRefusal.self) { try engine.addWindow(try request("2030-06-05T11:00:00Z", "2030-06-05T13:00:00Z"), now: now) }
        #expect(begun?.description.contains("maint now") == true)
        let overlap = #expect(throws: CommandRefusal.self) { try engine.addWindow(try request("2030-06-06T03:00:00Z", "2030-06-06T05:00:00Z"), now: now) }
        #expect(overlap?.description.contains("overlaps window w") == true)
        #expect(try engine.store.openWindows().map(\.id) == ["w"])
        // Forced, the overlap is planned.
        let id = try engine.addWindow(try request("2030-06-06T03:00:00Z", "2030-06-06T05:00:00Z", force: true), now: now)
        #expect(try engine.store.window(id)?.state == .scheduled)
    }
}
