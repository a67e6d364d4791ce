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
        }
        step.save(target)
        let lag = now - (target.phaseStartedAt ?? now)
        step.event(activate ? "target.activated" : "target.deactivated", target: target.target,
                   "\(activate ? "in maintenance" : "maintenance off"): \(detail) in \(elapsed) ms (attempt \(target.attempts))",
                   detail: Payload.object(["result": .string(detail), "elapsedMs": .number(Double(elapsed)),
                                           "attempt": .number(Double(target.attempts)), "phaseMs": .number(Double(lag))]))
        step.note(.info, "\(target.target) \(activate ? "activated" : "deactivated") (\(detail), \(elapsed) ms)")
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
                       "\(verb) attempt \(target.attempts) failed: \(error); next try in \(DurationText.format(delay))")
        }
        step.note(gaveUp ? .error : .warning, "\(target.target): \(verb) failed: \(error)\(gaveUp ? " (giving up)" : ", will retry")")
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
            step.note(.warning, "\(target.target) drifted out of maintenance (\(detail)); re-asserting")
        } else {
            target.nextAttemptAt = nextLook(target.target, openEnded: window.endAt == nil)
        }
        step.save(target)
        return step
    }

    /// What a `failure` announcement carries: which target, what it was doing, the error, what happens next.
    public static func failure(target: String, action: String, error: String, attempts: Int, next: String) -> [String: JSONValue] {
        ["failure": .object(["target": .string(target), "action": .string(action), "error": .string(error),
                             "attempts": .number(Double(attempts)), "next": .string(next)])]
    }
}
