import Foundation
import MaintCore
import MaintNet
import MaintStore
import MaintSystem

extension Engine {
    /// Sends the activate or deactivate request of one target. The target's state was committed
    /// before this call; the outcome is committed in `completeAction`.
    func launchAction(_ window: WindowRecord, _ name: String, activate: Bool, now: Date) {
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
        guard let target = schedule.targets[name] else {
            recordActionFailure(window: window.id, target: name, activate: activate, now: now,
                                error: "target \"\(name)\" is no longer defined in the schedule files", final: true)
            return
        }
        // Switched on, a target shows its newest hold's text and the latest end among its holds.
        let shown = activate ? shownWindow(for: name, asking: window) : window
        let values = WindowContext.values(shown, target: name, zone: target.timezone, now: now)
        switch target.driver {
        case .http(let activateAction, let deactivateAction):
            let action = activate ? activateAction : deactivateAction
            do {
                let request = try builder.request(action, values: values)
                busy.insert(key)
                jobs[pool.add(request)] = .action(window: window.id, target: name, activate: activate, secrets: action.secretNames)
            } catch {
                recordActionFailure(window: window.id, target: name, activate: activate, now: now, error: error.description, final: true)
            }
        case .file(let file):
            // On a worker: a slow disk or the page's image never holds up the loop.
            let fileSwitch = FileSwitch(driver: file, secrets: builder.secrets)
            busy.insert(key)
            workJobs[workers.start {
                try fileSwitch.apply(activate: activate, window: shown, values: values)
                return .switched(activate ? "flag \(file.path) written" : "flag \(file.path) removed")
            }] = .action(window: window.id, target: name, activate: activate, secrets: [])
        case .alertmanager(let alertmanager):
            do {
                let state = try store.target(name, of: window.id)?.driverState
                guard let request = try AlertmanagerSilence(driver: alertmanager, secrets: builder.secrets)
                    .request(activate: activate, silenceId: state, window: window, values: values, now: now) else {
                    recordActionSuccess(window: window.id, target: name, activate: activate, detail: "no silence to expire", elapsed: 0, now: now)
                    return
                }
                busy.insert(key)
                jobs[pool.add(request)] = .action(window: window.id, target: name, activate: activate,
                                                  secrets: alertmanager.url.secretNames + alertmanager.headers.flatMap(\.value.secretNames))
            } catch {
                recordActionFailure(window: window.id, target: name, activate: activate, now: now, error: "\(error)", final: true)
            }
        case .haproxy(let haproxy):
            // The runtime socket on a worker (it has its own timeout): a HAProxy that never
            // answers delays nobody else's switch.
            busy.insert(key)
            workJobs[workers.start { .switched(try HAProxySwitch(driver: haproxy).apply(activate: activate)) }] =
                .action(window: window.id, target: name, activate: activate, secrets: [])
        case .command(let activateAction, let deactivateAction):
            let action = activate ? activateAction : deactivateAction
            do {
                let context = TemplateContext(values: [:], secrets: builder.secrets)
                var argv: [String] = []
                for word in action.argv { argv.append(try word.render(context)) }
                var environment = CommandEnvironment.variables(values: values, action: activate ? "activate" : "deactivate", base: environmentBase)
                for (variable, value) in action.environment { environment[variable] = try value.render(context) }
                busy.insert(key)
                processJobs[processes.start(argv: argv, environment: environment, directory: action.directory,
                                            timeoutMilliseconds: action.timeoutMilliseconds)] =
                    .action(window: window.id, target: name, activate: activate, secrets: action.secretNames)
            } catch {
                recordActionFailure(window: window.id, target: name, activate: activate, now: now, error: "\(error)", final: true)
            }
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

    /// The outcome of an http or alertmanager driver request.
    func completeAction(window windowId: String, target name: String, activate: Bool, secrets: [String],
                        result: Result<HTTPResponse, TransferError>, now: Date) {
        busy.remove(.action(window: windowId, target: name))
        if case .alertmanager(let alertmanager)? = schedule.targets[name]?.driver {
            switch AlertmanagerSilence.outcome(activate: activate, result: result) {
            case .success(let detail, let silenceId):
                recordActionSuccess(window: windowId, target: name, activate: activate, detail: detail,
                                    elapsed: (try? result.get().elapsedMilliseconds) ?? 0, now: now, driverState: silenceId)
            case .failure(let error):
                recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                    error: scrub(error, secrets), final: false, retries: alertmanager.retries)
            }
            return
        }
        guard case .http(let activateAction, let deactivateAction)? = schedule.targets[name]?.driver else {
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: "target \"\(name)\" is no longer defined as an http target", final: true)
            return
        }
        let action = activate ? activateAction : deactivateAction
        switch result {
        case .success(let response) where action.accepts(response.status):
            recordActionSuccess(window: windowId, target: name, activate: activate, detail: "HTTP \(response.status)",
                                elapsed: response.elapsedMilliseconds, now: now)
        case .success(let response):
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: scrub("HTTP \(response.status)" + (response.text.isEmpty ? "" : ": \(response.text)"), secrets),
                                final: false, retries: action.retries)
        case .failure(let error):
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: scrub(error.message, secrets), final: false, retries: action.retries)
        }
    }

    /// The outcome of a command driver program: its exit code, and the end of what it wrote to stderr.
    func completeCommand(_ completion: ProcessPool.Completion, now: Date) {
        guard case .action(let windowId, let name, let activate, let secrets)? = processJobs.removeValue(forKey: completion.tag) else { return }
        busy.remove(.action(window: windowId, target: name))
        guard case .command(let activateAction, let deactivateAction)? = schedule.targets[name]?.driver else {
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: "target \"\(name)\" is no longer defined as a command target", final: true)
            return
        }
        let action = activate ? activateAction : deactivateAction
        // Its last lines say most; secrets are replaced before it is cut.
        let stderr = scrub(completion.stderr, secrets, limit: 500, keep: .end)
        if let launchError = completion.launchError {
            recordActionFailure(window: windowId, target: name, activate: activate, now: now, error: launchError, final: false, retries: action.retries)
        } else if completion.timedOut {
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: "timed out after \(DurationText.format(action.timeoutMilliseconds))" + (stderr.isEmpty ? "" : "; stderr: \(stderr)"),
                                final: false, retries: action.retries)
        } else if action.successCodes.contains(completion.status) {
            recordActionSuccess(window: windowId, target: name, activate: activate,
                                detail: "exit \(completion.status)" + (stderr.isEmpty ? "" : "; stderr: \(stderr)"),
                                elapsed: completion.elapsedMilliseconds, now: now)
        } else {
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: "exit \(completion.status)" + (stderr.isEmpty ? "" : "; stderr: \(stderr)"), final: false, retries: action.retries)
        }
    }

    func recordActionSuccess(window windowId: String, target name: String, activate: Bool, detail: String, elapsed: Int, now: Date,
                             driverState: String? = nil) {
        let nowMs = Self.milliseconds(now)
        outcomeRecorded = true
        do {
            try store.transaction {
                guard var target = try store.target(name, of: windowId),
                      Self.awaits(target.state, activate: activate) else { return }
                let refreshed = target.state == .refreshing
                target.attempts += 1
                target.lastError = nil
                if let driverState { target.driverState = driverState }
                let openEnded = try store.window(windowId)?.endAt == nil
                if refreshed {
                    target.state = .active
                    target.nextAttemptAt = nextLook(name, openEnded: openEnded, now: nowMs)?.at
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.refreshed",
                                          message: "told the new end or message: \(detail) in \(elapsed) ms")
                    return
                }
                if activate {
                    target.state = .active
                    target.activatedAt = nowMs
                    target.nextAttemptAt = nextLook(name, openEnded: openEnded, now: nowMs)?.at
                } else {
                    target.state = .verifying
                    target.deactivatedAt = nowMs
                    target.phaseStartedAt = nowMs
                    target.nextAttemptAt = nowMs
                    target.health = nil
                }
                try store.saveTarget(target)
                let lag = nowMs - (target.phaseStartedAt ?? nowMs)
                try store.appendEvent(at: nowMs, window: windowId, target: name, kind: activate ? "target.activated" : "target.deactivated",
                                      message: "\(activate ? "in maintenance" : "maintenance off"): \(detail) in \(elapsed) ms (attempt \(target.attempts))",
                                      detail: Payload.object(["result": .string(detail), "elapsedMs": .number(Double(elapsed)), "attempt": .number(Double(target.attempts)), "phaseMs": .number(Double(lag))]))
            }
            log(.info, "window \(windowId): \(name) \(activate ? "activated" : "deactivated") (\(detail), \(elapsed) ms)")
        } catch {
            log(.error, "window \(windowId): \(name): cannot record the outcome: \(error)")
        }
    }

    /// A failed attempt: retried with backoff, or, after the last retry (or a failure no retry can
    /// mend), the target fails and a `failure` announcement goes out.
    func recordActionFailure(window windowId: String, target name: String, activate: Bool, now: Date, error: String,
                             final: Bool, retries: Int = 0) {
        let nowMs = Self.milliseconds(now)
        outcomeRecorded = true
        var gaveUp = false
        do {
            try store.transaction {
                guard var target = try store.target(name, of: windowId),
                      Self.awaits(target.state, activate: activate) else { return }
                target.attempts += 1
                target.lastError = error
                gaveUp = final || target.attempts > retries
                let verb = activate ? "activate" : "deactivate"
                if gaveUp {
                    // A refresh that fails leaves the target in maintenance with the previous end or
                    // message; any other action that fails leaves it failed.
                    let refreshing = target.state == .refreshing
                    target.state = refreshing ? .active : .failed
                    target.nextAttemptAt = nil
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: refreshing ? "target.refresh-failed" : "target.failed",
                                          message: "could not \(refreshing ? "be told the new end or message" : verb) after \(target.attempts) attempt(s): \(error)")
                    let next = refreshing ? "The target stays in maintenance and shows the previous end or message."
                        : activate ? "The other targets go on; maint will still send the deactivate request at the end of the window."
                        : "maint has stopped trying; switch maintenance off on this target by hand."
                    if let window = try store.window(windowId) {
                        try enqueueFailure(window, target: name, action: refreshing ? "update" : verb, error: error,
                                           attempts: target.attempts, next: next, now: now)
                    }
                } else {
                    let delay = backoff.delay(afterAttempts: target.attempts)
                    target.nextAttemptAt = nowMs + delay
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.retry",
                                          message: "\(verb) attempt \(target.attempts) failed: \(error); next try in \(DurationText.format(delay))")
                }
            }
        } catch {
            log(.error, "window \(windowId): \(name): cannot record the outcome: \(error)")
            return
        }
        log(gaveUp ? .error : .warning, "window \(windowId): \(name): \(activate ? "activate" : "deactivate") failed: \(error)\(gaveUp ? " (giving up)" : ", will retry")")
    }

    /// When an active target is next looked at, and how: files that expire (WordPress's
    /// `.maintenance` after 600 s) and silences of open-ended windows are made again (`rearm`);
    /// targets whose real state can be read are probed on their `probeInterval`, so that a
    /// target that drifted out of maintenance is noticed and switched back.
    func nextLook(_ name: String, openEnded: Bool, now: Int64) -> (at: Int64, rearm: Bool)? {
        guard let target = schedule.targets[name] else { return nil }
        switch target.driver {
        case .file(let file):
            if let interval = file.rearmMilliseconds { return (now + interval, true) }
        // A silence for an open-ended window lasts a day; it is renewed an hour before it lapses.
        case .alertmanager:
            if openEnded { return (now + AlertmanagerSilence.openEndedLength - 3_600_000, true) }
        case .command:
            return nil
        case .http:
            if target.probe == nil { return nil }
        case .haproxy:
            break
        }
        return (now + target.probeIntervalMilliseconds, false)
    }

    /// A text from a request (a reply, an error, a program's output) as it may be stored, logged
    /// and announced: clear of every secret of the schedule and of the request, then cut.
    func scrub(_ text: String, _ requestSecrets: [String], limit: Int = 300, keep: SecretSource.Keep = .start) -> String {
        builder.secrets.scrub(text, names: schedule.secretNames + requestSecrets, limit: limit, keep: keep)
    }

    /// The target states an activate (or deactivate) outcome is waited for in.
    static func awaits(_ state: TargetState, activate: Bool) -> Bool {
        activate ? state == .activating || state == .refreshing : state == .deactivating
    }

    /// Routes a finished transfer to what started it.
    public func complete(_ completion: TransferPool.Completion, now: Date) {
        guard let job = jobs.removeValue(forKey: completion.tag) else { return }
        switch job {
        case .action(let window, let target, let activate, let secrets):
            completeAction(window: window, target: target, activate: activate, secrets: secrets, result: completion.result, now: now)
        case .check(let window, let target, let index, let secrets):
            completeCheck(window: window, target: target, index: index, secrets: secrets, result: completion.result, now: now)
        case .delivery(let id, let secrets):
            completeDelivery(id: id, secrets: secrets, result: completion.result, now: now)
        case .doneCheck(let window, let target, let index):
            completeDoneCheck(window: window, target: target, index: index, result: completion.result, now: now)
        case .probe(let window, let target):
            busy.remove(.probe(window: window, target: target))
            guard let config = schedule.targets[target] else { return }
            let (on, detail) = StateProbe.interpret(config, completion.result)
            recordProbe(window: window, target: target, inMaintenance: on, detail: scrub(detail, []), now: now)
        }
    }
}

extension Engine {
    /// Reads an active target's real state (see `StateProbe`).
    func launchProbe(_ window: WindowRecord, _ state: TargetStateRecord, now: Date) {
        let key = InFlight.probe(window: window.id, target: state.target)
        guard !busy.contains(key), let target = schedule.targets[state.target] else { return }
        let values = WindowContext.values(window, target: target.name, zone: target.timezone, now: now)
        switch StateProbe.start(target, driverState: state.driverState, values: values, builder: builder) {
        case .answer(let on, let detail):
            recordProbe(window: window.id, target: target.name, inMaintenance: on, detail: detail, now: now)
        case .request(let request):
            busy.insert(key)
            jobs[pool.add(request)] = .probe(window: window.id, target: target.name)
        case .blocking(let read):
            busy.insert(key)
            workJobs[workers.start { let (on, detail) = read(); return .probed(on, detail) }] = .probe(window: window.id, target: target.name)
        }
    }

    /// In maintenance: look again later. Drifted out: record it and switch it back at once.
    func recordProbe(window windowId: String, target name: String, inMaintenance: Bool?, detail: String, now: Date) {
        let nowMs = Self.milliseconds(now)
        outcomeRecorded = true
        do {
            try store.transaction {
                guard var target = try store.target(name, of: windowId), target.state == .active else { return }
                if inMaintenance == false {
                    target.state = .refreshing
                    target.attempts = 0
                    target.nextAttemptAt = nowMs
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.drifted",
                                          message: "found out of maintenance (\(detail)); switching it back")
                } else {
                    let openEnded = try store.window(windowId)?.endAt == nil
                    target.nextAttemptAt = nextLook(name, openEnded: openEnded, now: nowMs)?.at
                    try store.saveTarget(target)
                }
            }
        } catch {
            log(.error, "window \(windowId): \(name): cannot record its state: \(error)")
            return
        }
        if inMaintenance == false { log(.warning, "window \(windowId): \(name) drifted out of maintenance (\(detail)); re-asserting") }
    }
}
