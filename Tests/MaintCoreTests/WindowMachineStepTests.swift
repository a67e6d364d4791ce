import Foundation
import MaintCore
import Testing

/// The window machine on values alone: a fake clock, windows and targets in memory, and every
/// switch answered by the test. No store, request, program, socket or sleep.
struct WindowMachineStepTests {
    static let t0: Int64 = 1_900_000_000_000
    static let minute: Int64 = 60_000

    /// Windows, targets and notices in memory, stepped like the engine steps them: each round
    /// steps every open window, writes what it decided, and keeps the work it asked for.
    struct World {
        var now: Int64 = WindowMachineStepTests.t0
        var windows: [String: WindowRecord] = [:]
        var targets: [String: [TargetStateRecord]] = [:]
        var notices: [String: [NoticeRecord]] = [:]
        var events: [WindowStep.Event] = []
        var announced: [(window: String, event: AnnouncementEvent, extra: [String: JSONValue])] = []
        var switching: Set<String> = []
        /// Files that expire after 10 minutes, read every minute: a rearm; others are probed.
        var look: @Sendable (String, Bool) -> Look? = { name, _ in name.hasPrefix("wp") ? .rearm(after: 10 * minute) : .probe(after: minute) }

        /// Targets with no health checks: healthy as soon as they are off.
        var withoutChecks: Set<String> = []

        var machine: WindowMachine {
            let none = withoutChecks
            return WindowMachine(now: now, switching: switching, look: look, hasHealthChecks: { !none.contains($0) })
        }

        mutating func add(_ id: String, start: Int64, end: Int64?, targets names: [String], stages: [String: Int] = [:],
                          notices offsets: [Int64] = [], onFailure: StageFailure = .halt, series: String? = nil) {
            windows[id] = WindowRecord(id: id, origin: series == nil ? .cli : .file, sourceFile: nil, headline: id, message: "m", page: PageFields(),
                                       selectors: names, channels: ["ops"], timezone: "UTC", startAt: start, endAt: end,
                                       healthTimeoutMilliseconds: nil, state: .scheduled, fingerprint: nil, createdAt: now, updatedAt: now,
                                       series: series, onFailure: onFailure)
            targets[id] = names.map {
                TargetStateRecord(windowId: id, target: $0, state: .pending, attempts: 0, nextAttemptAt: nil, phaseStartedAt: nil,
                                  activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil, stage: stages[$0] ?? 0)
            }
            notices[id] = offsets.map { NoticeRecord(windowId: id, offsetMilliseconds: $0, dueAt: start - $0, state: .pending) }
        }

        func target(_ name: String, of window: String) -> TargetStateRecord? { targets[window]?.first { $0.target == name } }
        func state(_ window: String) -> WindowState? { windows[window]?.state }
        func kinds(_ window: String) -> [String] { events.filter { $0.window == window }.map(\.kind) }

        /// What the store's `holds` query answers: open, started windows whose record of the target holds it.
        func holders(of name: String, besides id: String) -> WindowMachine.Holders {
            let holding = windows.values
                .filter { $0.id != id && !$0.state.isTerminal && $0.state != .scheduled && target(name, of: $0.id)?.state.holds == true }
                .sorted { ($0.startAt, $0.id) < ($1.startAt, $1.id) }
            return WindowMachine.Holders(windows: holding, newest: holding.last.flatMap { target(name, of: $0.id) })
        }

        mutating func apply(_ step: WindowStep) {
            windows[step.window.id] = step.window
            if step.dropsPendingNotices {
                notices[step.window.id] = notices[step.window.id]?.map { var n = $0; if n.state == .pending { n.state = .skipped }; return n }
            }
            for notice in step.notices {
                notices[notice.windowId] = notices[notice.windowId]?.map { $0.offsetMilliseconds == notice.offsetMilliseconds ? notice : $0 }
            }
            for target in step.targets {
                targets[target.windowId] = targets[target.windowId]?.map { $0.target == target.target ? target : $0 }
            }
            events += step.events
            announced += step.announcements.map { (step.window.id, $0.event, $0.extra) }
        }

        /// One round at `now`: every open window stepped in start order; the work each asked for.
        mutating func round() -> [String: [WindowStep.Effect]] {
            var effects: [String: [WindowStep.Effect]] = [:]
            for window in windows.values.filter({ !$0.state.isTerminal }).sorted(by: { ($0.startAt, $0.id) < ($1.startAt, $1.id) }) {
                let machine = self.machine
                var holders: [String: WindowMachine.Holders] = [:]
                for name in machine.targetsNeedingHolders(window, targets[window.id] ?? []) {
                    holders[name] = self.holders(of: name, besides: window.id)
                }
                let step = machine.step(window, targets: targets[window.id] ?? [], notices: notices[window.id] ?? [], holders: holders)
                apply(step)
                if !step.effects.isEmpty { effects[window.id] = step.effects }
                // A switch asked for is in flight until it is answered.
                for effect in step.effects {
                    if case .switchOn(let name) = effect { switching.insert(name) }
                    if case .switchOff(let name) = effect { switching.insert(name) }
                }
            }
            return effects
        }

        /// A switch answered: it worked, or it failed (retried after 1 s, up to `retries` times).
        mutating func answer(_ window: String, _ name: String, activate: Bool, ok: Bool = true, retries: Int = 2) {
            guard let record = windows[window], let target = target(name, of: window) else { Issue.record("no \(name) in \(window)"); return }
            switching.remove(name)
            let step = ok ? machine.switched(record, target, activate: activate, detail: "HTTP 204", elapsed: 5)
                : machine.switchFailed(record, target, activate: activate, error: "HTTP 503", final: false, retries: retries) { _ in 1_000 }
            if let step { apply(step) }
        }

        /// A round of a target's checks came back: all passed, or one failed (within a 5-minute
        /// health timeout, checked again 10 s later).
        mutating func check(_ window: String, _ name: String, passing: Bool) {
            guard let record = windows[window], let target = target(name, of: window) else { Issue.record("no \(name) in \(window)"); return }
            let step = machine.checked(record, target, results: WindowMachineStepTests.results(passing), healthTimeout: 5 * minute,
                                       retryInterval: 10_000)
            if let step { apply(step) } else { Issue.record("\(name) was not waiting for its checks") }
        }

        /// The health checks of a target came back: passed (or not, for good).
        mutating func settle(_ window: String, _ name: String, healthy: Bool = true) {
            targets[window] = targets[window]?.map { var t = $0; if t.target == name { t.state = healthy ? .healthy : .unhealthy; t.nextAttemptAt = nil }; return t }
        }
    }

    // MARK: Before the start

    @Test func aDueNoticeIsSentAndAStaleOneIsSkippedNeverSentLate() {
        var world = World()
        world.add("w", start: Self.t0 + 60 * Self.minute, end: Self.t0 + 120 * Self.minute, targets: ["a"], notices: [60 * Self.minute, 24 * 60 * Self.minute])
        #expect(world.round().isEmpty)
        #expect(world.notices["w"]?.map(\.state) == [.sent, .skipped])
        #expect(world.announced.map(\.event) == [.notice])
        #expect(world.announced.first?.extra["notice"]?["offset"]?.stringValue == "1h")
        #expect(world.kinds("w") == ["notice.sent", "notice.skipped"])
        #expect(world.state("w") == .scheduled)
    }

    @Test func aWindowThatPassedWhileNothingRanIsMissedAndSwitchesNothing() {
        var world = World()
        world.add("w", start: Self.t0 - 120 * Self.minute, end: Self.t0 - 60 * Self.minute, targets: ["a"], notices: [Self.minute])
        #expect(world.round().isEmpty)
        #expect(world.state("w") == .missed)
        #expect(world.announced.map(\.event) == [.missed])
        #expect(world.notices["w"]?.map(\.state) == [.skipped])
    }

    @Test func atTheStartTheFirstStageIsSwitchedOnAndALateStartSaysHowLate() {
        var world = World()
        world.add("w", start: Self.t0 - 90_000, end: Self.t0 + 60 * Self.minute, targets: ["api", "web"], stages: ["web": 1], series: "nightly")
        let effects = world.round()
        #expect(effects["w"] == [.renewSeries("nightly"), .switchOn("api")])
        #expect(world.state("w") == .activating)
        #expect(world.target("api", of: "w")?.state == .activating)
        #expect(world.target("web", of: "w")?.state == .pending)
        #expect(world.events.first?.message == "activating 2 target(s), 1m30s after the planned start")
    }

    // MARK: Activation

    @Test func stagesGoOneAfterAnotherAndStartIsAnnouncedOnceAllAreOn() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["api", "web"], stages: ["web": 1])
        #expect(world.round()["w"] == [.switchOn("api")])
        // The first stage is still on its way: nothing else moves.
        #expect(world.round().isEmpty)
        world.answer("w", "api", activate: true)
        #expect(world.round()["w"] == [.switchOn("web")])
        #expect(world.kinds("w").contains("stage.activating"))
        world.answer("w", "web", activate: true)
        #expect(world.round().isEmpty)
        #expect(world.state("w") == .active)
        #expect(world.announced.map(\.event) == [.start])
        #expect(world.target("web", of: "w")?.activatedAt == Self.t0)
    }

    @Test func aFailedStageHaltsTheLaterOnesAndStartIsAnnouncedForWhatIsOn() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["api", "db", "web"], stages: ["db": 0, "web": 1])
        _ = world.round()
        world.answer("w", "api", activate: true)
        world.answer("w", "db", activate: true, ok: false, retries: 0)
        #expect(world.target("db", of: "w")?.state == .failed)
        #expect(world.announced.map(\.event) == [.failure])
        #expect(world.round().isEmpty)
        #expect(world.target("web", of: "w")?.state == .skipped)
        #expect(world.state("w") == .active)
        #expect(world.events.last { $0.kind == "window.active" }?.message == "1 of 3 target(s) in maintenance")
        // At the end, the stage that ran comes back, the failed target too (a half-applied switch
        // must not stay on); the skipped stage is never touched.
        world.now = Self.t0 + 60 * Self.minute
        #expect(world.round()["w"] == [.switchOff("api"), .switchOff("db")])
        world.answer("w", "api", activate: false)
        world.answer("w", "db", activate: false)
        world.settle("w", "api")
        world.settle("w", "db")
        _ = world.round()
        #expect(world.targets["w"]?.map(\.state) == [.healthy, .healthy, .skipped])
        #expect(world.state("w") == .failed)
        #expect(world.events.last?.message == "2 of 3 target(s) failed or never went into maintenance; 2 of 3 target(s) back and healthy",
                "a failed window does not read like a success")
    }

    @Test func aFailingTargetNeverHoldsTheOthersBack() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 6_000, targets: ["good", "slow"])
        _ = world.round()
        world.answer("w", "good", activate: true)
        world.answer("w", "slow", activate: true, ok: false)
        // Every target answered once and one is on: active, `start` announced, the other retried.
        #expect(world.round().isEmpty)
        #expect(world.state("w") == .active)
        #expect(world.announced.map(\.event) == [.start])
        #expect(world.events.last { $0.kind == "window.active" }?.message == "1 of 2 target(s) in maintenance; still retrying: slow")
        world.now += 1_000
        #expect(world.round()["w"] == [.switchOn("slow")])
        world.answer("w", "slow", activate: true, ok: false, retries: 5)
        // At the end both are switched off, the one still being retried too.
        world.now = Self.t0 + 6_000
        #expect(world.round()["w"] == [.switchOff("good"), .switchOff("slow")])
        #expect(world.state("w") == .deactivating)
    }

    // MARK: In maintenance

    @Test func anExpiringSwitchIsMadeAgainAndAReadableOneIsProbed() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["wp-blog", "shop"])
        _ = world.round()
        world.answer("w", "wp-blog", activate: true)
        world.answer("w", "shop", activate: true)
        _ = world.round()
        #expect(world.target("wp-blog", of: "w")?.nextAttemptAt == Self.t0 + 10 * Self.minute)
        world.now = Self.t0 + 10 * Self.minute
        #expect(world.round()["w"] == [.switchOn("wp-blog"), .probe("shop")])
        #expect(world.target("wp-blog", of: "w")?.state == .refreshing)
        world.answer("w", "wp-blog", activate: true)
        #expect(world.target("wp-blog", of: "w")?.state == .active)
        #expect(world.kinds("w").last == "target.refreshed")
    }

    @Test func aTargetFoundOutOfMaintenanceIsSwitchedBack() throws {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["shop"])
        _ = world.round()
        world.answer("w", "shop", activate: true)
        _ = world.round()
        let window = try #require(world.windows["w"])
        let record = try #require(world.target("shop", of: "w"))
        let inMaintenance = try #require(world.machine.probed(window, record, inMaintenance: true, detail: "probe: in maintenance"))
        #expect(inMaintenance.targets.first?.nextAttemptAt == Self.t0 + Self.minute)
        let drifted = try #require(world.machine.probed(window, record, inMaintenance: false, detail: "flag absent"))
        world.apply(drifted)
        #expect(world.target("shop", of: "w")?.state == .refreshing)
        #expect(world.events.last?.message == "found out of maintenance (flag absent); switching it back")
        #expect(world.round()["w"] == [.switchOn("shop")])
    }

    @Test func aWindowToEndWhenHealthyAsksForADoneRound() {
        var world = World()
        world.add("w", start: Self.t0, end: nil, targets: ["shop"])
        _ = world.round()
        world.answer("w", "shop", activate: true)
        _ = world.round()
        world.windows["w"]?.endWhenHealthy = true
        #expect(world.round()["w"] == [.doneRound])
    }

    // MARK: Retries

    @Test func aFailedSwitchIsRetriedWithBackoffThenFailsWithAnAnnouncement() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["shop"])
        _ = world.round()
        world.answer("w", "shop", activate: true, ok: false, retries: 1)
        #expect(world.target("shop", of: "w")?.nextAttemptAt == Self.t0 + 1_000)
        #expect(world.events.last?.message == "activate attempt 1 failed: HTTP 503; next try in 1s")
        // Not yet due: no second try before the backoff.
        #expect(world.round().isEmpty)
        world.now += 1_000
        #expect(world.round()["w"] == [.switchOn("shop")])
        world.answer("w", "shop", activate: true, ok: false, retries: 1)
        #expect(world.target("shop", of: "w")?.state == .failed)
        #expect(world.announced.last?.event == .failure)
        #expect(world.announced.last?.extra["failure"]?["attempts"] == .number(2))
        // Nothing is on: the window failed.
        _ = world.round()
        #expect(world.state("w") == .failed)
    }

    @Test func anOutcomeForATargetThatMovedOnIsIgnored() throws {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["shop"])
        _ = world.round()
        let window = try #require(world.windows["w"])
        let record = try #require(world.target("shop", of: "w"))
        // An activate outcome arriving for a target that waits for its deactivate counts for nothing.
        var ending = record
        ending.state = .deactivating
        #expect(world.machine.switched(window, ending, activate: true, detail: "HTTP 200", elapsed: 1) == nil)
        #expect(world.machine.switchFailed(window, ending, activate: true, error: "x", final: false, retries: 3) { _ in 1 } == nil)
    }

    /// An outcome's line for the log says what came back, at the severity it deserves; it is
    /// made when read, from what the outcome was.
    @Test func anOutcomesLogLineSaysWhatCameBack() throws {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["shop"])
        world.now = Self.t0
        _ = world.round()
        let window = try #require(world.windows["w"])
        var record = try #require(world.target("shop", of: "w"))
        record.state = .activating
        let switched = try #require(world.machine.switched(window, record, activate: true, detail: "HTTP 200", elapsed: 40))
        #expect(switched.notes.map(\.severity) == [.info])
        #expect(switched.notes.map(\.text) == ["window w: shop activated (HTTP 200, 40 ms)"])
        let failed = try #require(world.machine.switchFailed(window, record, activate: true, error: "HTTP 503", final: true, retries: 3) { _ in 1 })
        #expect(failed.notes.map(\.severity) == [.error])
        #expect(failed.notes.map(\.text) == ["window w: shop: activate failed: HTTP 503 (giving up)"])
        #expect(switched.notes != failed.notes)
    }

    @Test func aRefreshThatFailsLeavesTheTargetInMaintenance() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + 60 * Self.minute, targets: ["shop"])
        _ = world.round()
        world.answer("w", "shop", activate: true)
        world.targets["w"] = world.targets["w"]?.map { var t = $0; t.state = .refreshing; t.attempts = 0; return t }
        world.answer("w", "shop", activate: true, ok: false, retries: 0)
        #expect(world.target("shop", of: "w")?.state == .active)
        #expect(world.kinds("w").last == "target.refresh-failed")
        #expect(world.announced.last?.extra["failure"]?["action"]?.stringValue == "update")
    }

    // MARK: The end

    /// Window `w`: `api` in stage 1, `web` in stage 2, both switched on, ending at `t0` + 1 minute.
    static func twoStagesInMaintenance() -> World {
        var world = World()
        world.add("w", start: t0, end: t0 + minute, targets: ["api", "web"], stages: ["web": 1])
        _ = world.round()
        world.answer("w", "api", activate: true)
        _ = world.round()
        world.answer("w", "web", activate: true)
        _ = world.round()
        return world
    }

    @Test func stagesGoBackInReverseThenChecksThenTheEndIsAnnounced() {
        var world = Self.twoStagesInMaintenance()
        world.now = Self.t0 + Self.minute
        #expect(world.round()["w"] == [.switchOff("web")])
        #expect(world.target("api", of: "w")?.state == .waiting)
        world.answer("w", "web", activate: false)
        #expect(world.round()["w"] == [.switchOff("api"), .checks("web")])
        world.answer("w", "api", activate: false)
        world.settle("w", "web")
        #expect(world.round()["w"] == [.checks("api")])
        #expect(world.state("w") == .verifying)
        world.settle("w", "api", healthy: false)
        _ = world.round()
        #expect(world.state("w") == .degraded)
        #expect(world.announced.last?.event == .end)
        #expect(world.announced.last?.extra["result"]?.stringValue == "degraded")
        #expect(world.events.last?.message == "1 of 2 target(s) back and healthy")
    }

    @Test func aTargetWithNoChecksIsHealthyInTheStepThatSwitchedItOff() {
        var world = Self.twoStagesInMaintenance()
        world.withoutChecks = ["web"]
        world.now = Self.t0 + Self.minute
        #expect(world.round()["w"] == [.switchOff("web")])
        world.answer("w", "web", activate: false)
        // Off and healthy in one decision: no round of checks is asked for it.
        let web = world.target("web", of: "w")
        #expect(web?.state == .healthy)
        #expect(web?.attempts == 1)
        #expect(web?.deactivatedAt == Self.t0 + Self.minute)
        #expect(web?.health == "[]")
        #expect(Array(world.kinds("w").suffix(2)) == ["target.deactivated", "target.healthy"])
        #expect(world.events.last?.message == "no health checks defined")
        #expect(world.round()["w"] == [.switchOff("api")])
        // A target with checks is still checked after its deactivation.
        world.answer("w", "api", activate: false)
        #expect(world.target("api", of: "w")?.state == .verifying)
        #expect(world.round()["w"] == [.checks("api")])
        world.check("w", "api", passing: true)
        _ = world.round()
        #expect(world.state("w") == .completed)
        #expect(world.events.last?.message == "2 of 2 target(s) back and healthy")
    }

    @Test func aTargetHeldByTwoWindowsStaysOnUntilTheLastEnds() {
        var world = World()
        world.add("first", start: Self.t0, end: Self.t0 + Self.minute, targets: ["shop"])
        world.add("second", start: Self.t0 + 1, end: Self.t0 + 2 * Self.minute, targets: ["shop"])
        world.now = Self.t0 + 1
        _ = world.round()
        world.answer("first", "shop", activate: true)
        world.answer("second", "shop", activate: true)
        _ = world.round()
        // The first ends while the second holds the target: held, not switched off; the second tells it again.
        world.now = Self.t0 + Self.minute
        let effects = world.round()
        #expect(effects["first"] == nil)
        #expect(world.target("shop", of: "first")?.state == .held)
        #expect(world.events.first { $0.kind == "target.held" }?.message == "left in maintenance: still held by second")
        #expect(world.state("first") == .completed)
        #expect(world.events.last { $0.window == "first" }?.message == "0 of 1 target(s) back and healthy, 1 still held by other windows")
        #expect(world.target("shop", of: "second")?.state == .refreshing)
        #expect(effects["second"] == [.switchOn("shop")])
        world.answer("second", "shop", activate: true)
        // The last hold's end switches it off.
        world.now = Self.t0 + 2 * Self.minute
        #expect(world.round()["second"] == [.switchOff("shop")])
    }

    @Test func whoElseHoldsATargetIsAskedOnlyWhenItMayBeSwitchedOff() throws {
        var world = Self.twoStagesInMaintenance()
        let active = try #require(world.windows["w"])
        // In maintenance before its end: no target can be switched off, nobody is asked.
        #expect(world.machine.targetsNeedingHolders(active, world.targets["w"] ?? []).isEmpty)
        world.now = Self.t0 + Self.minute
        #expect(world.machine.targetsNeedingHolders(active, world.targets["w"] ?? []) == ["api", "web"])
        _ = world.round()
        world.answer("w", "web", activate: false)
        _ = world.round()
        // Ending: the target on its way off is asked about once its switch is answered, and
        // only if it is due again (a retry); never the one being checked.
        let ending = try #require(world.windows["w"])
        #expect(world.target("web", of: "w")?.state == .verifying)
        #expect(world.switching == ["api"])
        #expect(world.machine.targetsNeedingHolders(ending, world.targets["w"] ?? []).isEmpty)
        world.answer("w", "api", activate: false, ok: false)
        #expect(world.machine.targetsNeedingHolders(ending, world.targets["w"] ?? []).isEmpty, "its retry is not due yet")
        world.now += 1_000
        #expect(world.machine.targetsNeedingHolders(ending, world.targets["w"] ?? []) == ["api"])
    }

    @Test func aTargetWithASwitchInFlightIsNotAskedForASecondOne() {
        var world = World()
        world.add("first", start: Self.t0, end: Self.t0 + Self.minute, targets: ["shop"])
        world.add("second", start: Self.t0, end: Self.t0 + 2 * Self.minute, targets: ["shop"])
        _ = world.round()
        world.answer("first", "shop", activate: true)
        world.answer("second", "shop", activate: true)
        _ = world.round()
        world.now = Self.t0 + Self.minute
        // A switch of the target is in flight (a refresh, say): the first window's end waits for
        // it to land before it hands the target on or switches it.
        world.switching = ["shop"]
        #expect(world.round()["first"] == nil)
        #expect(world.target("shop", of: "first")?.state == .deactivating)
        world.switching = []
        _ = world.round()
        #expect(world.target("shop", of: "first")?.state == .held)
    }

    @Test func aWindowThatEndsBeforeALaterStageSkipsIt() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + Self.minute, targets: ["api", "web"], stages: ["web": 1])
        _ = world.round()
        world.answer("w", "api", activate: true)
        world.now = Self.t0 + Self.minute
        #expect(world.round()["w"] == [.switchOff("api")])
        #expect(world.target("web", of: "w")?.state == .skipped)
        #expect(world.events.contains { $0.kind == "target.skipped" && $0.message == "not switched: the window ended before its stage began" })
    }

    @Test func aTargetThatNeverWentIntoMaintenanceFailsTheWindow() {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + Self.minute, targets: ["a", "b"])
        _ = world.round()
        world.answer("w", "a", activate: true)
        world.answer("w", "b", activate: false)  // not awaited: ignored
        world.now = Self.t0 + Self.minute
        _ = world.round()
        world.answer("w", "a", activate: false)
        world.answer("w", "b", activate: false)
        world.settle("w", "a")
        world.settle("w", "b")
        _ = world.round()
        #expect(world.state("w") == .failed)
        #expect(world.announced.last?.extra["result"]?.stringValue == "failed")
    }

    @Test func reactivatedTargetsMakeTheWindowActiveAgainOnceOn() {
        var world = World()
        world.add("w", start: Self.t0, end: nil, targets: ["a"])
        world.windows["w"]?.state = .reactivating
        world.targets["w"] = world.targets["w"]?.map { var t = $0; t.state = .activating; t.nextAttemptAt = Self.t0; t.activatedAt = Self.t0; return t }
        #expect(world.round()["w"] == [.switchOn("a")])
        world.answer("w", "a", activate: true)
        _ = world.round()
        #expect(world.state("w") == .active)
        #expect(world.events.last?.message == "back in maintenance: a")
    }

    @Test func closingAWindowThatNeverStartedDropsItsNoticesAndAnnouncesIt() throws {
        var world = World()
        world.add("w", start: Self.t0 + Self.minute, end: Self.t0 + 2 * Self.minute, targets: ["a"])
        let step = world.machine.close(try #require(world.windows["w"]), as: .canceled, reason: "canceled from the command line")
        #expect(step.window.state == .canceled)
        #expect(step.dropsPendingNotices)
        #expect(step.announcements.map(\.event) == [.canceled])
        #expect(step.events.map(\.message) == ["canceled from the command line"])
    }

    // MARK: Health, extend and update, done

    static func results(_ ok: Bool) -> [CheckResult] {
        [CheckResult(check: "home", ok: true, status: 200, responseTimeMs: 3, detail: "[STATUS] == 200"),
         CheckResult(check: "api", ok: ok, status: ok ? 200 : 503, responseTimeMs: 4, detail: ok ? "[STATUS] == 200" : "failed: [STATUS] (503) == 200")]
    }

    /// A window past its end whose only target was switched off at `t0`, and is being checked.
    static func verifying(onHealthFailure: HealthFailure = .alert) -> World {
        var world = World()
        world.add("w", start: Self.t0 - 2 * Self.minute, end: Self.t0, targets: ["shop"])
        world.windows["w"]?.state = .verifying
        world.windows["w"]?.onHealthFailure = onHealthFailure
        world.targets["w"] = world.targets["w"]?.map {
            var t = $0; t.state = .verifying; t.activatedAt = Self.t0 - 2 * Self.minute; t.phaseStartedAt = Self.t0; t.nextAttemptAt = Self.t0; return t
        }
        return world
    }

    @Test func passingChecksMakeATargetHealthyAndFailingOnesAreTriedAgain() {
        var world = Self.verifying()
        #expect(world.round()["w"] == [.checks("shop")])
        world.check("w", "shop", passing: false)
        #expect(world.target("shop", of: "w")?.state == .verifying)
        #expect(world.target("shop", of: "w")?.nextAttemptAt == Self.t0 + 10_000)
        #expect(world.events.last?.message == "home: ok; api: failed: [STATUS] (503) == 200")
        #expect(world.round().isEmpty)
        world.now += 10_000
        #expect(world.round()["w"] == [.checks("shop")])
        world.check("w", "shop", passing: true)
        #expect(world.target("shop", of: "w")?.state == .healthy)
        #expect(world.target("shop", of: "w")?.health?.contains("\"check\":\"api\"") == true)
        _ = world.round()
        #expect(world.state("w") == .completed)
    }

    @Test func checksStillFailingAtTheTimeoutLeaveTheTargetUnhealthy() {
        var world = Self.verifying()
        world.now = Self.t0 + 5 * Self.minute
        world.check("w", "shop", passing: false)
        #expect(world.target("shop", of: "w")?.state == .unhealthy)
        _ = world.round()
        #expect(world.state("w") == .degraded)
    }

    @Test func withReactivateAFailingTargetGoesBackIntoMaintenanceWithNoEnd() {
        var world = Self.verifying(onHealthFailure: .reactivate)
        world.now = Self.t0 + 5 * Self.minute
        world.check("w", "shop", passing: false)
        #expect(world.state("w") == .reactivating)
        #expect(world.windows["w"]?.endAt == nil)
        #expect(world.target("shop", of: "w")?.state == .activating)
        #expect(world.announced.last?.event == .failure)
        #expect(world.announced.last?.extra["failure"]?["action"]?.stringValue == "health")
        #expect(world.round()["w"] == [.switchOn("shop")])
    }

    @Test func extendAndUpdateTellAgainOnlyTheTargetsWhoseDriverShowsIt() throws {
        var world = World()
        world.add("w", start: Self.t0, end: Self.t0 + Self.minute, targets: ["lb", "shop"])
        let window = try #require(world.windows["w"])
        // Not started: nothing to tell.
        #expect(world.machine.tellAgain(world.targets["w"] ?? [], of: window, refreshes: { _ in true }).isEmpty)
        _ = world.round()
        world.answer("w", "lb", activate: true)
        world.answer("w", "shop", activate: true)
        _ = world.round()
        let active = try #require(world.windows["w"])
        let told = world.machine.tellAgain(world.targets["w"] ?? [], of: active, refreshes: { $0 != "lb" })
        #expect(told.map(\.target) == ["shop"])
        #expect(told.first?.state == .refreshing && told.first?.nextAttemptAt == Self.t0)
    }

    @Test func doneEndsTheWindowNowAndTheEndFollows() throws {
        var world = World()
        world.add("w", start: Self.t0, end: nil, targets: ["shop"])
        _ = world.round()
        world.answer("w", "shop", activate: true)
        _ = world.round()
        world.now += Self.minute
        let window = try #require(world.windows["w"])
        world.apply(world.machine.endWhenHealthy(window, summary: "all 2 check(s) pass"))
        #expect(world.windows["w"]?.endAt == Self.t0 + Self.minute)
        #expect(world.events.last?.message == "all 2 check(s) pass: ending the window")
        #expect(world.round()["w"] == [.switchOff("shop")])
    }
}
