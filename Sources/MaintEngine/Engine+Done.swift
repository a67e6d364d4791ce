import Foundation
import MaintCore
import MaintNet
import MaintStore

extension Engine {
    /// `maint done WINDOW`: the work is finished; end the window as soon as every target's
    /// health checks pass (checks that get through maintenance mode, with an admin header).
    public func markDone(_ id: String, now: Date, by actor: Actor = .commandLine) throws {
        let window = try existingWindow(id)
        guard [.activating, .active, .reactivating].contains(window.state) else {
            throw CommandRefusal(.state, window.state == .scheduled
                ? "window \(id) has not started; to drop it, run `maint cancel \(id)`"
                : "window \(id) is \(window.state); nothing to wait for")
        }
        let nowMs = Self.milliseconds(now)
        try store.transaction {
            try store.setEndWhenHealthy(id, at: nowMs)
            try store.appendEvent(at: nowMs, window: id, kind: "window.done",
                                  message: "the work is finished: the window ends as soon as the health checks pass", actor: actor.name)
        }
        doneNext[id] = now
    }

    /// One round of every target's checks, each `checkInterval` until they all pass.
    func stepDone(_ window: WindowRecord, now: Date) throws {
        guard doneRounds[window.id] == nil, (doneNext[window.id] ?? now) <= now else { return }
        let targets = try store.targets(of: window.id).compactMap { targetConfig($0.target) }
        var requests: [(String, Int, HTTPRequest)] = []
        for target in targets {
            let values = self.values(window, target: target, now: now)
            for (index, check) in target.health.enumerated() {
                guard let request = try? builder.request(check, values: values) else { continue }
                requests.append((target.name, index, request))
            }
        }
        guard !requests.isEmpty else {
            try endWhenHealthy(window, summary: "no health checks to wait for", now: now)
            return
        }
        doneRounds[window.id] = DoneRound(expected: requests.count)
        for (target, index, request) in requests {
            jobs[pool.add(request)] = .doneCheck(window: window.id, target: target, index: index)
        }
    }

    func completeDoneCheck(window windowId: String, target name: String, index: Int, result: Result<HTTPResponse, TransferError>, now: Date) {
        guard var round = doneRounds[windowId], let check = targetConfig(name)?.health[safe: index] else { return }
        let secrets = check.url.secretNames + check.headers.flatMap(\.value.secretNames)
        round.results.append((name, CheckResult.judge(check, result, now: now) { scrub($0, secrets) }))
        guard round.results.count == round.expected else {
            doneRounds[windowId] = round
            return
        }
        doneRounds[windowId] = nil
        let failing = round.results.filter { !$0.result.ok }
        do {
            guard let window = try store.window(windowId), window.state == .active else { return }
            if failing.isEmpty {
                try endWhenHealthy(window, summary: "all \(round.results.count) check(s) pass", now: now)
            } else {
                let interval = targetConfig(failing[0].target).map(checkInterval) ?? 5_000
                doneNext[windowId] = now.addingTimeInterval(Double(interval) / 1000)
                try store.appendEvent(at: Self.milliseconds(now), window: windowId, kind: "window.waiting",
                                      message: "not healthy yet: " + failing.map { "\($0.target) \($0.result.check): \($0.result.detail)" }.joined(separator: "; "))
                outcomeRecorded = true
            }
        } catch {
            log(.error, "window \(windowId): cannot record its checks: \(error)")
        }
    }

    func endWhenHealthy(_ window: WindowRecord, summary: String, now: Date) throws {
        doneNext[window.id] = nil
        try commit(machine(now).endWhenHealthy(window, summary: summary), read: window, now: now)
    }
}
