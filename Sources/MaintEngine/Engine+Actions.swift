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
        throttled.remove(key)
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
        DriverContext(values: WindowContext.values(window, target: target.name, zone: target.timezone, now: now), secrets: builder.secrets,
                      headline: window.headline, message: window.message, page: window.page, end: window.endAt.map(Self.date),
                      driverState: driverState, now: now)
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
    /// as they are in the same transaction.
    func record(window windowId: String, target name: String, now: Date,
                decide: (WindowMachine, WindowRecord, TargetStateRecord) -> WindowStep?) {
        outcomeRecorded = true
        touched.insert(windowId)
        let machine = machine(now, looking: [name])
        do {
            var decided: WindowStep?
            var after: WindowRecord?
            try store.transaction {
                guard let window = try outcomeWindows?[windowId] ?? store.window(windowId), let target = try store.target(name, of: windowId) else { return }
                after = window
                guard let step = decide(machine, window, target) else { return }
                after = try write(step, read: window, now: now)
                decided = step
            }
            // The window as this outcome left it, for the round's next outcome (the write held).
            outcomeWindows?[windowId] = after
            if let decided { note(decided) }
        } catch {
            outcomeWindows?[windowId] = nil
            log(.error, "window \(windowId): \(name): cannot record the outcome: \(error)")
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

    /// Routes a finished transfer to what started it.
    public func complete(_ completion: TransferPool.Completion, now: Date) {
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
