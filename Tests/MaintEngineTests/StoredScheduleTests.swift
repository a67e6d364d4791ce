import Foundation
import MaintCore
@testable import MaintEngine
import MaintNet
import MaintStore
import MaintSystem
import Testing

/// A daemon restarted with unchanged files starts from the copy of its targets, channels and api
/// section it stored, reads each target as a window needs it, and reads the files meanwhile. Fake
/// clock, real SQLite and real files (the stamp is taken from them); nothing is sent.
struct StoredScheduleTests {
    static let text = """
        {
          targets: {
            paris: { driver: "file", file: { path: "/nonexistent/maint-test/paris" }, timezone: "Europe/Paris", tags: ["fr"] },
            lyon: { driver: "file", file: { path: "/nonexistent/maint-test/lyon" }, timezone: "Europe/Paris", tags: ["fr", "south"] },
            hook: { driver: "http", timezone: "UTC",
                    activate: { url: "http://127.0.0.1:9/on", headers: { Authorization: "Bearer {{secret:HOOK_TOKEN}}" } },
                    deactivate: { url: "http://127.0.0.1:9/off" } },
          },
          channels: { ops: { type: "webhook", format: "json", url: "http://127.0.0.1:9/ops", secret: "{{secret:OPS_SECRET}}", events: ["*"] },
                      status: { type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_KEY}}", components: { lyon: "cmp-lyon" } } },
          windows: { w: { targets: ["lyon"], start: "2030-06-05T02:00:00Z", duration: "1h" } },
        }
        """

    struct Setup {
        let directory: String
        let database: String
    }

    /// Files in a new directory, read and stored by a first engine as a daemon does.
    func firstStart(now: Date) throws -> Setup {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("stored-\(UUID().uuidString)")
        let directory = base.appendingPathComponent("schedules").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.text.write(toFile: directory + "/s.json5", atomically: true, encoding: .utf8)
        let database = base.appendingPathComponent("maint.db").path
        let schedule = try ScheduleLoader(now: now, keepsDefinitions: true).load(directory: directory)
        let engine = try engine(schedule, database)
        try engine.sync(now: now)
        engine.letGoOfStoredDefinitions()
        return Setup(directory: directory, database: database)
    }

    /// Once the files' definitions are stored, the daemon keeps each target's summary and reads a
    /// whole definition back when a window needs it: with 10,000 targets, they were most of its
    /// memory. Choosing targets by tag still works at once.
    @Test func storedTargetDefinitionsAreLetGoAndReadBackAsWindowsNeedThem() throws {
        let setup = try firstStart(now: try at("2030-06-05T01:00:00Z"))
        let files = try ScheduleLoader(keepsDefinitions: true).load(directory: setup.directory)
        let engine = try engine(files, setup.database)
        engine.heldTargetDefinitions = 0
        try engine.sync(now: try at("2030-06-05T01:00:00Z"))
        engine.letGoOfStoredDefinitions()
        #expect(engine.schedule.targets.isEmpty, "no whole definition is held")
        #expect(engine.schedule.targetSummaries.keys.sorted() == ["hook", "lyon", "paris"])
        #expect(engine.schedule.targetSummaries["lyon"]?.tags == ["fr", "south"])
        #expect(engine.schedule.targetSummaries["paris"]?.timezone.identifier == "Europe/Paris")

        let request = WindowRequest(selectors: ["tag:south"], start: try at("2030-06-06T02:00:00Z"), end: try at("2030-06-06T03:00:00Z"),
                                    headline: "h", message: "m", notices: [], channels: [], timezone: .gmt, emergency: false)
        let id = try engine.addWindow(request, now: try at("2030-06-05T01:00:01Z"))
        #expect(try engine.store.targets(of: id).map(\.target) == ["lyon"], "chosen by tag from the summaries")
        #expect(throws: CommandRefusal.self) {
            try engine.addWindow(WindowRequest(selectors: ["tag:nort"], start: request.start, end: request.end, headline: "h", message: "m",
                                               notices: [], channels: [], timezone: .gmt, emergency: false), now: try at("2030-06-05T01:00:02Z"))
        }

        // `maint status` reads a target's state from the definition stored, on its own connection.
        let plan = StateProbe.Plan(names: ["paris", "hook"], schedule: engine.schedule, store: try MaintenanceStore(path: setup.database),
                                   driverStates: [:], secrets: SecretSource(environment: [:]))
        #expect(plan.targets.map(\.name) == ["paris"], "the file driver reads the state; this webhook has no probe")

        // Read back for a window, held while it runs; the others are let go past the limit.
        _ = try #require(engine.targetConfig("hook"))
        try engine.advance(now: try at("2030-06-05T02:00:00Z"))
        #expect(try engine.store.window("w")?.state == .activating)
        #expect(engine.hasWorkInFlight, "switched from the definition read back")
        #expect(engine.schedule.targets.keys.sorted() == ["lyon"], "hook was let go before the round; lyon read for w")
        _ = try #require(engine.targetConfig("paris"))
        try engine.advance(now: try at("2030-06-05T02:00:01Z"))
        #expect(engine.schedule.targets.keys.sorted() == ["lyon"], "w still runs on lyon")
        let lyon = try #require(engine.schedule.targets["lyon"])
        let original = try #require(files.targets["lyon"])
        #expect(lyon.timezone == original.timezone && lyon.tags == original.tags && lyon.file == original.file)

        // A reload holds the new files' definitions until they are stored again.
        let again = try ScheduleLoader(keepsDefinitions: true).load(directory: setup.directory)
        engine.replace(schedule: again)
        #expect(engine.schedule.targets.count == 3)
        engine.letGoOfStoredDefinitions()
        #expect(engine.schedule.targets.isEmpty, "unchanged files: the copy stored is theirs")
    }

    /// A schedule with no copy to store (read without its definitions kept) keeps them all.
    @Test func definitionsWithNoStoredCopyAreKept() throws {
        let setup = try firstStart(now: try at("2030-06-05T01:00:00Z"))
        let engine = try engine(try ScheduleLoader().load(directory: setup.directory), setup.database)
        engine.heldTargetDefinitions = 0
        engine.letGoOfStoredDefinitions()
        try engine.advance(now: try at("2030-06-05T01:00:01Z"))
        #expect(engine.schedule.targets.keys.sorted() == ["hook", "lyon", "paris"])
    }

    func engine(_ schedule: Schedule, _ database: String) throws -> Engine {
        try Engine(store: try MaintenanceStore(path: database), schedule: schedule, secrets: SecretSource(environment: [:]),
                   log: Log(environment: [:], threshold: .error), pool: TransferPool())
    }

    func at(_ text: String) throws -> Date { try #require(TimeText.parseRFC3339(text)) }

    @Test func aRestartWithTheSameFilesRunsFromTheStoredCopyAndReadsTargetsAsWindowsNeedThem() throws {
        let setup = try firstStart(now: try at("2030-06-05T01:00:00Z"))
        let store = try MaintenanceStore(path: setup.database)
        let files = try ScheduleLoader().load(directory: setup.directory)
        let stored = try #require(Engine.storedSchedule(store, stamp: ScheduleStamp.of(directory: setup.directory)))
        #expect(stored.origin == .stored)
        #expect(stored.targets.isEmpty, "targets are read one by one, not at the start")
        #expect(stored.channels.keys.sorted() == ["ops", "status"])
        #expect(stored.secretNames == files.secretNames, "what leaves a request is still cleared of every secret")
        // The copy keeps the reference to a secret, as the file has it: never a value.
        let hook = try #require(try store.definition(.target, named: "hook"))
        #expect(hook.body.contains(#""Authorization":"Bearer {{secret:HOOK_TOKEN}}""#), "\(hook.body)")

        let engine = try engine(stored, setup.database)
        try engine.advance(now: try at("2030-06-05T02:00:00Z"))
        #expect(try engine.store.window("w")?.state == .activating)
        #expect(engine.hasWorkInFlight, "switched from the stored copy")
        #expect(engine.schedule.targets.keys.sorted() == ["lyon"], "only the target the window needed was read")
        let lyon = try #require(engine.schedule.targets["lyon"])
        let original = try #require(files.targets["lyon"])
        #expect(lyon.timezone == original.timezone && lyon.tags == original.tags && lyon.file == original.file)
        #expect(type(of: lyon.driver) == type(of: original.driver))

        // Choosing targets by tag needs them all: refused until the files are read, then done.
        let request = WindowRequest(selectors: ["tag:fr"], start: try at("2030-06-06T02:00:00Z"), end: try at("2030-06-06T03:00:00Z"),
                                    headline: "h", message: "m", notices: [], channels: [], timezone: .gmt, emergency: false)
        #expect(throws: CommandRefusal.self) { try engine.addWindow(request, now: try at("2030-06-05T02:00:01Z")) }
        let summary = try engine.reload(to: files, now: try at("2030-06-05T02:00:02Z"))
        #expect(summary.targetsAdded.isEmpty && summary.targetsRemoved.isEmpty, "the stored copy had the same targets: \(summary.description)")
        #expect(engine.schedule.origin == .files)
        let id = try engine.addWindow(request, now: try at("2030-06-05T02:00:03Z"))
        #expect(try engine.store.targets(of: id).map(\.target).sorted() == ["lyon", "paris"])
    }

    @Test func editedFilesOrAnotherProgramAreReadFirst() throws {
        let setup = try firstStart(now: try at("2030-06-05T01:00:00Z"))
        let store = try MaintenanceStore(path: setup.database)
        let stamp = try #require(ScheduleStamp.of(directory: setup.directory))
        #expect(Engine.storedSchedule(store, stamp: stamp) != nil)
        #expect(Engine.storedSchedule(store, stamp: stamp.replacingOccurrences(of: "maint ", with: "maint 9")) == nil, "another version of maint")
        // The same text written again is another file (a new inode): read first all the same.
        try Self.text.write(toFile: setup.directory + "/s.json5", atomically: true, encoding: .utf8)
        #expect(Engine.storedSchedule(store, stamp: ScheduleStamp.of(directory: setup.directory)) == nil)
        try "{}".write(toFile: setup.directory + "/more.json5", atomically: true, encoding: .utf8)
        #expect(Engine.storedSchedule(store, stamp: ScheduleStamp.of(directory: setup.directory)) == nil, "a file added")
        #expect(Engine.storedSchedule(store, stamp: nil) == nil, "a directory that cannot be read")
    }

    /// A reload stores the new copy: a target removed from the files is gone from it, and the
    /// next restart from the copy does not know it.
    @Test func eachReadOfTheFilesReplacesTheCopy() throws {
        let now = try at("2030-06-05T01:00:00Z")
        let setup = try firstStart(now: now)
        let fewer = Self.text.replacingOccurrences(of: #"paris: { driver: "file", file: { path: "/nonexistent/maint-test/paris" }, timezone: "Europe/Paris", tags: ["fr"] },"#, with: "")
        try fewer.write(toFile: setup.directory + "/s.json5", atomically: true, encoding: .utf8)
        let engine = try engine(try ScheduleLoader(now: now).load(directory: setup.directory), setup.database)
        _ = try engine.reload(to: try ScheduleLoader(now: now, keepsDefinitions: true).load(directory: setup.directory), now: now)
        let store = try MaintenanceStore(path: setup.database)
        #expect(try store.definitionNames(.target).sorted() == ["hook", "lyon"])
        // Read again with nothing edited, the copy (its stamp the files') is not written again:
        // a row marked here stays as it is.
        try store.database.run("UPDATE definitions SET file = 'marked' WHERE name = 'lyon'")
        _ = try engine.reload(to: try ScheduleLoader(now: now, keepsDefinitions: true).load(directory: setup.directory), now: now)
        #expect(try store.definition(.target, named: "lyon")?.file == "marked", "nothing written for unchanged files")
        let stored = try #require(Engine.storedSchedule(store, stamp: ScheduleStamp.of(directory: setup.directory)))
        #expect(stored.channels.keys.sorted() == ["ops", "status"])
    }
}
