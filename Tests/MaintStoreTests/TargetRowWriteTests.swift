import Foundation
import MaintCore
import MaintStore
import Testing

/// `saveTargets` writes rows taking the same values with one statement: whatever the runs, each
/// row reads back as the last record written for it, its stage as it was.
struct TargetRowWriteTests {
    /// Names JSON must escape or SQLite might mistake, beside plain ones.
    static let names = ["plain", "with \"quotes\"", "back\\slash", "comma,name", "[bracket]", "ünïcödé", "tab\tname", "t0", "t1", "t10", "T2", "a'b"]

    func store(_ label: String, stages: [String: Int]) throws -> MaintenanceStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("writes-\(UUID().uuidString)/\(label).db").path
        let store = try MaintenanceStore(path: path)
        let window = WindowRecord(id: "w", origin: .cli, sourceFile: nil, headline: "H", message: "M", page: PageFields(), selectors: [], channels: [],
                                  timezone: "UTC", startAt: 0, endAt: 10, healthTimeoutMilliseconds: nil, state: .activating, fingerprint: nil,
                                  createdAt: 0, updatedAt: 0)
        try store.insertWindow(window, targets: Self.names, stages: stages, notices: [])
        return store
    }

    @Test func rowsWrittenTogetherReadBackAsEachWasWrittenLast() throws {
        var generator = SystemRandomNumberGenerator()
        let states: [TargetState] = [.activating, .active, .failed, .verifying]
        for round in 0..<30 {
            let stages = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, Int.random(in: 0...2, using: &generator)) })
            let store = try store("round-\(round)", stages: stages)
            store.keepsTargetRows = round.isMultiple(of: 2)
            let before = try store.targets(of: "w")
            // Runs of rows with the same values (as a step switching a fleet writes them), some
            // rows alone, and some targets written more than once. Each run's values differ
            // from the run before in one column: a column the runs are not told apart by shows.
            var written: [TargetStateRecord] = []
            var values = try #require(before.first)
            values.stage = 9  // not written: the stage stays as read
            for run in 0..<Int.random(in: 1...8, using: &generator) {
                let number = Int64(round * 100 + run)
                switch Int.random(in: 0...8, using: &generator) {
                case 0: values.state = try #require(states.filter { $0 != values.state }.randomElement(using: &generator))
                case 1: values.attempts += 1
                case 2: values.nextAttemptAt = values.nextAttemptAt == nil ? number : nil
                case 3: values.phaseStartedAt = number
                case 4: values.activatedAt = number
                case 5: values.deactivatedAt = number
                case 6: values.lastError = values.lastError == nil ? "error \"\(number)\"" : nil
                case 7: values.health = "[\(number)]"
                default: values.driverState = values.driverState == nil ? "silence-\(number)" : nil
                }
                for name in Self.names.shuffled(using: &generator).prefix(Int.random(in: 1...Self.names.count, using: &generator)) {
                    values.target = name
                    written.append(values)
                }
            }
            try store.saveTargets(written)
            let expected = before.map { read in
                var last = written.last { $0.target == read.target } ?? read
                last.stage = read.stage
                return last
            }
            #expect(try store.targets(of: "w") == expected, "round \(round)")
            let again = try MaintenanceStore(path: store.database.path)
            #expect(try again.targets(of: "w") == expected, "round \(round), read by another connection")
        }
    }

    /// A window's targets come by stage, and by name (as SQLite orders text, byte by byte)
    /// within a stage.
    @Test func aWindowsTargetsComeByStageThenByName() throws {
        let stages = ["t10": 1, "plain": 2, "T2": 1, "ünïcödé": 0, "a'b": 2]
        let store = try store("order", stages: stages)
        let expected = Self.names.sorted { first, second in
            let (firstStage, secondStage) = (stages[first] ?? 0, stages[second] ?? 0)
            return firstStage != secondStage ? firstStage < secondStage : first.utf8.lexicographicallyPrecedes(second.utf8)
        }
        #expect(try store.targets(of: "w").map(\.target) == expected)
        #expect(try store.targets(of: "w").map(\.stage) == expected.map { stages[$0] ?? 0 })
    }
}
