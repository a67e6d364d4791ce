@testable import MaintEngine
import MaintCore
import Testing

/// What a step's effects are started with: the step's own record of a target, else the one read,
/// of the step's window only, whatever order the effects name them in.
struct EffectRecordsTests {
    private func record(_ window: String, _ target: String, _ state: TargetState, attempts: Int = 0) -> TargetStateRecord {
        TargetStateRecord(windowId: window, target: target, state: state, attempts: attempts, nextAttemptAt: nil, phaseStartedAt: nil,
                          activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil)
    }

    @Test func theStepsRecordComesBeforeTheOneReadInAnyOrder() {
        let read = (0..<6).map { record("w", "t\($0)", .pending) } + [record("other", "t1", .active), record("w", "t5", .pending, attempts: 9)]
        let changed = [record("w", "t1", .activating), record("other", "t2", .failed), record("w", "t3", .activating), record("w", "t4", .activating)]
        // In the step's order, out of it, a name only read, one of another window, and a name twice.
        for order in [["t1", "t3", "t4"], ["t4", "t1", "t3"], ["t3", "t0", "t1", "t2", "t5", "t4", "t4", "nope"]] {
            var records = EffectRecords(window: "w", read: read, changed: changed)
            for name in order {
                let found = records.record(name)
                switch name {
                case "t1", "t3", "t4": #expect(found == changed.first { $0.windowId == "w" && $0.target == name }, "\(order): \(name)")
                case "t5": #expect(found?.attempts == 9, "the last read of a name: \(order)")
                case "nope": #expect(found == nil)
                default: #expect(found == read.first { $0.windowId == "w" && $0.target == name }, "\(order): \(name)")
                }
            }
        }
        let records = EffectRecords(window: "w", read: read, changed: changed)
        #expect(records.names == Set((0..<6).map { "t\($0)" }))
    }
}
