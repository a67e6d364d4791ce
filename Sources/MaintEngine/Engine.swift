import Foundation
import MaintCore
import MaintNet
import MaintStore
import MaintSystem

/// The window state machine. Every transition is committed to SQLite before the requests it
/// causes leave, and each outcome after; so after a crash, `advance` resumes from the database.
///
/// Window: scheduled → activating → active → deactivating → verifying → completed, or canceled,
/// failed, degraded, missed, skipped (`WindowState`). Target: pending → activating → active →
/// deactivating → verifying → healthy, or unhealthy, failed, skipped, held (`TargetState`); an
/// active target is `refreshing` while it is told a new end or message, and `waiting` for its
/// stage's turn to be switched back.
public final class Engine {
    public let store: MaintenanceStore
    public private(set) var schedule: Schedule
    let builder: RequestBuilder
    let log: Log
    let pool: TransferPool
    let backoff = Backoff()
    /// Announcements wait longer between tries than switches: 2 s, doubling, up to 5 min.
    let deliveryBackoff = Backoff(base: 2_000, cap: 300_000)

    enum Job {
        case action(window: String, target: String, activate: Bool)
        case check(window: String, target: String, index: Int, secrets: [String])
        case delivery(id: String, secrets: [String])
        case probe(window: String, target: String)
        case doneCheck(window: String, target: String, index: Int)

        /// The in-flight key of a driver's work, which `perform` and `finish` keep.
        var inFlight: InFlight? {
            switch self {
            case .action(let window, let target, _): return .action(window: window, target: target)
            case .probe(let window, let target): return .probe(window: window, target: target)
            case .check, .delivery, .doneCheck: return nil
            }
        }
    }

    /// `maint done`: one round of checks of a window's targets, gathered until all have answered.
    struct DoneRound {
        var expected: Int
        var results: [(target: String, result: CheckResult)] = []
    }
    

    var jobs: [Int: Job] = [:]
    /// Command driver programs running, by their ProcessPool tag.
    var processJobs: [Int: Job] = [:]
    /// Runs the command driver's programs.
    public let processes: ProcessPool
    /// Runs what would block the loop: driver work on files and runtime sockets.
    public let workers: WorkerPool<DriverResult>
    /// Work running on `workers`, by tag.
    var workJobs: [Int: Job] = [:]

    /// What every command driver program inherits: PATH, HOME, LANG; never the daemon's secrets.
    let environmentBase: [String: String]
    /// Work in flight for a window's target, or for a delivery.
    typealias InFlight = InFlightWork.Key

    /// What is in flight, so that nothing is sent twice at once.
    var busy = InFlightWork()
    /// Actions held back by `maxParallel`; they do not count as due until a slot frees.
    var throttled: Set<InFlight> = []
    /// Channels with a delivery in flight: one at a time each, so that they arrive in order.
    var busyChannels: Set<String> = []
    /// Windows waiting to end when healthy: their round in flight, and when the next is due.
    var doneRounds: [String: DoneRound] = [:]
    var doneNext: [String: Date] = [:]
    /// Set when an outcome was recorded during a round (a refusal, a hold, an answer known at once): the window
    /// can move on, so the loop runs another round instead of sleeping.
    var outcomeRecorded = false
    var healthRuns: [InFlight: HealthRun] = [:]

    public init(store: MaintenanceStore, schedule: Schedule, secrets: SecretSource, log: Log, pool: TransferPool) throws {
        self.processes = try ProcessPool()
        self.workers = try WorkerPool()
        self.environmentBase = secrets.environment.filter { ["PATH", "HOME", "LANG", "LC_ALL", "TZ"].contains($0.key) }
        self.store = store
        self.schedule = schedule
        self.builder = RequestBuilder(secrets: secrets)
        self.log = log
        self.pool = pool
    }

    public func replace(schedule: Schedule) { self.schedule = schedule }

    public var hasWorkInFlight: Bool { !jobs.isEmpty || !processJobs.isEmpty || !workJobs.isEmpty }

    /// Whether the last round recorded an outcome and so should be followed by another at once.
    public var wantsAnotherRound: Bool { outcomeRecorded }

    /// Collects the programs that finished.
    public func completeProcesses(now: Date) {
        processes.wake.drain()
        for completion in processes.take() {
            guard let job = processJobs.removeValue(forKey: completion.tag) else { continue }
            // Its last lines say most; secrets are replaced before it is cut.
            let result: DriverResult = completion.launchError.map { .failed(scrub($0, [])) }
                ?? .exited(ProgramExit(status: completion.status, timedOut: completion.timedOut,
                                       stderr: scrub(completion.stderr, [], limit: 500, keep: .end)))
            finish(job, result, elapsed: completion.elapsedMilliseconds, now: now)
        }
    }

    /// Collects the workers' jobs that finished: driver work on files and runtime sockets.
    public func completeWork(now: Date) {
        workers.wake.drain()
        for completion in workers.take() {
            guard let job = workJobs.removeValue(forKey: completion.tag) else { continue }
            let result: DriverResult
            switch completion.result {
            case .success(let output): result = output
            case .failure(let error): result = .failed(error.description)
            }
            finish(job, result, elapsed: completion.elapsedMilliseconds, now: now)
        }
    }

    public static func milliseconds(_ date: Date) -> Int64 { date.epochMilliseconds }
    public static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// Moves every open window as far as `now` allows, and starts the requests that are due.
    public func advance(now: Date) throws {
        throttled.removeAll()
        outcomeRecorded = false
        for window in try store.openWindows() {
            try step(window, now: now)
        }
        try sendDueDeliveries(now: now)
    }

    func step(_ window: WindowRecord, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        var window = window
        if window.state == .scheduled {
            if let end = window.endAt, nowMs >= end {
                try markMissed(window, now: now)
                return
            }
            guard nowMs >= window.startAt else {
                try sendDueNotices(window, now: now)
                return
            }
            try beginActivation(window, now: now)
            window.state = .activating
        }
        switch window.state {
        case .activating:
            // The end is honoured at its instant, even while a target is still being retried.
            if let end = window.endAt, nowMs >= end {
                try beginDeactivation(window, now: now)
                try stepEnding(window, now: now)
            } else {
                try stepActivation(window, now: now)
            }
        case .active:
            if let end = window.endAt, nowMs >= end {
                try beginDeactivation(window, now: now)
                try stepEnding(window, now: now)
            } else {
                if window.endWhenHealthy { try stepDone(window, now: now) }
                // Targets told the window's new end or message (`maint extend`, `maint update`),
                // and targets whose switch expires (rearm).
                for var target in try store.targets(of: window.id) where (target.nextAttemptAt ?? Int64.max) <= nowMs {
                    if target.state == .active {
                        guard nextLook(target.target, openEnded: window.endAt == nil, now: nowMs)?.rearm == true else {
                            launchProbe(window, target, now: now)
                            continue
                        }
                        target.state = .refreshing
                        target.attempts = 0
                        try store.saveTarget(target)
                    }
                    // Refreshed targets, and targets whose first activation is still being retried.
                    if target.state == .refreshing || target.state == .activating { launchAction(window, target, activate: true, now: now) }
                }
            }
        case .deactivating, .verifying:
            try stepEnding(window, now: now)
        case .reactivating:
            // Unhealthy targets going back into maintenance; the others finish their checks.
            let targets = try store.targets(of: window.id)
            for target in targets where (target.nextAttemptAt ?? 0) <= nowMs {
                if target.state == .activating { launchAction(window, target, activate: true, now: now) }
                if target.state == .verifying { try launchChecks(window, target, now: now) }
            }
            let now2 = try store.targets(of: window.id)
            if !now2.contains(where: { [.activating, .verifying, .deactivating].contains($0.state) }) {
                try store.transaction {
                    try store.setWindowState(window.id, .active, at: nowMs)
                    try store.appendEvent(at: nowMs, window: window.id, kind: "window.active",
                                          message: "back in maintenance: \(now2.filter { $0.state == .active }.map(\.target).joined(separator: ", "))")
                }
            }
        case .scheduled, .completed, .canceled, .failed, .degraded, .missed, .skipped:
            break  // a scheduled window became activating above; the others are over
        }
    }

    // MARK: Transitions

    /// Ends a window that never started, for good: `missed` or `canceled`, its notices dropped,
    /// the reason in the log, and the event announced, all in one transaction.
    func close(_ window: WindowRecord, as closing: Closing, reason: String, now: Date) throws {
        let state = closing.state
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try store.setWindowState(window.id, state, at: nowMs)
            try store.skipPendingNotices(of: window.id)
            try store.appendEvent(at: nowMs, window: window.id, kind: "window.\(state)", message: reason)
            try enqueue(closing.event, window: window, now: now)
        }
        log(state == .missed ? .warning : .notice, "window \(window.id): \(state): \(reason)")
    }

    /// How a window that never started is closed: its final state, and the event that says so.
    enum Closing {
        case missed, canceled

        var state: WindowState {
            switch self {
            case .missed: return .missed
            case .canceled: return .canceled
            }
        }

        var event: AnnouncementEvent {
            switch self {
            case .missed: return .missed
            case .canceled: return .canceled
            }
        }
    }

    func markMissed(_ window: WindowRecord, now: Date) throws {
        try close(window, as: .missed, reason: "the window passed entirely while maint was not running; nothing was switched", now: now)
    }

    /// Queues a `failure` announcement: which target, what it was doing, the error, what happens next.
    func enqueueFailure(_ window: WindowRecord, target: String, action: String, error: String, attempts: Int, next: String, now: Date) throws {
        try enqueue(.failure, window: window, now: now, extra: ["failure": .object([
            "target": .string(target), "action": .string(action), "error": .string(error),
            "attempts": .number(Double(attempts)), "next": .string(next),
        ])])
    }

    /// A notice is sent if it is due and not stale: late by at most a tenth of its offset (at
    /// least a minute), and before the window starts. Stale notices are skipped, never sent late.
    func sendDueNotices(_ window: WindowRecord, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        for notice in try store.notices(of: window.id) where notice.state == .pending && notice.dueAt <= nowMs {
            let lateness = nowMs - notice.dueAt
            let stale = lateness > max(60_000, notice.offsetMilliseconds / 10)
            try store.transaction {
                try store.setNoticeState(notice, stale ? .skipped : .sent)
                let offset = DurationText.format(notice.offsetMilliseconds)
                if stale {
                    try store.appendEvent(at: nowMs, window: window.id, kind: "notice.skipped",
                                          message: "the \(offset) notice was due \(DurationText.format(lateness)) ago; not sent late")
                } else {
                    try store.appendEvent(at: nowMs, window: window.id, kind: "notice.sent", message: "\(offset) notice")
                    try enqueue(.notice, window: window, now: now, extra: ["notice": .object(["offset": .string(offset)])])
                }
            }
            log(stale ? .warning : .info, "window \(window.id): \(DurationText.format(notice.offsetMilliseconds)) notice \(stale ? "skipped (stale)" : "queued")")
        }
    }

    func beginActivation(_ window: WindowRecord, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try store.setWindowState(window.id, .activating, at: nowMs)
            try store.skipPendingNotices(of: window.id)
            let lag = nowMs - window.startAt
            try store.appendEvent(at: nowMs, window: window.id, kind: "window.activating",
                                  message: "activating \(try store.targets(of: window.id).count) target(s)" + (lag > 1000 ? ", \(DurationText.format(lag)) after the planned start" : ""))
        }
        log(.notice, "window \(window.id): activating")
        // An occurrence starting is when its series stores the next ones.
        if let series = window.series, window.origin == .file, schedule.windows[series]?.recurrence != nil {
            try syncWindow(series, now: now)
        }
    }

    /// Stage by stage: a stage's targets are switched together; the next stage starts when none
    /// of them is still activating. After a failed stage, with `onFailure: halt`, the targets of
    /// the later stages are skipped.
    func stepActivation(_ window: WindowRecord, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        var targets = try store.targets(of: window.id)
        // Every stage launched, every target has answered once, and one is in maintenance: the
        // window is active and `start` is announced; a target still being retried goes on
        // being retried meanwhile, and never holds the others back.
        if !targets.contains(where: { $0.state == .pending }),
           !targets.contains(where: { $0.state == .activating && $0.attempts == 0 }),
           targets.contains(where: { $0.state == .active }) {
            try finishActivation(window, targets: targets, now: now)
        } else if !targets.contains(where: { $0.state == .activating }) {
            let pending = targets.filter { $0.state == .pending }
            guard let stage = pending.map(\.stage).min() else {
                try finishActivation(window, targets: targets, now: now)
                return
            }
            let halted = window.onFailure == .halt && targets.contains { $0.state == .failed }
            try store.transaction {
                for var target in pending where halted || target.stage == stage {
                    target.state = halted ? .skipped : .activating
                    target.attempts = 0
                    target.nextAttemptAt = halted ? nil : nowMs
                    target.phaseStartedAt = nowMs
                    try store.saveTarget(target)
                    if halted {
                        try store.appendEvent(at: nowMs, window: window.id, target: target.target, kind: "target.skipped",
                                              message: "not switched: an earlier stage failed (onFailure: halt)")
                    }
                }
                if !halted && (pending.contains(where: { $0.stage != stage }) || stage > 0) {
                    try store.appendEvent(at: nowMs, window: window.id, kind: "stage.activating",
                                          message: "stage \(stage + 1): \(pending.filter { $0.stage == stage }.map(\.target).joined(separator: ", "))")
                }
            }
            targets = try store.targets(of: window.id)
            if halted {
                try finishActivation(window, targets: targets, now: now)
                return
            }
        }
        for target in targets where target.state == .activating && (target.nextAttemptAt ?? 0) <= nowMs {
            launchAction(window, target, activate: true, now: now)
        }
    }

    func finishActivation(_ window: WindowRecord, targets: [TargetStateRecord], now: Date) throws {
        let nowMs = Self.milliseconds(now)
        let failed = targets.filter { $0.state == .failed || $0.state == .skipped }
        let retrying = targets.filter { $0.state == .activating }
        try store.transaction {
            if failed.count == targets.count {
                try store.setWindowState(window.id, .failed, at: nowMs)
                try store.appendEvent(at: nowMs, window: window.id, kind: "window.failed",
                                      message: "no target could be put into maintenance")
            } else {
                try store.setWindowState(window.id, .active, at: nowMs)
                try store.appendEvent(at: nowMs, window: window.id, kind: "window.active",
                                      message: "\(targets.count - failed.count - retrying.count) of \(targets.count) target(s) in maintenance"
                                        + (retrying.isEmpty ? "" : "; still retrying: \(retrying.map(\.target).joined(separator: ", "))"))
                try enqueue(.start, window: window, now: now)
            }
        }
        log(failed.count == targets.count ? .error : .notice,
            "window \(window.id): \(failed.count == targets.count ? "failed, no target could be activated" : "active")")
    }

    func beginDeactivation(_ window: WindowRecord, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try store.setWindowState(window.id, .deactivating, at: nowMs)
            // Targets whose activation failed are switched off too: deactivation is idempotent,
            // and a half-applied activation must not stay on.
            // Each waits for its stage's turn; stages go back in reverse order.
            // A target still being retried may be on by now: it is switched off too. A target
            // whose stage never began was never switched, and is left alone.
            for var target in try store.targets(of: window.id) where [.active, .refreshing, .failed, .activating, .pending].contains(target.state) {
                let neverStarted = target.state == .pending
                target.state = neverStarted ? .skipped : .waiting
                target.nextAttemptAt = nil
                try store.saveTarget(target)
                if neverStarted {
                    try store.appendEvent(at: nowMs, window: window.id, target: target.target, kind: "target.skipped",
                                          message: "not switched: the window ended before its stage began")
                }
            }
            try store.appendEvent(at: nowMs, window: window.id, kind: "window.deactivating", message: "ending maintenance")
        }
        log(.notice, "window \(window.id): deactivating")
    }

    /// Deactivation and health checks, target by target; the window ends when every target has.
    func stepEnding(_ window: WindowRecord, now: Date) throws {
        let nowMs = Self.milliseconds(now)
        var targets = try store.targets(of: window.id)
        let waiting = targets.filter { $0.state == .waiting }
        if !targets.contains(where: { $0.state == .deactivating }), let stage = waiting.map(\.stage).max() {
            try store.transaction {
                for var target in waiting where target.stage == stage {
                    target.state = .deactivating
                    target.attempts = 0
                    target.nextAttemptAt = nowMs
                    target.phaseStartedAt = nowMs
                    try store.saveTarget(target)
                }
                if waiting.contains(where: { $0.stage != stage }) || stage > 0 {
                    try store.appendEvent(at: nowMs, window: window.id, kind: "stage.deactivating",
                                          message: "stage \(stage + 1): \(waiting.filter { $0.stage == stage }.map(\.target).joined(separator: ", "))")
                }
            }
            targets = try store.targets(of: window.id)
        }
        for target in targets where (target.nextAttemptAt ?? 0) <= nowMs {
            if target.state == .deactivating {
                // Another window still holds it: it stays in maintenance, marked held here.
                let others = try store.holds(of: target.target).filter { $0.id != window.id }
                if !others.isEmpty && !busy.switching(target.target) {
                    try leaveHeld(target, of: window, holds: others, now: now)
                } else {
                    launchAction(window, target, activate: false, now: now)
                }
            } else if target.state == .verifying {
                try launchChecks(window, target, now: now)
            }
        }
        let targetsNow = try store.targets(of: window.id)
        let state: WindowState
        if targetsNow.contains(where: { $0.state == .deactivating || $0.state == .waiting }) {
            state = .deactivating
        } else if targetsNow.contains(where: { $0.state == .verifying }) {
            state = .verifying
        } else {
            try finish(window, targets: targetsNow, now: now)
            return
        }
        if state != window.state { try store.setWindowState(window.id, state, at: nowMs) }
    }

    /// A window ends while other windows still hold one of its targets: the target is left in
    /// maintenance (`held` here, no deactivate, no checks: those come with the last hold), and the
    /// newest remaining hold is told again, so that the target shows its text and the latest end.
    func leaveHeld(_ target: TargetStateRecord, of window: WindowRecord, holds: [WindowRecord], now: Date) throws {
        let nowMs = Self.milliseconds(now)
        var held = target
        held.state = .held
        held.nextAttemptAt = nil
        try store.transaction {
            try store.saveTarget(held)
            try store.appendEvent(at: nowMs, window: window.id, target: target.target, kind: "target.held",
                                  message: "left in maintenance: still held by \(holds.map(\.id).joined(separator: ", "))")
            if let newest = holds.last, var refresh = try store.target(target.target, of: newest.id), refresh.state == .active {
                refresh.state = .refreshing
                refresh.attempts = 0
                refresh.nextAttemptAt = nowMs
                try store.saveTarget(refresh)
            }
        }
        outcomeRecorded = true
        log(.info, "window \(window.id): \(target.target) stays in maintenance, held by \(holds.map(\.id).joined(separator: ", "))")
    }

    func finish(_ window: WindowRecord, targets: [TargetStateRecord], now: Date) throws {
        let nowMs = Self.milliseconds(now)
        let state: WindowState
        // A target that never went into maintenance failed the window, even if it is healthy now.
        if targets.contains(where: { $0.state == .failed || $0.state == .skipped || $0.activatedAt == nil }) {
            state = .failed
        } else if targets.contains(where: { $0.state == .unhealthy }) {
            state = .degraded
        } else {
            state = .completed
        }
        let healthy = targets.filter { $0.state == .healthy }.count
        let held = targets.filter { $0.state == .held }.count
        try store.transaction {
            try store.setWindowState(window.id, state, at: nowMs)
            try store.appendEvent(at: nowMs, window: window.id, kind: "window.\(state)",
                                  message: "\(healthy) of \(targets.count) target(s) back and healthy" + (held == 0 ? "" : ", \(held) still held by other windows"))
            try enqueue(.end, window: window, now: now, extra: ["health": Payload.health(targets), "result": .string(state.rawValue)])
        }
        log(state == .completed ? .notice : .error, "window \(window.id): \(state) (\(healthy)/\(targets.count) healthy)")
    }
}
