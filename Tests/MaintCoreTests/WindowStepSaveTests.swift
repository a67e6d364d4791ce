@testable import MaintCore
import Testing

/// A step keeps each target's record once, the last saved, in the order first saved: whether
/// it saved a few (looked through) or many (found in a table made at the ninth).
struct WindowStepSaveTests {
    private static let window = WindowRecord(id: "w", origin: .cli, sourceFile: nil, headline: "h", message: "m", page: PageFields(),
                                             selectors: [], channels: [], timezone: "UTC", startAt: 0, endAt: nil,
                                             healthTimeoutMilliseconds: nil, state: .active, fingerprint: nil, createdAt: 0, updatedAt: 0)

    private func record(_ window: String, _ target: String, attempts: Int) -> TargetStateRecord {
        TargetStateRecord(windowId: window, target: target, state: .active, attempts: attempts, nextAttemptAt: nil, phaseStartedAt: nil,
                          activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil)
    }

    @Test(arguments: [1, 7, 8, 9, 30])
    func eachTargetIsKeptOnceAsLastSaved(count: Int) {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var step = WindowStep(window: Self.window)
            if round.isMultiple(of: 2) { step.reserveTargets(count) }
            var expected: [(key: String, record: TargetStateRecord)] = []
            for attempt in 0..<(count * 3) {
                // The same name in two windows is two records.
                let record = record(Bool.random(using: &generator) ? "w" : "v", "t\(Int.random(in: 0..<count, using: &generator))", attempts: attempt)
                let key = record.windowId + "/" + record.target
                if let place = expected.firstIndex(where: { $0.key == key }) { expected[place].record = record } else { expected.append((key, record)) }
                step.save(record)
            }
            #expect(step.targets == expected.map(\.record), "\(count) targets, round \(round)")
        }
    }
}
