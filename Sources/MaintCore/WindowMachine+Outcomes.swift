/// What the outcome of a target's work does to it: each decision takes the window and the
/// target's record as read, and gives the step to commit, or nil when the target no longer
/// waits for that outcome (the window moved on meanwhile).
extension WindowMachine {
    /// The target states an activate (or deactivate) outcome is waited for in.
    public static func awaits(_ state: TargetState, activate: Bool) -> Bool {
        activate ? state == .activating || state == .refreshing : state == .deactivating
    }

    /// When a target in maintenance is next looked at, from now.
    func nextLook(_ target: String, openEnded: Bool) -> Int64? { look(target, openEnded).map { now + $0.delay } }

    /// The switch worked: in maintenance (or told again), or off and on to its health checks.
    public func switched(_ window: WindowRecord, _ record: TargetStateRecord, activate: Bool, detail: String, elapsed: Int,
                         keep: String? = nil) -> WindowStep? {
        guard Self.awaits(record.state, activate: activate) else { return nil }
        var step = WindowStep(window: window)
        var target = record
        let refreshed = target.state == .refreshing
        target.attempts += 1
        let attempt = target.attempts
        target.lastError = nil
        if let keep { target.driverState = keep }
        let openEnded = window.endAt == nil
        step.movedOn = true
        if refreshed {
            target.state = .active
            target.nextAttemptAt = nextLook(target.target, openEnded: openEnded)
            step.save(target)
            step.event("target.refreshed", target: target.target, "told the new end or message: \(detail) in \(elapsed) ms")
            return step
        }
        if activate {
            target.state = .active
            target.activatedAt = now
            target.nextAttemptAt = nextLook(target.target, openEnded: openEnded)
        } else {
            target.state = .verifying
            target.deactivatedAt = now
            target.phaseStartedAt = now
            target.nextAttemptAt = now
            target.health = nil
            // Its tries count the check rounds now: after a clean window, 1.
            target.attempts = 0
        }
        step.save(target)
        let lag = now - (target.phaseStartedAt ?? now)
        step.event(activate ? "target.activated" : "target.deactivated", target: target.target,
                   UTF8Text("\(activate ? "in maintenance" : "maintenance off"): \(detail) in \(elapsed) ms (attempt \(attempt))").text,
                   detail: Payload.switched(result: detail, elapsed: elapsed, attempt: attempt, phase: lag))
        step.note(.info, "\(record.target) \(activate ? "activated" : "deactivated") (\(detail), \(elapsed) ms)")
        // With no checks to run, it is healthy now: as its checks would find, in the same step.
        if !activate, !hasHealthChecks(target.target),
           let settled = checked(step.window, target, results: [], healthTimeout: .max, retryInterval: 0) {
            step.append(settled)
        }
        return step
    }

    /// A failed attempt: tried again after `backoff(attempts)` milliseconds, or, after the last
    /// retry (or a failure no retry can mend, `final`), the target fails and a `failure`
    /// announcement goes out. A refresh that fails leaves the target in maintenance with the
    /// previous end or message.
    public func switchFailed(_ window: WindowRecord, _ record: TargetStateRecord, activate: Bool, error: String, final: Bool,
                             retries: Int, backoff: (Int) -> Int64) -> WindowStep? {
        guard Self.awaits(record.state, activate: activate) else { return nil }
        var step = WindowStep(window: window)
        var target = record
        target.attempts += 1
        target.lastError = error
        let gaveUp = final || target.attempts > retries
        let verb = activate ? "activate" : "deactivate"
        step.movedOn = true
        if gaveUp {
            let refreshing = target.state == .refreshing
            target.state = refreshing ? .active : .failed
            target.nextAttemptAt = nil
            step.save(target)
            step.event(refreshing ? "target.refresh-failed" : "target.failed", target: target.target,
                       "could not \(refreshing ? "be told the new end or message" : verb) after \(target.attempts) attempt(s): \(error)")
            let next = refreshing ? "The target stays in maintenance and shows the previous end or message."
                : activate ? "The other targets go on; maint will still send the deactivate request at the end of the window."
                : "maint has stopped trying; switch maintenance off on this target by hand."
            step.announce(.failure, Self.failure(target: target.target, action: refreshing ? "update" : verb, error: error,
                                                 attempts: target.attempts, next: next))
        } else {
            let delay = backoff(target.attempts)
            target.nextAttemptAt = now + delay
            step.save(target)
            step.event("target.retry", target: target.target,
                       "\(verb) attempt \(target.attempts) failed: \(error); next try in \(DurationText.rounded(delay))")
        }
        step.note(gaveUp ? .error : .warning, "\(record.target): \(verb) failed: \(error)\(gaveUp ? " (giving up)" : ", will retry")")
        return step
    }

    /// The real state was read: in maintenance, look again later; drifted out, switch it back at once.
    public func probed(_ window: WindowRecord, _ record: TargetStateRecord, inMaintenance: Bool?, detail: String) -> WindowStep? {
        guard record.state == .active else { return nil }
        var step = WindowStep(window: window)
        var target = record
        step.movedOn = true
        if inMaintenance == false {
            target.state = .refreshing
            target.attempts = 0
            target.nextAttemptAt = now
            step.event("target.drifted", target: target.target, "found out of maintenance (\(detail)); switching it back")
            step.note(.warning, "\(record.target) drifted out of maintenance (\(detail)); re-asserting")
        } else {
            target.nextAttemptAt = nextLook(target.target, openEnded: window.endAt == nil)
        }
        step.save(target)
        return step
    }

    /// A target's health checks came back. All passed: healthy. Some failed: checked again after
    /// `retryInterval`, until `healthTimeout` has run out since it was switched off; then
    /// unhealthy or, with `onHealthFailure: reactivate`, back into maintenance, the window open-ended.
    public func checked(_ window: WindowRecord, _ record: TargetStateRecord, results: [CheckResult], healthTimeout: Int64,
                        retryInterval: Int64) -> WindowStep? {
        guard record.state == .verifying else { return nil }
        var step = WindowStep(window: window)
        var target = record
        target.attempts += 1
        target.health = results.stored
        let summary = results.summary
        let timedOut = now - (target.phaseStartedAt ?? now) >= healthTimeout
        // The window may end with this target: the loop takes another round rather than sleep.
        step.movedOn = true
        if results.allSatisfy(\.ok) {
            target.state = .healthy
            target.nextAttemptAt = nil
            target.lastError = nil
            step.event("target.healthy", target: target.target, summary, detail: target.health)
        } else if timedOut && window.onHealthFailure == .reactivate {
            // Back into maintenance until someone has fixed it: the window has no end now.
            target.state = .activating
            target.attempts = 0
            target.nextAttemptAt = now
            target.phaseStartedAt = now
            target.lastError = summary
            step.window.endAt = nil
            step.window.state = .reactivating
            step.event("target.reactivating", target: target.target,
                       "still failing after \(DurationText.format(healthTimeout)): \(summary); putting it back into maintenance", detail: target.health)
            step.announce(.failure, Self.failure(target: target.target, action: "health", error: summary, attempts: record.attempts + 1,
                                                 next: "It is back in maintenance and the window has no end now: fix it, then `maint done \(window.id)` (ends when the checks pass) or `maint end \(window.id)`."))
        } else if timedOut {
            target.state = .unhealthy
            target.nextAttemptAt = nil
            target.lastError = summary
            step.event("target.unhealthy", target: target.target, "still failing after \(DurationText.format(healthTimeout)): \(summary)", detail: target.health)
        } else {
            target.nextAttemptAt = now + retryInterval
            target.lastError = summary
            step.event("target.checking", target: target.target, summary, detail: target.health)
        }
        step.save(target)
        return step
    }

    /// `maint extend` or `maint update` of a running window: its targets in maintenance whose
    /// driver shows what changed are told again at once.
    public func tellAgain(_ targets: [TargetStateRecord], of window: WindowRecord, refreshes: (String) -> Bool) -> [TargetStateRecord] {
        guard window.state != .scheduled else { return [] }
        return targets.filter { ($0.state == .active || $0.state == .refreshing) && refreshes($0.target) }.map {
            var target = $0
            target.state = .refreshing
            target.attempts = 0
            target.nextAttemptAt = now
            return target
        }
    }

    /// `maint done`: every check passed (or there is none): the window ends now.
    public func endWhenHealthy(_ window: WindowRecord, summary: String) -> WindowStep {
        var step = WindowStep(window: window)
        step.window.endAt = now
        step.event("window.healthy", "\(summary): ending the window")
        step.note(.notice, "healthy again (\(summary)); ending it")
        step.movedOn = true
        return step
    }

    /// What a `failure` announcement carries: which target, what it was doing, the error, what happens next.
    public static func failure(target: String, action: String, error: String, attempts: Int, next: String) -> [String: JSONValue] {
        ["failure": .object(["target": .string(target), "action": .string(action), "error": .string(error),
                             "attempts": .number(Double(attempts)), "next": .string(next)])]
    }
}
