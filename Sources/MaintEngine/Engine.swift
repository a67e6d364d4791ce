import Foundation
import MaintCore
import MaintNet
import MaintStore
import MaintSystem

/// The edges of the window machine: it reads each open window from SQLite, asks `WindowMachine`
/// for its step, commits the step, then starts the work the step asked for (requests, programs,
/// files, sockets, checks, deliveries) and hands each outcome back to the machine. Every
/// transition is committed before the work it causes starts, and each outcome after; so after a
/// crash, `advance` resumes from the database.
public final class Engine {
    public let store: MaintenanceStore
    public internal(set) var schedule: Schedule
    let builder: RequestBuilder
    let log: Log
    let pool: TransferPool
    let backoff = Backoff()
    /// Where `{{secret:…}}` values come from.
    public var secrets: SecretSource { builder.secrets }
    /// Switch lag and durations, the last reload: for `/metrics`.
    public let measurements = Measurements()
    /// Announcements wait longer between tries than switches: 2 s, doubling, up to 5 min.
    let deliveryBackoff = Backoff(base: 2_000, cap: 300_000)

    enum Job {
        case action(window: String, target: String, activate: Bool)
        case check(window: String, target: String, index: Int, secrets: [String])
        case delivery(id: String, secrets: [String])
        case probe(window: String, target: String)
        case doneCheck(window: String, target: String, index: Int)

        /// Whether its end is an outcome `record` writes (and so may be recorded with others).
        var recordsOutcome: Bool {
            switch self {
            case .action, .probe: return true
            case .check, .delivery, .doneCheck: return false
            }
        }

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
    /// When each rate-limited key (`ChannelPacing`) may send again.
    var pacedUntil: [String: Date] = [:]
    /// Windows waiting to end when healthy: their round in flight, and when the next is due.
    var doneRounds: [String: DoneRound] = [:]
    var doneNext: [String: Date] = [:]
    /// Set when an outcome was recorded during a round (a refusal, a hold, an answer known at once): the window
    /// can move on, so the loop runs another round instead of sleeping.
    var outcomeRecorded = false
    /// Windows with an outcome recorded since they were last stepped: the next round steps them
    /// whether or not anything of theirs is due by the clock.
    var touched: Set<String> = []
    /// During `recordingOutcomes`: each window as the round's outcomes have left it so far. Each
    /// outcome reads its window, and a thousand targets of one window would read it a thousand
    /// times. Within a round only `write` changes a window, and it drops the copy.
    var outcomeWindows: [String: WindowRecord]?
    /// During `recordTogether`: the outcomes `record` was given, written together afterwards.
    var gatheredOutcomes: [Outcome]?
    /// Set when the database may have changed under the engine (its start, a command's nudge):
    /// the next round steps every running window, not only the due ones.
    var rereadRunning = true
    var healthRuns: [InFlight: HealthRun] = [:]
    /// The template values of the window last switched, health-checked or announced, made once
    /// for all of its targets in a zone (`values(_:target:now:)`).
    var windowValues = WindowContext.Memo()

    public init(store: MaintenanceStore, schedule: Schedule, secrets: SecretSource, log: Log, pool: TransferPool) throws {
        self.processes = try ProcessPool()
        self.workers = try WorkerPool()
        self.environmentBase = secrets.environment.filter { ["PATH", "HOME", "LANG", "LC_ALL", "TZ"].contains($0.key) }
        self.store = store
        self.schedule = schedule
        self.builder = RequestBuilder(secrets: secrets)
        self.log = log
        self.pool = pool
        self.targetZones = schedule.targetZones
        // The engine's connection is the one that writes the target rows: it may keep them.
        store.keepsTargetRows = true
    }

    public func replace(schedule: Schedule) {
        self.schedule = schedule
        targetZones = schedule.targetZones
        unreadableTargets = []
        readsTargetsBack = false
    }

    /// Once stored, a definition is read from the database, not kept from the files: the daemon
    /// lets go of its one-off windows (with a hundred thousand, they were most of its memory)
    /// and of its targets' whole definitions, keeping each one's `TargetSummary` (10,000 targets
    /// held 30 MB). Recurring windows stay, to store their next occurrences; a reload reads the
    /// files again.
    public func letGoOfStoredDefinitions() {
        if storeDefinitions() {
            schedule.letGoOfTargetDefinitions()
            readsTargetsBack = true
        }
        schedule.windows = schedule.windows.filter { $0.value.recurrence != nil }
        schedulePublished?(schedule)
        // Handed back by the loop once the read's last holder (a reload's result, a job) is gone.
        hasMemoryToReturn = true
    }

    /// A large read was let go: the heap's free pages can go back to the system.
    public internal(set) var hasMemoryToReturn = false

    /// Hands the heap's free pages back to the system, when a read was let go.
    public func returnMemory() {
        guard hasMemoryToReturn else { return }
        hasMemoryToReturn = false
        store.database.releaseCache()
        Memory.returnFreePages()
    }

    /// Told the schedule in force once its one-off definitions are stored and let go (at the
    /// start and after each reload): the control API reads with it.
    public var schedulePublished: ((Schedule) -> Void)?

    /// Each target's zone, for expanding occurrences: found once per schedule, not per window.
    var targetZones: [String: TimeZone] = [:]
    /// Targets whose stored definition did not read (see `targetConfig(_:)`): not tried again.
    var unreadableTargets: Set<String> = []
    /// Whether whole target definitions are read back from the database when needed
    /// (`letGoOfStoredDefinitions`), rather than all held from the files.
    var readsTargetsBack = false
    /// While the files' windows are stored (`sync`), the routine lines ("window w1: planned for
    /// …") logged and those past `routineNotesPerSync`, counted instead: a first start with
    /// 100,000 windows logs a summary, not 100,000 lines (each is in the event log, `maint log`).
    var routineNotes: (logged: Int, held: Int)?
    static let routineNotesPerSync = 20
    /// How many read-back definitions the running windows needed at the last trim.
    var targetDefinitionsInUse = 0
    /// How many read-back target definitions the daemon holds before it lets go of those no
    /// running window needs.
    var heldTargetDefinitions = 1_000

    /// The database was changed by someone else (a command): the next round reads every running
    /// window again.
    public func databaseChanged() {
        rereadRunning = true
        store.forgetTargetRows()
    }

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
                                       stderr: scrub(completion.stderr, [], limit: 500, keep: .end),
                                       stdout: scrub(completion.stdout, [], limit: 500, keep: .end)))
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

    /// How long before its start a window is made ready: its step to `activating` is committed
    /// then, as of the start instant, so that at the instant only the sends are left (no write,
    /// no wait for the disk).
    public static let armLead: Int64 = 1_000

    /// Moves every open window that has something due, or an outcome to act on, as far as `now`
    /// allows, and starts the requests that are due. Windows waiting for a later instant are not
    /// read: a round costs what is due, not what is planned. Windows starting within `armLead`
    /// are made ready, all in one transaction.
    public func advance(now: Date) throws {
        throttled.removeAll()
        outcomeRecorded = false
        trimTargetDefinitions()
        let wanted = touched
        let reread = rereadRunning
        touched = []
        rereadRunning = false
        do {
            let nowMs = Self.milliseconds(now)
            let windows = try windowsToStep(now: now, touched: wanted, reread: reread)
            // The windows being switched on go first and their requests leave at once, before
            // any other window's transition (an end at the same instant, say) is written; then
            // the others and the deliveries; last, the windows about to start are made ready,
            // one write to disk for all of them.
            let arming = windows.filter { $0.state == .scheduled && $0.startAt > nowMs && $0.startAt <= nowMs + Self.armLead }
            let armed = Set(arming.map(\.id))
            let stepping = windows.filter { !armed.contains($0.id) }
            for window in stepping where window.state == .activating { try step(window, now: now) }
            pool.send()
            for window in stepping where window.state != .activating { try step(window, now: now) }
            try sendDueDeliveries(now: now)
            pool.send()
            if !arming.isEmpty {
                try store.transaction {
                    for window in arming { try step(window, now: now, ahead: true) }
                }
            }
        } catch {
            // Tried again next round, with the same windows.
            touched.formUnion(wanted)
            rereadRunning = rereadRunning || reread
            throw error
        }
    }

    /// The windows a round steps, in start order: those due by the clock (or starting within
    /// `armLead`), those touched by an outcome, and, after the database changed under the
    /// engine, every running one.
    func windowsToStep(now: Date, touched: Set<String>, reread: Bool) throws -> [WindowRecord] {
        let nowMs = Self.milliseconds(now)
        var windows = try store.dueWindows(now: nowMs, startingBy: nowMs + Self.armLead)
        var seen = Set(windows.map(\.id))
        if reread {
            for window in try store.runningWindows() where seen.insert(window.id).inserted { windows.append(window) }
        }
        for id in touched.sorted() where !seen.contains(id) {
            if let window = try store.window(id), !window.state.isTerminal {
                seen.insert(id)
                windows.append(window)
            }
        }
        return windows.sorted { ($0.startAt, $0.id) < ($1.startAt, $1.id) }
    }

    /// The window machine at `now`, with what is in flight and the drivers of the targets it
    /// will decide for (`looking`: it asks them when each is next looked at).
    func machine(_ now: Date, looking names: [String] = []) -> WindowMachine {
        // A target read back from the store when first needed is read now, so that the machine
        // finds it in the schedule's table, which it shares rather than copying a fleet's
        // definitions into a table of its own at every step. With the files read, every target
        // is in the table already: nothing to look up.
        if schedule.origin == .stored || readsTargetsBack {
            for name in names where schedule.targets.index(forKey: name) == nil { _ = targetConfig(name) }
        }
        let targets = schedule.targets
        let busy = self.busy
        return WindowMachine(now: Self.milliseconds(now), isSwitching: { busy.switching($0) }, look: { name, openEnded in
            guard let target = targets[name] else { return nil }
            return target.driver.look(openEnded: openEnded, probeInterval: target.probeIntervalMilliseconds)
        }, hasHealthChecks: { name in
            // A target no longer defined has no checks to run (as `launchChecks` finds).
            targets[name].map { !$0.health.isEmpty } ?? false
        })
    }

    /// One window's step: read, decided by the machine, committed, then its work started.
    /// `ahead`: a window about to start is made ready as of its start, committed now, its switches
    /// started when their attempt falls due, at the start.
    func step(_ window: WindowRecord, now: Date, ahead: Bool = false) throws {
        let notices = window.state == .scheduled ? try store.notices(of: window.id) : []
        var ahead = ahead
        var now = now
        if ahead {
            if notices.contains(where: { $0.state == .pending && $0.dueAt <= Self.milliseconds(now) }) {
                // Its due notices go first; it is made ready the round after.
                ahead = false
                outcomeRecorded = true
            } else {
                now = Self.date(window.startAt)
            }
        }
        let targets = try store.targets(of: window.id)
        let machine = machine(now, looking: targets.map(\.target))
        var holders: [String: WindowMachine.Holders] = [:]
        let needing = machine.targetsNeedingHolders(window, targets)
        // At a window's end every target is asked about: one query tells which of them another
        // window holds (most often none), and only those are read in full.
        let heldElsewhere = needing.isEmpty ? [:] : try store.otherHolders(ofTargetsOf: window.id)
        for name in needing {
            holders[name] = heldElsewhere[name] == nil ? WindowMachine.Holders(windows: [], newest: nil) : try self.holders(of: name, besides: window.id)
        }
        let step = machine.step(window, targets: targets, notices: notices, holders: holders)
        try commit(step, read: window, now: now)
        let effects = ahead ? step.effects.filter { if case .renewSeries = $0 { return true } else { return false } } : step.effects
        try start(effects, of: step.window, targets: targets, changed: step.targets, now: now)
    }

    /// The other open windows that hold a target, and the newest one's record of it.
    func holders(of target: String, besides windowId: String) throws -> WindowMachine.Holders {
        let windows = try store.holds(of: target).filter { $0.id != windowId }
        return WindowMachine.Holders(windows: windows, newest: try windows.last.flatMap { try store.target(target, of: $0.id) })
    }

    /// Writes a step in one transaction: the window's state, its targets and notices, the events,
    /// and the announcements, so that a change and what it causes land together.
    func commit(_ step: WindowStep, read: WindowRecord, now: Date, actor: Actor? = nil) throws {
        if step.isEmpty && step.window.state == read.state && step.window.endAt == read.endAt {
            note(step)
            return
        }
        try store.transaction { _ = try write(step, read: read, now: now, actor: actor) }
        note(step)
    }

    /// A step's writes, inside a transaction the caller holds; returns the window as stored now.
    func write(_ step: WindowStep, read: WindowRecord, now: Date, actor: Actor? = nil) throws -> WindowRecord {
        var targets = UnsavedTargets()
        let written = try write(step, read: read, now: now, actor: actor, unsaved: &targets)
        try store.saveTargets(targets.records)
        return written
    }

    /// A step's writes, its targets' rows left in `unsaved` for the caller to write with others
    /// in the same transaction (`UnsavedTargets`).
    func write(_ step: WindowStep, read: WindowRecord, now: Date, actor: Actor? = nil, unsaved: inout UnsavedTargets) throws -> WindowRecord {
        let nowMs = Self.milliseconds(now)
        var written = step.window
        if step.window.state != read.state || step.window.endAt != read.endAt { written.updatedAt = nowMs }
        if step.window.state != read.state { try store.setWindowState(step.window.id, step.window.state, at: nowMs) }
        if step.window.endAt != read.endAt { try store.setWindowEnd(step.window.id, endAt: step.window.endAt, at: nowMs) }
        // Whoever writes a window forgets the round's copy; `record` keeps it once its write holds.
        outcomeWindows?[step.window.id] = nil
        if step.dropsPendingNotices { try store.skipPendingNotices(of: step.window.id) }
        for notice in step.notices { try store.setNoticeState(notice, notice.state) }
        unsaved.append(step.targets)
        for event in step.events {
            try store.appendEvent(at: nowMs, window: event.window, target: event.target, kind: event.kind, message: event.message, detail: event.detail,
                                  actor: actor?.name)
        }
        if !step.announcements.isEmpty {
            // An announcement reads the window's targets as stored.
            try store.saveTargets(unsaved.records)
            unsaved = UnsavedTargets()
        }
        for announcement in step.announcements { try enqueue(announcement.event, window: step.window, now: now, extra: announcement.extra) }
        return written
    }

    /// A step's log lines, once it is committed.
    func note(_ step: WindowStep) {
        if step.movedOn {
            outcomeRecorded = true
            touched.insert(step.window.id)
        }
        note(step.notes)
    }

    func note(_ notes: [WindowStep.Note]) {
        for note in notes {
            let level: Log.Level = switch note.severity {
            case .info: .info
            case .notice: .notice
            case .warning: .warning
            case .error: .error
            }
            if log.keeps(level) { log(level, note.text) }
        }
    }

    /// Starts the work a committed step asked for.
    func start(_ effects: [WindowStep.Effect], of window: WindowRecord, targets: [TargetStateRecord], changed: [TargetStateRecord], now: Date) throws {
        guard !effects.isEmpty else { return }
        // What is known at once (a request that cannot be built has failed; a target no longer
        // defined has no checks to run) is recorded in one transaction: one write to disk for
        // all the window's targets, not one each. Requests only leave after it. (A target with
        // no health checks was settled healthy with its deactivation, by the machine.)
        try store.transaction { try recordingOutcomes { try startEach(effects, of: window, targets: targets, changed: changed, now: now) } }
    }

    private func startEach(_ effects: [WindowStep.Effect], of window: WindowRecord, targets: [TargetStateRecord], changed: [TargetStateRecord], now: Date) throws {
        var records = EffectRecords(window: window.id, read: targets, changed: changed)
        // A target another window holds too shows the text of both (`shownWindow`); one query
        // finds them all. A failed read shows each its newest hold, as if all were shared.
        var heldElsewhere: Set<String> = []
        if effects.contains(where: { if case .switchOn = $0 { true } else { false } }) {
            heldElsewhere = (try? store.otherHolders(ofTargetsOf: window.id)).map { Set($0.keys) } ?? records.names
        }
        var next = effects.startIndex
        while next < effects.endIndex {
            let effect = effects[next]
            next += 1
            switch effect {
            case .switchOn(let name): if let record = records.record(name) { launchAction(window, record, activate: true, heldElsewhere: heldElsewhere, now: now) }
            case .switchOff(let name): if let record = records.record(name) { launchAction(window, record, activate: false, heldElsewhere: [], now: now) }
            case .probe(let name): if let record = records.record(name) { launchProbe(window, record, now: now) }
            case .checks(let name):
                // This and the run of checks after it are recorded together: a check that cannot
                // be built, or a target gone from the files, is settled at once (one savepoint for
                // the run, not one each).
                try recordTogether {
                    if let record = records.record(name) { try launchChecks(window, record, now: now) }
                    while next < effects.endIndex, case .checks(let name) = effects[next] {
                        next += 1
                        if let record = records.record(name) { try launchChecks(window, record, now: now) }
                    }
                }
            case .doneRound: try stepDone(window, now: now)
            case .renewSeries(let series): if schedule.windows[series]?.recurrence != nil { try syncWindow(series, now: now) }
            }
        }
    }

    /// Ends a window that never started, for good: `missed` or `canceled`, its notices dropped,
    /// the reason in the log, and the event announced, all in one transaction.
    func close(_ window: WindowRecord, as closing: Closing, reason: String, now: Date, actor: Actor? = nil) throws {
        try commit(machine(now).close(window, as: closing, reason: reason), read: window, now: now, actor: actor)
    }

    /// Queues a `failure` announcement: which target, what it was doing, the error, what happens next.
    func enqueueFailure(_ window: WindowRecord, target: String, action: String, error: String, attempts: Int, next: String, now: Date) throws {
        try enqueue(.failure, window: window, now: now,
                    extra: WindowMachine.failure(target: target, action: action, error: error, attempts: attempts, next: next))
    }
}
