import Foundation
import MaintCore
import MaintNet
import MaintStore

extension Engine {
    /// Sends the activate or deactivate request of one target. The target's state was committed
    /// before this call; the outcome is committed in `completeAction`.
    func launchAction(_ window: WindowRecord, _ name: String, activate: Bool, now: Date) {
        let key = "a|\(window.id)|\(name)"
        guard !busy.contains(key) else { return }
        if let limit = window.maxParallel, busy.filter({ $0.hasPrefix("a|\(window.id)|") }).count >= limit {
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
        let action = activate ? target.activate : target.deactivate
        let values = WindowContext.values(window, target: name, zone: target.timezone, now: now)
        do {
            let request = try builder.request(action, values: values)
            busy.insert(key)
            jobs[pool.add(request)] = .action(window: window.id, target: name, activate: activate, secrets: action.secretNames)
        } catch {
            recordActionFailure(window: window.id, target: name, activate: activate, now: now, error: error.description, final: true)
        }
    }

    func completeAction(window windowId: String, target name: String, activate: Bool, secrets: [String],
                        result: Result<HTTPResponse, TransferError>, now: Date) {
        busy.remove("a|\(windowId)|\(name)")
        guard let action = schedule.targets[name].map({ activate ? $0.activate : $0.deactivate }) else {
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: "target \"\(name)\" is no longer defined in the schedule files", final: true)
            return
        }
        switch result {
        case .success(let response) where action.accepts(response.status):
            recordActionSuccess(window: windowId, target: name, activate: activate, status: response.status,
                                elapsed: response.elapsedMilliseconds, now: now)
        case .success(let response):
            let snippet = String(response.text.prefix(200)).replacingOccurrences(of: "\n", with: " ")
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: builder.redact("HTTP \(response.status)" + (snippet.isEmpty ? "" : ": \(snippet)"), names: secrets),
                                final: false, retries: action.retries)
        case .failure(let error):
            recordActionFailure(window: windowId, target: name, activate: activate, now: now,
                                error: builder.redact(error.message, names: secrets), final: false, retries: action.retries)
        }
    }

    func recordActionSuccess(window windowId: String, target name: String, activate: Bool, status: Int, elapsed: Int, now: Date) {
        let nowMs = Self.milliseconds(now)
        do {
            try store.transaction {
                guard var target = try store.targets(of: windowId).first(where: { $0.target == name }),
                      Self.awaits(target.state, activate: activate) else { return }
                let refreshed = target.state == "refreshing"
                target.attempts += 1
                target.lastError = nil
                if refreshed {
                    target.state = "active"
                    target.nextAttemptAt = nil
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.refreshed",
                                          message: "told the new end or message: HTTP \(status) in \(elapsed) ms")
                    return
                }
                if activate {
                    target.state = "active"
                    target.activatedAt = nowMs
                    target.nextAttemptAt = nil
                } else {
                    target.state = "verifying"
                    target.deactivatedAt = nowMs
                    target.phaseStartedAt = nowMs
                    target.nextAttemptAt = nowMs
                    target.health = nil
                }
                try store.saveTarget(target)
                let lag = nowMs - (target.phaseStartedAt ?? nowMs)
                try store.appendEvent(at: nowMs, window: windowId, target: name, kind: activate ? "target.activated" : "target.deactivated",
                                      message: "\(activate ? "in maintenance" : "maintenance off"): HTTP \(status) in \(elapsed) ms (attempt \(target.attempts))",
                                      detail: Payload.object(["status": .number(Double(status)), "elapsedMs": .number(Double(elapsed)), "attempt": .number(Double(target.attempts)), "phaseMs": .number(Double(lag))]))
            }
            log(.info, "window \(windowId): \(name) \(activate ? "activated" : "deactivated") (HTTP \(status), \(elapsed) ms)")
        } catch {
            log(.error, "window \(windowId): \(name): cannot record the outcome: \(error)")
        }
    }

    /// A failed attempt: retried with backoff, or, after the last retry (or a failure no retry can
    /// mend), the target fails and a `failure` announcement goes out.
    func recordActionFailure(window windowId: String, target name: String, activate: Bool, now: Date, error: String,
                             final: Bool, retries: Int = 0) {
        let nowMs = Self.milliseconds(now)
        var gaveUp = false
        do {
            try store.transaction {
                guard var target = try store.targets(of: windowId).first(where: { $0.target == name }),
                      Self.awaits(target.state, activate: activate) else { return }
                target.attempts += 1
                target.lastError = error
                gaveUp = final || target.attempts > retries
                let verb = activate ? "activate" : "deactivate"
                if gaveUp && target.state == "refreshing" {
                    // Still in maintenance, only showing the previous end or message.
                    target.state = "active"
                    target.nextAttemptAt = nil
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.refresh-failed",
                                          message: "could not be told the new end or message after \(target.attempts) attempt(s): \(error)")
                    if let window = try store.window(windowId) {
                        try enqueue("failure", window: window, now: now, extra: ["failure": .object([
                            "target": .string(name), "action": .string("update"), "error": .string(error),
                            "attempts": .number(Double(target.attempts)),
                            "next": .string("The target stays in maintenance and shows the previous end or message."),
                        ])])
                    }
                } else if gaveUp {
                    target.state = "failed"
                    target.nextAttemptAt = nil
                    try store.saveTarget(target)
                    try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.failed",
                                          message: "could not \(verb) after \(target.attempts) attempt(s): \(error)")
                    if let window = try store.window(windowId) {
                        let next = activate
                            ? "The other targets go on; maint will still send the deactivate request at the end of the window."
                            : "maint has stopped trying; switch maintenance off on this target by hand."
                        try enqueue("failure", window: window, now: now, extra: ["failure": .object([
                            "target": .string(name), "action": .string(verb), "error": .string(error),
                            "attempts": .number(Double(target.attempts)), "next": .string(next),
                        ])])
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

    /// The target states an activate (or deactivate) outcome is waited for in.
    static func awaits(_ state: String, activate: Bool) -> Bool {
        activate ? state == "activating" || state == "refreshing" : state == "deactivating"
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
        }
    }
}
