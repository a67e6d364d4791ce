@testable import MaintEngine
import Testing

/// The counts beside the keys answer what the scheduler asks on every launch.
struct InFlightWorkTests {
    @Test func aTargetIsSwitchingWhileAnyWindowsActionOnItIsInFlight() {
        var work = InFlightWork()
        work.insert(.action(window: "a", target: "shop"))
        work.insert(.action(window: "b", target: "shop"))
        work.insert(.action(window: "b", target: "blog"))
        work.insert(.action(window: "b", target: "blog"))  // already there: counted once
        work.insert(.checks(window: "c", target: "wiki"))
        #expect(work.switching("shop") && work.switching("blog") && !work.switching("wiki"))
        #expect(work.actions(of: "a") == 1 && work.actions(of: "b") == 2 && work.actions(of: "c") == 0)
        work.remove(.action(window: "a", target: "shop"))
        #expect(work.switching("shop"))
        work.remove(.action(window: "b", target: "shop"))
        work.remove(.action(window: "b", target: "shop"))  // not there any more: no underflow
        #expect(!work.switching("shop"))
        #expect(work.actions(of: "b") == 1)
        #expect(work.contains(.checks(window: "c", target: "wiki")))
    }
}
