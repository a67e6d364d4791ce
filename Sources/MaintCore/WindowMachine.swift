/// The window lifecycle as decisions on values: given a window, its targets and notices, what
/// other windows hold its targets, and the instant, `step` says where the window goes and what to
/// do, as a `WindowStep`. It reads no clock, store, file or socket; the engine reads the state,
/// commits the step, then starts its effects, and feeds their outcomes back through the
/// `switched`, `switchFailed` and `probed` decisions.
///
/// Window: scheduled → activating → active → deactivating → verifying → completed, or canceled,
/// failed, degraded, missed, skipped. Target: pending → activating → active → waiting →
/// deactivating → verifying → healthy, or unhealthy, failed, skipped, held; an active target is
/// `refreshing` while it is told a new end or message.
public struct WindowMachine {
    /// Milliseconds since the epoch.
    public var now: Int64
    /// Whether a target has a switch in flight, whichever window asked: one switch of a target at
    /// a time, so no second is asked for, and a held target is only left to another window once
    /// its own switch has landed.
    public var isSwitching: @Sendable (String) -> Bool
    /// When a target in maintenance is next looked at (its driver's `look`): by name, and whether
    /// its window is open-ended.
    public var look: @Sendable (String, Bool) -> Look?
    /// Whether a target has health checks. One with none is healthy as soon as it is off: that is
    /// decided with its deactivation, not a round later.
    public var hasHealthChecks: @Sendable (String) -> Bool

    public init(now: Int64, switching: Set<String> = [], look: @escaping @Sendable (String, Bool) -> Look? = { _, _ in nil },
                hasHealthChecks: @escaping @Sendable (String) -> Bool = { _ in true }) {
        self.init(now: now, isSwitching: { switching.contains($0) }, look: look, hasHealthChecks: hasHealthChecks)
    }

    /// `isSwitching` answers whether a target has a switch in flight: asked per target, so that
    /// no set of everything in flight is built for each decision.
    public init(now: Int64, isSwitching: @escaping @Sendable (String) -> Bool, look: @escaping @Sendable (String, Bool) -> Look? = { _, _ in nil },
                hasHealthChecks: @escaping @Sendable (String) -> Bool = { _ in true }) {
        self.now = now
        self.isSwitching = isSwitching
        self.look = look
        self.hasHealthChecks = hasHealthChecks
    }

    /// The other open windows that hold a target in maintenance.
    public struct Holders: Sendable {
        /// Oldest first.
        public var windows: [WindowRecord]
        /// The newest one's record of the target: it is told again when this window lets go.
        public var newest: TargetStateRecord?

        public init(windows: [WindowRecord], newest: TargetStateRecord?) {
            self.windows = windows
            self.newest = newest
        }
    }

    /// The targets whose other holders `step` must know: the ones it may switch off or hand on
    /// this step, so only once the window ends, and not while a switch of theirs is in flight
    /// (its outcome decides first). (Each costs the engine a query.)
    public func targetsNeedingHolders(_ window: WindowRecord, _ targets: [TargetStateRecord]) -> [String] {
        let ending: Set<TargetState>
        switch window.state {
        case .deactivating, .verifying: ending = []
        case .activating, .active:
            guard let end = window.endAt, now >= end else { return [] }
            // What `beginDeactivation` turns into `waiting`.
            ending = [.active, .refreshing, .failed, .activating]
        case .scheduled, .reactivating, .completed, .canceled, .failed, .degraded, .missed, .skipped: return []
        }
        return targets.filter { target in
            (target.state == .waiting || ending.contains(target.state) || (target.state == .deactivating && (target.nextAttemptAt ?? 0) <= now))
                && !isSwitching(target.target)
        }.map(\.target)
    }

    /// Moves one open window as far as `now` allows.
    public func step(_ window: WindowRecord, targets: [TargetStateRecord], notices: [NoticeRecord] = [],
                     holders: [String: Holders] = [:]) -> WindowStep {
        var draft = Draft(step: WindowStep(window: window), targets: targets, switching: isSwitching)
        if window.state == .scheduled {
            if let end = window.endAt, now >= end {
                draft.close(as: .missed, reason: "the window passed entirely while maint was not running; nothing was switched")
                return draft.step
            }
            guard now >= window.startAt else {
                sendDueNotices(notices, &draft)
                return draft.step
            }
            beginActivation(&draft)
        }
        switch draft.window.state {
        case .activating, .active:
            // The end is honoured at its instant, even while a target is still being retried.
            if let end = draft.window.endAt, now >= end {
                beginDeactivation(&draft)
                stepEnding(&draft, holders: holders)
            } else if draft.window.state == .activating {
                stepActivation(&draft)
            } else {
                stepActive(&draft)
            }
        case .deactivating, .verifying:
            stepEnding(&draft, holders: holders)
        case .reactivating:
            stepReactivating(&draft)
        case .scheduled, .completed, .canceled, .failed, .degraded, .missed, .skipped:
            break  // a scheduled window became activating above; the others are over
        }
        return draft.step
    }

    /// Ends a window that never started, for good (`missed`, `canceled`), with its reason.
    public func close(_ window: WindowRecord, as closing: Closing, reason: String) -> WindowStep {
        var draft = Draft(step: WindowStep(window: window), targets: [], switching: isSwitching)
        draft.close(as: closing, reason: reason)
        return draft.step
    }

    // MARK: Before the start

    /// A notice is sent if it is due and not stale: late by at most a tenth of its offset (at
    /// least a minute), and before the window starts. Stale notices are skipped, never sent late.
    func sendDueNotices(_ notices: [NoticeRecord], _ draft: inout Draft) {
        for var notice in notices where notice.state == .pending && notice.dueAt <= now {
            let lateness = now - notice.dueAt
            let stale = lateness > max(60_000, notice.offsetMilliseconds / 10)
            let offset = DurationText.format(notice.offsetMilliseconds)
            notice.state = stale ? .skipped : .sent
            draft.step.notices.append(notice)
            if stale {
                draft.step.event("notice.skipped", "the \(offset) notice was due \(DurationText.rounded(lateness)) ago; not sent late")
                draft.step.note(.warning, "\(offset) notice skipped (stale)")
            } else {
                draft.step.event("notice.sent", "\(offset) notice")
                draft.step.announce(.notice, ["notice": .object(["offset": .string(offset)])])
                draft.step.note(.info, "\(offset) notice queued")
            }
        }
    }

    func beginActivation(_ draft: inout Draft) {
        draft.setState(.activating)
        draft.step.dropsPendingNotices = true
        let lag = now - draft.window.startAt
        draft.step.event("window.activating", "activating \(draft.targets.count) target(s)" + (lag > 1000 ? ", \(DurationText.rounded(lag)) after the planned start" : ""))
        draft.step.note(.notice, "activating")
        // An occurrence starting is when its series stores the next ones.
        if let series = draft.window.series, draft.window.origin == .file { draft.step.effects.append(.renewSeries(series)) }
    }

    // MARK: Activation

    /// Stage by stage: a stage's targets are switched together; the next stage starts when none
    /// of them is still activating. After a failed stage, with `onFailure: halt`, the targets of
    /// the later stages are skipped.
    func stepActivation(_ draft: inout Draft) {
        // The targets' states in one pass, each read in place: a fleet's thousand targets are
        // read at every step, and each pass over them copied every record.
        var anyPending = false, anyActivating = false, anyUnanswered = false, anyActive = false
        for index in draft.targets.indices {
            switch draft.targets[index].state {
            case .pending: anyPending = true
            case .activating:
                anyActivating = true
                if draft.targets[index].attempts == 0 { anyUnanswered = true }
            case .active: anyActive = true
            case .refreshing, .waiting, .deactivating, .verifying, .healthy, .unhealthy, .failed, .skipped, .held: break
            }
        }
        // Every stage launched, every target has answered once, and one is in maintenance: the
        // window is active and `start` is announced; a target still being retried goes on being
        // retried meanwhile, and never holds the others back.
        if !anyPending, !anyUnanswered, anyActive {
            finishActivation(&draft)
        } else if !anyActivating {
            let pending = draft.targets.filter { $0.state == .pending }
            guard let stage = pending.map(\.stage).min() else {
                finishActivation(&draft)
                return
            }
            let halted = draft.window.onFailure == .halt && draft.targets.contains { $0.state == .failed }
            draft.step.reserveTargets(pending.count)
            for var target in pending where halted || target.stage == stage {
                target.state = halted ? .skipped : .activating
                target.attempts = 0
                target.nextAttemptAt = halted ? nil : now
                target.phaseStartedAt = now
                draft.save(target)
                if halted { draft.step.event("target.skipped", target: target.target, "not switched: an earlier stage failed (onFailure: halt)") }
            }
            if !halted && (pending.contains(where: { $0.stage != stage }) || stage > 0) {
                draft.step.event("stage.activating", "stage \(stage + 1): \(pending.filter { $0.stage == stage }.map(\.target).joined(separator: ", "))")
            }
            if halted {
                finishActivation(&draft)
                return
            }
        }
        for index in draft.targets.indices where draft.targets[index].state == .activating && (draft.targets[index].nextAttemptAt ?? 0) <= now {
            draft.switchOn(draft.targets[index].target)
        }
    }

    func finishActivation(_ draft: inout Draft) {
        let total = draft.targets.count
        let failed = draft.targets.filter { $0.state == .failed || $0.state == .skipped }
        let retrying = draft.targets.filter { $0.state == .activating }
        if failed.count == total {
            draft.setState(.failed)
            draft.step.event("window.failed", "no target could be put into maintenance")
            draft.step.note(.error, "failed, no target could be activated")
        } else {
            draft.setState(.active)
            draft.step.event("window.active", "\(total - failed.count - retrying.count) of \(total) target(s) in maintenance"
                                + (retrying.isEmpty ? "" : "; still retrying: \(retrying.map(\.target).joined(separator: ", "))"))
            draft.step.announce(.start)
            draft.step.note(.notice, "active")
        }
    }

    // MARK: In maintenance

    /// Targets told the window's new end or message (`maint extend`, `maint update`), targets
    /// whose switch expires (rearm), targets due a look at their real state, and targets whose
    /// first activation is still being retried.
    func stepActive(_ draft: inout Draft) {
        if draft.window.endWhenHealthy { draft.step.effects.append(.doneRound) }
        let openEnded = draft.window.endAt == nil
        for var target in draft.targets where (target.nextAttemptAt ?? Int64.max) <= now {
            if target.state == .active {
                guard case .rearm? = look(target.target, openEnded) else {
                    draft.step.effects.append(.probe(target.target))
                    continue
                }
                target.state = .refreshing
                target.attempts = 0
                draft.save(target)
            }
            if target.state == .refreshing || target.state == .activating { draft.switchOn(target.target) }
        }
    }

    /// Unhealthy targets going back into maintenance; the others finish their checks. When none
    /// is on its way any more, the window is active again, with no end.
    func stepReactivating(_ draft: inout Draft) {
        for target in draft.targets where (target.nextAttemptAt ?? 0) <= now {
            if target.state == .activating { draft.switchOn(target.target) }
            if target.state == .verifying { draft.step.effects.append(.checks(target.target)) }
        }
        if !draft.targets.contains(where: { [.activating, .verifying, .deactivating].contains($0.state) }) {
            draft.setState(.active)
            draft.step.event("window.active", "back in maintenance: \(draft.targets.filter { $0.state == .active }.map(\.target).joined(separator: ", "))")
        }
    }

    // MARK: The end

    func beginDeactivation(_ draft: inout Draft) {
        draft.setState(.deactivating)
        // Targets whose activation failed are switched off too: deactivation is idempotent, and
        // a half-applied activation must not stay on. A target still being retried may be on by
        // now: it is switched off too. A target whose stage never began was never switched, and
        // is left alone. Each waits for its stage's turn; stages go back in reverse order.
        for var target in draft.targets where [.active, .refreshing, .failed, .activating, .pending].contains(target.state) {
            // Made ready ahead of the start, but its first attempt not due yet: never switched.
            let notSwitchedYet = target.state == .activating && target.attempts == 0 && target.activatedAt == nil
                && (target.nextAttemptAt ?? 0) > now && !draft.switching(target.target)
            let neverStarted = target.state == .pending || notSwitchedYet
            target.state = neverStarted ? .skipped : .waiting
            target.nextAttemptAt = nil
            draft.save(target)
            if neverStarted { draft.step.event("target.skipped", target: target.target, "not switched: the window ended before its stage began") }
        }
        draft.step.event("window.deactivating", "ending maintenance")
        draft.step.note(.notice, "deactivating")
    }

    /// Deactivation and health checks, target by target; the window ends when every target has.
    func stepEnding(_ draft: inout Draft, holders: [String: Holders]) {
        let waiting = draft.targets.filter { $0.state == .waiting }
        if !draft.targets.contains(where: { $0.state == .deactivating }), let stage = waiting.map(\.stage).max() {
            for var target in waiting where target.stage == stage {
                target.state = .deactivating
                target.attempts = 0
                target.nextAttemptAt = now
                target.phaseStartedAt = now
                draft.save(target)
            }
            if waiting.contains(where: { $0.stage != stage }) || stage > 0 {
                draft.step.event("stage.deactivating", "stage \(stage + 1): \(waiting.filter { $0.stage == stage }.map(\.target).joined(separator: ", "))")
            }
        }
        for target in draft.targets where (target.nextAttemptAt ?? 0) <= now {
            if target.state == .deactivating {
                // Another window still holds it: it stays in maintenance, marked held here.
                let others = holders[target.target].map { held in held.windows.filter { $0.id != draft.window.id } } ?? []
                if !others.isEmpty && !isSwitching(target.target) {
                    leaveHeld(target, holds: others, newest: holders[target.target]?.newest, &draft)
                } else {
                    draft.switchOff(target.target)
                }
            } else if target.state == .verifying {
                draft.step.effects.append(.checks(target.target))
            }
        }
        if draft.targets.contains(where: { $0.state == .deactivating || $0.state == .waiting }) {
            draft.setState(.deactivating)
        } else if draft.targets.contains(where: { $0.state == .verifying }) {
            draft.setState(.verifying)
        } else {
            finish(&draft)
        }
    }

    /// A window ends while other windows still hold one of its targets: the target is left in
    /// maintenance (`held` here, no deactivate, no checks: those come with the last hold), and the
    /// newest remaining hold is told again, so that the target shows its text and the latest end.
    func leaveHeld(_ target: TargetStateRecord, holds: [WindowRecord], newest: TargetStateRecord?, _ draft: inout Draft) {
        var held = target
        held.state = .held
        held.nextAttemptAt = nil
        draft.save(held)
        let names = holds.map(\.id).joined(separator: ", ")
        draft.step.event("target.held", target: target.target, "left in maintenance: still held by \(names)")
        if var refresh = newest, refresh.windowId == holds.last?.id, refresh.state == .active {
            refresh.state = .refreshing
            refresh.attempts = 0
            refresh.nextAttemptAt = now
            draft.step.save(refresh)
        }
        draft.step.movedOn = true
        draft.step.note(.info, "\(target.target) stays in maintenance, held by \(names)")
    }

    func finish(_ draft: inout Draft) {
        let targets = draft.targets
        let state: WindowState
        // A target that never went into maintenance failed the window, even if it is healthy now.
        let failed = targets.filter { $0.state == .failed || $0.state == .skipped || $0.activatedAt == nil }.count
        if failed > 0 {
            state = .failed
        } else if targets.contains(where: { $0.state == .unhealthy }) {
            state = .degraded
        } else {
            state = .completed
        }
        let healthy = targets.filter { $0.state == .healthy }.count
        let held = targets.filter { $0.state == .held }.count
        draft.setState(state)
        // A failed window says so first: "2 of 2 back and healthy" alone read like a success.
        let failures = failed == 0 ? "" : "\(failed) of \(targets.count) target(s) failed or never went into maintenance; "
        draft.step.event("window.\(state)", failures + "\(healthy) of \(targets.count) target(s) back and healthy" + (held == 0 ? "" : ", \(held) still held by other windows"))
        draft.step.announce(.end, ["health": Payload.health(targets), "result": .string(state.rawValue)])
        draft.step.note(state == .completed ? .notice : .error, "\(state) (\(healthy)/\(targets.count) healthy)")
    }

    /// The step being built, with the window's targets as they are now.
    struct Draft {
        var step: WindowStep
        var targets: [TargetStateRecord]
        let switching: @Sendable (String) -> Bool
        /// Where each target is in `targets`: a window of a thousand targets saves each in constant
        /// time. Made at the first save: most steps of a fleet's window (a round while its answers
        /// come in) save nothing.
        private var positions: [String: Int]?

        init(step: WindowStep, targets: [TargetStateRecord], switching: @escaping @Sendable (String) -> Bool) {
            self.step = step
            self.targets = targets
            self.switching = switching
        }

        var window: WindowRecord { step.window }

        /// A switch is asked for unless one of the target is in flight: it is due again when that lands.
        mutating func switchOn(_ target: String) { if !switching(target) { step.effects.append(.switchOn(target)) } }
        mutating func switchOff(_ target: String) { if !switching(target) { step.effects.append(.switchOff(target)) } }

        mutating func save(_ target: TargetStateRecord) {
            // A window's targets are each read once (its rows' key): the last place is the only one.
            if positions == nil { positions = targets.placesByTarget() }
            if let index = positions?[target.target] { targets[index] = target }
            step.save(target)
        }

        mutating func setState(_ state: WindowState) { step.window.state = state }

        /// Ends a window that never started, for good: `missed` or `canceled`, its notices
        /// dropped, the reason in the log, and the event announced.
        mutating func close(as closing: Closing, reason: String) {
            setState(closing.state)
            step.dropsPendingNotices = true
            step.event("window.\(closing.state)", reason)
            step.announce(closing.event)
            step.note(closing == .missed ? .warning : .notice, "\(closing.state): \(reason)")
        }
    }
}

/// How a window that never started is closed: its final state, and the event that says so.
public enum Closing: Sendable {
    case missed, canceled

    public var state: WindowState {
        switch self {
        case .missed: return .missed
        case .canceled: return .canceled
        }
    }

    public var event: AnnouncementEvent {
        switch self {
        case .missed: return .missed
        case .canceled: return .canceled
        }
    }
}
