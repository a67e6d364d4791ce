import Foundation
import MaintCore
import MaintNet
import MaintStore
import MaintSystem

extension Engine {
    /// Starts the activate or deactivate work of one target. The target's state was committed
    /// before this call; the outcome is committed when the work comes back (`finish`).
    /// `heldElsewhere`: the window's targets that another open window holds (`shownWindow`).
    func launchAction(_ window: WindowRecord, _ state: TargetStateRecord, activate: Bool, heldElsewhere: Set<String>, now: Date) {
        let name = state.target
        let key = InFlight.action(window: window.id, target: name)
        // One switch at a time per target, whichever window asks: one window's activate and
        // another's deactivate of a shared target never cross on the wire.
        guard !busy.switching(name) else { return }
        if let limit = window.maxParallel, busy.actions(of: window.id) >= limit {
            // Waits for a slot: a finished request starts the next round.
            throttled.insert(key)
            return
        }
        // Most windows have no limit: nothing to find (and no key to hash) then.
        if !throttled.isEmpty { throttled.remove(key) }
        guard let target = targetConfig(name) else {
            recordActionFailure(window: window.id, target: name, activate: activate, now: now,
                                error: "target \(Quoted(name)) is no longer defined in the schedule files", final: true)
            return
        }
        // Switched on, a target shows its newest hold's text and the latest end among its holds.
        let shown = activate && heldElsewhere.contains(name) ? shownWindow(for: name, asking: window) : window
        do {
            let work = try target.driver.switchWork(activate: activate, driverContext(shown, target: target, driverState: state.driverState, now: now))
            perform(work, as: .action(window: window.id, target: name, activate: activate), now: now)
            // The lag of `/metrics`: from the attempt's due instant to now, as it leaves.
            if let due = state.nextAttemptAt { measurements.switchSent(lateBy: Date().timeIntervalSince(Self.date(due))) }
        } catch {
            recordActionFailure(window: window.id, target: name, activate: activate, now: now, error: scrub(error.description, []), final: true)
        }
    }

    /// What a driver builds its work from: the window shown, rendered for the target's zone.
    func driverContext(_ window: WindowRecord, target: TargetConfig, driverState: String?, now: Date) -> DriverContext {
        DriverContext(values: values(window, target: target, now: now), secrets: builder.secrets,
                      headline: window.headline, message: window.message, page: window.page, end: window.endAt.map(Self.date),
                      driverState: driverState, now: now)
    }

    /// What a window's templates see for one of its targets, rendered in the target's zone.
    func values(_ window: WindowRecord, target: TargetConfig, now: Date) -> [String: String] {
        windowValues.values(window, target: target.name, zone: target.timezone, now: now)
    }

    /// Starts a driver's work where it cannot hold up the loop: a request on the transfer pool, a
    /// program on the process pool, files and sockets on a worker thread. Each comes back to `finish`.
    func perform(_ work: DriverWork, as job: Job, now: Date) {
        guard let key = job.inFlight else { return }
        busy.insert(key)
        switch work {
        case .request(let request):
            jobs[pool.add(request)] = job
        case .program(let run):
            var environment = environmentBase.merging(run.environment) { $1 }
            if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
            processJobs[processes.start(argv: run.argv, environment: environment, directory: run.directory,
                                        timeoutMilliseconds: run.timeoutMilliseconds)] = job
        case .files(let files):
            workJobs[workers.start { LocalWork.perform(files) }] = job
        case .socket(let exchange):
            workJobs[workers.start { LocalWork.perform(exchange) }] = job
        case .known(let result):
            finish(job, result, elapsed: 0, now: now)
        }
    }

    /// A driver's work came back: its driver says what it means, and that is recorded.
    func finish(_ job: Job, _ result: DriverResult, elapsed: Int, now: Date) {
        if let key = job.inFlight { busy.remove(key) }
        switch job {
        case .action(let windowId, let name, let activate):
            measurements.switchDone(activate ? "activate" : "deactivate", seconds: Double(elapsed) / 1000)
            guard let driver = targetConfig(name)?.driver else {
                recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                    error: "target \(Quoted(name)) is no longer defined in the schedule files", final: true)
                return
            }
            switch driver.outcome(activate: activate, result) {
            case .success(let detail, let keep):
                recordActionSuccess(window: windowId, target: name, activate: activate, detail: scrub(detail, [], limit: 600),
                                    elapsed: elapsed, now: now, driverState: keep)
            case .failure(let error):
                recordActionFailure(window: windowId, target: name, activate: activate, now: now, error: scrub(error, [], limit: 600),
                                    final: false, retries: driver.retries(activate: activate))
            }
        case .probe(let windowId, let name):
            guard let driver = targetConfig(name)?.driver else { return }
            let reading = driver.probeOutcome(result)
            recordProbe(window: windowId, target: name, inMaintenance: reading.inMaintenance, detail: scrub(reading.detail, []), now: now)
        case .check, .delivery, .doneCheck:
            break  // requests only, finished in `complete`
        }
    }

    /// What a target held by several windows shows: the newest hold's headline, message and page,
    /// with the latest end among all its holds (none, if one is open-ended).
    func shownWindow(for target: String, asking window: WindowRecord) -> WindowRecord {
        let holds = ((try? store.holds(of: target)) ?? []).filter { $0.id != window.id } + [window]
        guard holds.count > 1, var newest = holds.max(by: { ($0.startAt, $0.id) < ($1.startAt, $1.id) }) else { return window }
        newest.endAt = holds.contains { $0.endAt == nil } ? nil : holds.compactMap(\.endAt).max()
        return newest
    }

    func recordActionSuccess(window windowId: String, target name: String, activate: Bool, detail: String, elapsed: Int, now: Date,
                             driverState: String? = nil) {
        record(window: windowId, target: name, now: now) { machine, window, target in
            machine.switched(window, target, activate: activate, detail: detail, elapsed: elapsed, keep: driverState)
        }
    }

    /// A failed attempt: retried with backoff, or, after the last retry (or a failure no retry can
    /// mend), the target fails and a `failure` announcement goes out.
    func recordActionFailure(window windowId: String, target name: String, activate: Bool, now: Date, error: String,
                             final: Bool, retries: Int = 0) {
        record(window: windowId, target: name, now: now) { machine, window, target in
            machine.switchFailed(window, target, activate: activate, error: error, final: final, retries: retries) {
                self.backoff.delay(afterAttempts: $0)
            }
        }
    }

    /// Records an outcome of a target's work: the machine decides, from the window and the target
    /// as they are in the same transaction. While `recordTogether` gathers a run of outcomes,
    /// it is kept for that run's one transaction instead.
    func record(window windowId: String, target name: String, now: Date,
                decide: @escaping (WindowMachine, WindowRecord, TargetStateRecord) -> WindowStep?) {
        outcomeRecorded = true
        touched.insert(windowId)
        let outcome = Outcome(window: windowId, target: name, now: now, decide: decide)
        if gatheredOutcomes != nil {
            gatheredOutcomes?.append(outcome)
            return
        }
        recordAlone(outcome)
    }

    /// One outcome in a savepoint of its own. One that cannot be written is logged, and its
    /// target's attempt is made again when due.
    private func recordAlone(_ outcome: Outcome) {
        do {
            try writeTogether([outcome])
        } catch {
            outcomeWindows?[outcome.window] = nil
            log(.error, "window \(outcome.window): \(outcome.target): cannot record the outcome: \(error)")
        }
    }

    /// Writes outcomes in one savepoint; once it holds, the round keeps each window as they left
    /// it (for its next outcome) and their steps' lines are logged.
    private func writeTogether(_ outcomes: [Outcome]) throws {
        var windows: [String: WindowRecord] = [:]
        var decided: [WindowStep] = []
        try store.transaction {
            var targets = UnsavedTargets(expecting: outcomes.count)
            for outcome in outcomes {
                if let step = try write(outcome, windows: &windows, targets: &targets) { decided.append(step) }
            }
            try store.saveTargets(targets.records)
        }
        for (id, window) in windows { outcomeWindows?[id] = window }
        for step in decided { note(step) }
    }

    /// An outcome of a target's work, waiting to be recorded: the machine's decision is made from
    /// the window and the target as they are when it is written.
    struct Outcome {
        var window: String
        var target: String
        var now: Date
        var decide: (WindowMachine, WindowRecord, TargetStateRecord) -> WindowStep?
    }

    /// Reads an outcome's window (from `windows`, the round's copy, or the store) and target,
    /// has the machine decide, and writes the step, inside the caller's transaction. `windows`
    /// keeps each window as written.
    private func write(_ outcome: Outcome, windows: inout [String: WindowRecord], targets: inout UnsavedTargets) throws -> WindowStep? {
        guard let window = try windows[outcome.window] ?? outcomeWindows?[outcome.window] ?? store.window(outcome.window),
              let target = try targets.record(outcome.target, of: outcome.window) ?? store.target(outcome.target, of: outcome.window) else { return nil }
        windows[outcome.window] = window
        guard let step = outcome.decide(machine(outcome.now, looking: [outcome.target]), window, target) else { return nil }
        windows[outcome.window] = try write(step, read: window, now: outcome.now, unsaved: &targets)
        return step
    }

    /// Records a run of outcomes (a fleet's answers arriving together) in one savepoint rather
    /// than one each: `gather` collects what `record` is given. If one of them cannot be written,
    /// none of them was, and each is recorded alone (`recordAlone`, as outside a run).
    /// What was gathered before `gather` threw is recorded all the same.
    func recordTogether(_ gather: () throws -> Void) rethrows {
        // Inside another run, its outcomes join that run.
        guard gatheredOutcomes == nil else { return try gather() }
        gatheredOutcomes = []
        defer { writeGathered() }
        try gather()
    }

    private func writeGathered() {
        let outcomes = gatheredOutcomes ?? []
        gatheredOutcomes = nil
        guard outcomes.count > 1 else {
            outcomes.forEach(recordAlone)
            return
        }
        do {
            try writeTogether(outcomes)
        } catch {
            log(.warning, "\(outcomes.count) outcomes recorded together could not be written (\(error)); recording each alone")
            outcomes.forEach(recordAlone)
        }
    }

    /// A text from a request (a reply, an error, a program's output) as it may be stored, logged
    /// and announced: clear of every secret of the schedule and of the request, then cut.
    func scrub(_ text: String, _ requestSecrets: [String], limit: Int = 300, keep: SecretSource.Keep = .start) -> String {
        builder.secrets.scrub(text, names: schedule.secretNames + requestSecrets, limit: limit, keep: keep)
    }

    /// Records a round's outcomes (in the caller's transaction), each window read once.
    public func recordingOutcomes<T>(_ body: () throws -> T) rethrows -> T {
        guard outcomeWindows == nil else { return try body() }
        outcomeWindows = [:]
        defer { outcomeWindows = nil }
        return try body()
    }

    /// Routes finished transfers to what started them. The switch and probe outcomes among them
    /// are recorded together, each run of them between the others in one savepoint.
    public func complete(_ completions: [TransferPool.Completion], now: Date) {
        var next = completions.startIndex
        while next < completions.endIndex {
            recordTogether {
                while next < completions.endIndex, jobs[completions[next].tag]?.recordsOutcome ?? false {
                    complete(completions[next], now: now)
                    next += 1
                }
            }
            if next < completions.endIndex {
                complete(completions[next], now: now)
                next += 1
            }
        }
    }

    /// Routes a finished transfer to what started it.
    func complete(_ completion: TransferPool.Completion, now: Date) {
        guard let job = jobs.removeValue(forKey: completion.tag) else { return }
        switch job {
        case .action, .probe:
            let elapsed: Int
            switch completion.result {
            case .success(let response): elapsed = response.elapsedMilliseconds
            case .failure(let error): elapsed = error.elapsedMilliseconds
            }
            finish(job, DriverResult(completion.result), elapsed: elapsed, now: now)
        case .check(let window, let target, let index, let secrets):
            completeCheck(window: window, target: target, index: index, secrets: secrets, result: completion.result, now: now)
        case .delivery(let id, let secrets):
            completeDelivery(id: id, secrets: secrets, result: completion.result, now: now)
        case .doneCheck(let window, let target, let index):
            completeDoneCheck(window: window, target: target, index: index, result: completion.result, now: now)
        }
    }
}

extension Engine {
    /// Reads an active target's real state through its driver (`Driver.probeWork`).
    func launchProbe(_ window: WindowRecord, _ state: TargetStateRecord, now: Date) {
        let job = Job.probe(window: window.id, target: state.target)
        guard let key = job.inFlight, !busy.contains(key), let target = targetConfig(state.target) else { return }
        do {
            perform(try target.driver.probeWork(driverContext(window, target: target, driverState: state.driverState, now: now)), as: job, now: now)
        } catch {
            recordProbe(window: window.id, target: target.name, inMaintenance: nil, detail: scrub(error.description, []), now: now)
        }
    }

    /// In maintenance: look again later. Drifted out: record it and switch it back at once.
    func recordProbe(window windowId: String, target name: String, inMaintenance: Bool?, detail: String, now: Date) {
        record(window: windowId, target: name, now: now) { machine, window, target in
            machine.probed(window, target, inMaintenance: inMaintenance, detail: detail)
        }
    }
}
