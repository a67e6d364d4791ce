import Foundation
import MaintCore
import Synchronization
import MaintNet
import MaintStore
import MaintSystem

/// The scheduler loop: sleeps on a wall-clock timer until the next due instant (no polling),
/// wakes for finished transfers, signals, a CLI's nudge (SIGUSR1) or a clock step.
public final class Runner {
    let engine: Engine
    let pool: TransferPool
    let log: Log
    let timer: WallClockTimer
    let wake: WakeSignal
    let signals: SignalWatcher
    let notifier: SystemdNotifier
    /// Requests from the control API, run on this loop between rounds.
    public let mailbox: LoopMailbox
    /// Reads the schedule files again (SIGHUP); errors keep the running schedule. It runs on
    /// a worker thread, so that a large or slow file never holds up a switch that is due.
    /// `asked`: a reload someone asked for (SIGHUP), not the first read after a start from the
    /// stored schedule.
    public var reload: (@Sendable (_ asked: Bool) -> Result<Schedule, ScheduleIssues>)?
    /// A reload's result, handed from the worker thread to the loop.
    private let reloaded = Handoff<Result<Schedule, ScheduleIssues>>()
    private var reloading = false
    private var reloadAgain = false

    public init(engine: Engine, pool: TransferPool, log: Log, notifier: SystemdNotifier = SystemdNotifier(),
                signals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGUSR1]) throws {
        self.engine = engine
        self.pool = pool
        self.log = log
        self.timer = try WallClockTimer()
        let wake = try WakeSignal()
        self.wake = wake
        self.signals = SignalWatcher(signals: signals, wake: wake)
        self.notifier = notifier
        self.mailbox = try LoopMailbox()
    }

    public enum Outcome { case finished, interrupted }

    /// A control API change waits while a switch is due within this many seconds…
    static let jobMargin: TimeInterval = 0.02
    /// …but never longer than this, however busy the schedule.
    static let jobPatience: TimeInterval = 0.25

    /// Runs until `done` says so (checked after each round) or SIGTERM/SIGINT. In-flight
    /// requests are finished and recorded before returning (for at most 20 s).
    public func run(done: () throws -> Bool = { false }) throws -> Outcome {
        var stopping = false
        var outcome = Outcome.finished
        var stopStarted = Date.distantFuture
        var lastWatchdog = Date.distantPast
        var failedRounds = 0
        // Control API changes taken off the mailbox, and since when the oldest has waited.
        var pendingJobs: [LoopMailbox.Job] = []
        var pendingSince = Date.distantFuture
        while true {
            // What the last iteration let go (a read of the files, a reload's result, a job that
            // carried one) is gone by now: its memory goes back to the system.
            engine.returnMemory()
            let now = Date()
            var next: Date?
            if !stopping {
                do {
                    try engine.advance(now: now)
                    next = try engine.nextDue(now: now)
                    if engine.wantsAnotherRound { next = now }
                    if failedRounds > 0 { log(.notice, "scheduler rounds succeed again after \(failedRounds) failed") }
                    failedRounds = 0
                } catch {
                    // A write that failed (a full disk, an I/O error) was rolled back whole; the
                    // round is tried again, 0.5 s, 1 s, 2 s … up to 30 s apart, until one succeeds.
                    failedRounds += 1
                    let delay = min(30, 0.25 * pow(2, Double(min(failedRounds, 8))))
                    log(.error, "scheduler round failed (\(failedRounds) in a row): \(error); trying again in \(DurationText.format(Int64(delay * 1000)))")
                    next = now.addingTimeInterval(delay)
                }
                if try done() {
                    stopping = true
                    stopStarted = now
                }
            }
            // Changes asked through the control API run between rounds; a switch due within
            // `jobMargin` goes first (a commit would hold it up), unless they waited too long.
            // Started from the stored schedule, changes wait until the files are read (they may
            // choose targets by tag, or need a freeze).
            let holdingJobs = reloading && engine.schedule.origin == .stored && !stopping
            if !pendingJobs.isEmpty && !holdingJobs && (stopping || Date().timeIntervalSince(pendingSince) > Self.jobPatience
                                        || next.map { $0.timeIntervalSinceNow > Self.jobMargin } ?? true) {
                for job in pendingJobs { job(engine) }
                pendingJobs = []
                pendingSince = .distantFuture
                next = Date()  // what they changed is read in a round at once
            }
            // Callers still waiting get their answer; later ones are told the daemon stops.
            func lastJobs() {
                mailbox.close()
                for job in pendingJobs + mailbox.take() { job(engine) }
            }
            if stopping && !engine.hasWorkInFlight {
                lastJobs()
                return outcome
            }
            timer.arm(at: next)
            var timeout = 3_600_000
            if let interval = notifier.watchdogInterval { timeout = Int(interval * 1000) }
            if stopping { timeout = 500 }
            let (completions, readable) = pool.wait(timeoutMilliseconds: timeout, fds: [timer.fd, wake.fd, engine.processes.wake.fd, engine.workers.wake.fd, mailbox.wake.fd])
            let after = Date()
            // The outcomes of one round are committed together (one fsync), before anything
            // else is sent.
            do {
                if !completions.isEmpty || readable.contains(engine.processes.wake.fd) || readable.contains(engine.workers.wake.fd) {
                    try engine.store.transaction {
                        engine.recordingOutcomes {
                            engine.complete(completions, now: after)
                            if readable.contains(engine.processes.wake.fd) { engine.completeProcesses(now: after) }
                            if readable.contains(engine.workers.wake.fd) { engine.completeWork(now: after) }
                        }
                    }
                }
            } catch {
                log(.error, "cannot record this round's outcomes: \(error); the requests are repeated")
            }
            if readable.contains(mailbox.wake.fd) {
                let taken = mailbox.take()
                if !taken.isEmpty && pendingJobs.isEmpty { pendingSince = after }
                pendingJobs += taken
            }
            if readable.contains(timer.fd), timer.consume() == .clockChanged {
                log(.notice, "the wall clock was changed; re-reading what is due")
            }
            if readable.contains(wake.fd) {
                wake.drain()
                if let result = reloaded.take() { finishReload(result, now: after) }
                for signal in signals.take() {
                    switch signal {
                    case SIGTERM, SIGINT:
                        if !stopping { log(.notice, "stopping: finishing \(engine.jobs.count + engine.processJobs.count + engine.workJobs.count) request(s) in flight") }
                        notifier.notify("STOPPING=1")
                        stopping = true
                        outcome = .interrupted
                        stopStarted = min(stopStarted, after)
                    case SIGHUP:
                        startReload()
                    default:
                        // SIGUSR1: a command changed the database; the next round reads it.
                        engine.databaseChanged()
                    }
                }
            }
            if let interval = notifier.watchdogInterval, after.timeIntervalSince(lastWatchdog) >= interval {
                // The status line rides on the watchdog's ping: no wake-up of its own.
                notifier.notify("WATCHDOG=1\nSTATUS=" + engine.statusLine())
                lastWatchdog = after
            }
            if stopping && after.timeIntervalSince(stopStarted) > 20 {
                log(.warning, "stopping with \(engine.jobs.count + engine.processJobs.count + engine.workJobs.count) request(s) unanswered; they are retried on the next start")
                lastJobs()
                return outcome
            }
        }
    }

    /// Reads the files on a worker thread; the loop takes the result when it wakes. A SIGHUP
    /// during a reload reads them once more afterwards.
    public func startReload(asked: Bool = true) {
        guard let reload else { return }
        guard !reloading else {
            reloadAgain = true
            return
        }
        reloading = true
        let mailbox = reloaded, wake = self.wake
        DispatchQueue.global().async {
            mailbox.put(reload(asked))
            wake.wake()
        }
    }

    func finishReload(_ result: Result<Schedule, ScheduleIssues>, now: Date) {
        reloading = false
        switch result {
        case .success(let schedule):
            do {
                _ = try engine.reload(to: schedule, now: now)
            } catch {
                log(.error, "schedule reloaded but not stored: \(error)")
            }
        case .failure(let issues):
            engine.reloadRefused(errors: issues.issues.count, now: now)
        }
        if reloadAgain {
            reloadAgain = false
            startReload()
        }
    }
}

