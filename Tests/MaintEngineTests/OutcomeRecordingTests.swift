import Foundation
import MaintCore
@testable import MaintEngine
@testable import MaintNet
import MaintStore
import MaintSystem
import Testing

/// A round's switch outcomes are recorded together, in one savepoint: the same records as one at
/// a time, and an outcome that cannot be recorded costs only itself. The engine runs over a real
/// SQLite file; the outcomes are handed to it as finished transfers, and nothing is sent.
struct OutcomeRecordingTests {
    static let schedule = """
        {
          targets: {
            a: { driver: "http", activate: { url: "http://127.0.0.1:9/a/on" }, deactivate: { url: "http://127.0.0.1:9/a/off" } },
            b: { driver: "http", activate: { url: "http://127.0.0.1:9/b/on" }, deactivate: { url: "http://127.0.0.1:9/b/off" } },
            c: { driver: "http", activate: { url: "http://127.0.0.1:9/c/on" }, deactivate: { url: "http://127.0.0.1:9/c/off" } },
          },
          windows: {
            one: { targets: ["a", "b"], start: "2030-06-05T02:00:00Z", duration: "1h" },
            two: { targets: ["c"], start: "2030-06-05T02:00:00Z", duration: "1h" },
          },
        }
        """
    static let stored = TimeText.parseRFC3339("2030-06-05T00:00:00Z") ?? .distantPast
    static let answered = TimeText.parseRFC3339("2030-06-05T02:00:05Z") ?? .distantPast

    /// An engine whose two windows are switching on, each target's activate request in flight
    /// under the tags 1 (a), 2 (b) and 3 (c).
    func switching() throws -> Engine {
        let loaded = try ScheduleLoader(now: Self.stored).load(sources: [("s.json5", Self.schedule)])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString)/maint.db").path
        let engine = try Engine(store: try MaintenanceStore(path: path), schedule: loaded, secrets: SecretSource(environment: [:]),
                                log: Log(environment: [:], threshold: .error), pool: TransferPool())
        try engine.sync(now: Self.stored)
        try engine.store.database.execute("UPDATE windows SET state = 'activating'")
        try engine.store.database.execute("UPDATE window_targets SET state = 'activating', attempts = 0, phase_started_at = \(Self.stored.epochMilliseconds + 7_200_000)")
        engine.jobs = [1: .action(window: "one", target: "a", activate: true), 2: .action(window: "one", target: "b", activate: true),
                       3: .action(window: "two", target: "c", activate: true)]
        return engine
    }

    static func answer(_ tag: Int) -> TransferPool.Completion {
        TransferPool.Completion(tag: tag, result: .success(HTTPResponse(status: 200, body: Data("ok".utf8), elapsedMilliseconds: 40 + tag)))
    }

    /// What the outcomes left: each target's state and attempts, and the events logged.
    func recorded(_ engine: Engine) throws -> [String] {
        let targets = try ["one", "two"].flatMap { try engine.store.targets(of: $0) }.map { "\($0.target) \($0.state) \($0.attempts)" }
        let events = try engine.store.events(window: nil).filter { $0.kind.hasPrefix("target.") }.map { "\($0.target ?? "") \($0.kind) \($0.message)" }
        return targets + events
    }

    @Test func outcomesRecordedTogetherAreRecordedAsOneAtATimeWouldBe() throws {
        let together = try switching()
        together.complete([Self.answer(1), Self.answer(2), Self.answer(3)], now: Self.answered)
        let alone = try switching()
        for tag in 1...3 { alone.complete([Self.answer(tag)], now: Self.answered) }
        let records = try recorded(together)
        #expect(records == (try recorded(alone)))
        #expect(records.prefix(3) == ["a active 1", "b active 1", "c active 1"])
        #expect(records.dropFirst(3).map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["a target.activated", "b target.activated", "c target.activated"])
        #expect(together.jobs.isEmpty)
    }

    /// The outcomes of a run wait until it is gathered, then are written at once (a run inside
    /// it joins it).
    @Test func aRunsOutcomesAreWrittenOnceItIsGathered() throws {
        let engine = try switching()
        engine.recordTogether {
            engine.complete(Self.answer(1), now: Self.answered)
            engine.recordTogether { engine.complete(Self.answer(3), now: Self.answered) }
            engine.complete(Self.answer(2), now: Self.answered)
            #expect(engine.gatheredOutcomes?.count == 3)
            #expect((try? recorded(engine))?.prefix(3) == ["a activating 0", "b activating 0", "c activating 0"], "nothing written yet")
        }
        #expect(engine.gatheredOutcomes == nil)
        #expect(try recorded(engine).prefix(3) == ["a active 1", "b active 1", "c active 1"])
    }

    /// A target's rows decided in a run are written at its end; a second outcome of the same
    /// target in the run is decided from the first, as if that had been written alone.
    @Test func aTargetsSecondOutcomeInARunIsDecidedFromItsFirst() throws {
        func outcomes(_ engine: Engine) {
            engine.recordActionSuccess(window: "one", target: "a", activate: true, detail: "HTTP 200", elapsed: 40, now: Self.answered)
            engine.recordActionFailure(window: "one", target: "a", activate: true, now: Self.answered, error: "late", final: true)
            engine.recordActionSuccess(window: "one", target: "b", activate: true, detail: "HTTP 200", elapsed: 41, now: Self.answered)
        }
        let together = try switching()
        together.recordTogether { outcomes(together) }
        let alone = try switching()
        outcomes(alone)
        let records = try recorded(together)
        #expect(records == (try recorded(alone)))
        #expect(records.prefix(2) == ["a active 1", "b active 1"])
        #expect(records.filter { $0.hasPrefix("a target.") }.count == 1, "the failure came after the switch: nothing to record")
    }

    /// Extending a running window tells its targets in maintenance again: their rows, written by
    /// one statement, each say so, and another window's target is left as it was.
    @Test func anExtendedWindowsTargetsAreEachToldAgain() throws {
        let engine = try switching()
        try engine.store.database.execute("UPDATE windows SET state = 'active'")
        try engine.store.database.execute("UPDATE window_targets SET state = 'active', attempts = 1")
        engine.store.forgetTargetRows()
        try engine.extendWindow("one", until: Self.answered.addingTimeInterval(7_200), now: Self.answered)
        #expect(try recorded(engine).prefix(3) == ["a refreshing 0", "b refreshing 0", "c active 1"])
        let due = try ["a", "b"].map { try engine.store.target($0, of: "one")?.nextAttemptAt }
        #expect(due == [Self.answered.epochMilliseconds, Self.answered.epochMilliseconds])
    }

    /// Window `two`'s row no longer reads (an unknown state): its outcome cannot be recorded, the
    /// run's savepoint is undone, and the others are recorded one at a time.
    @Test func anOutcomeThatCannotBeRecordedCostsOnlyItself() throws {
        let engine = try switching()
        try engine.store.database.execute("UPDATE windows SET state = 'bogus' WHERE id = 'two'")
        engine.complete([Self.answer(1), Self.answer(3), Self.answer(2)], now: Self.answered)
        let records = try recorded(engine)
        #expect(records.contains("a active 1") && records.contains("b active 1"))
        #expect(records.contains("c activating 0"), "not recorded: its attempt is made again")
        #expect(records.filter { $0.contains("target.activated") }.count == 2)
    }
}
