import Foundation
import MaintCore
import MaintNet
import MaintStore

/// The checks of one target in flight, gathered until all have answered.
struct HealthRun {
    var results: [Int: CheckResult] = [:]
    var expected: Int
}

/// One check's outcome, as stored and announced.
public struct CheckResult: Codable, Sendable {
    public var check: String
    public var ok: Bool
    public var status: Int?
    public var responseTimeMs: Int?
    public var detail: String

    /// Judges a check's reply by its condition.
    static func judge(_ check: HealthCheck, _ result: Result<HTTPResponse, TransferError>, now: Date, redact: (String) -> String) -> CheckResult {
        switch result {
        case .success(let response):
            let observation = HealthObservation(status: response.status, responseTimeMilliseconds: response.elapsedMilliseconds, body: response.text,
                                                certificateExpiresInMilliseconds: response.certificateExpiry.map { Int64($0.timeIntervalSince(now) * 1000) })
            let ok = check.condition.evaluate(observation)
            // A failed condition names the value it got, which may echo what the request sent.
            return CheckResult(check: check.name, ok: ok, status: response.status, responseTimeMs: response.elapsedMilliseconds,
                               detail: ok ? check.condition.source : redact("failed: " + check.condition.failures(observation).joined(separator: "; ")))
        case .failure(let error):
            return CheckResult(check: check.name, ok: false, status: nil, responseTimeMs: error.elapsedMilliseconds, detail: redact(error.message))
        }
    }
}

extension Engine {
    /// Time between two rounds of a target's checks, from its health timeout: 1 s to 10 s.
    func checkInterval(_ target: TargetConfig?) -> Int64 {
        // A check's own interval wins; the shortest of them, when several set one.
        if let own = target?.health.compactMap(\.intervalMilliseconds).min() { return own }
        return min(10_000, max(1_000, (target?.healthTimeoutMilliseconds ?? 300_000) / 30))
    }

    func launchChecks(_ window: WindowRecord, _ state: TargetStateRecord, now: Date) throws {
        let key = InFlight.checks(window: window.id, target: state.target)
        guard !busy.contains(key) else { return }
        let target = schedule.targets[state.target]
        let checks = target?.health ?? []
        guard let target, !checks.isEmpty else {
            try settleHealth(window: window.id, target: state.target, results: [], now: now)
            return
        }
        let values = WindowContext.values(window, target: target.name, zone: target.timezone, now: now)
        busy.insert(key)
        healthRuns[key] = HealthRun(expected: checks.count)
        for (index, check) in checks.enumerated() {
            do {
                let request = try builder.request(check, values: values)
                jobs[pool.add(request)] = .check(window: window.id, target: target.name, index: index, secrets: check.url.secretNames + check.headers.flatMap(\.value.secretNames))
            } catch {
                healthRuns[key]?.results[index] = CheckResult(check: check.name, ok: false, status: nil, responseTimeMs: nil, detail: error.description)
            }
        }
        try settleIfComplete(key: key, window: window.id, target: target.name, now: now)
    }

    func completeCheck(window: String, target name: String, index: Int, secrets: [String], result: Result<HTTPResponse, TransferError>, now: Date) {
        let key = InFlight.checks(window: window, target: name)
        guard let check = schedule.targets[name]?.health[safe: index] else {
            healthRuns[key]?.results[index] = CheckResult(check: "check\(index + 1)", ok: false, status: nil, responseTimeMs: nil, detail: "check no longer defined")
            try? settleIfComplete(key: key, window: window, target: name, now: now)
            return
        }
        let outcome = CheckResult.judge(check, result, now: now) { scrub($0, secrets) }
        healthRuns[key]?.results[index] = outcome
        do {
            try settleIfComplete(key: key, window: window, target: name, now: now)
        } catch {
            log(.error, "window \(window): \(name): cannot record health results: \(error)")
        }
    }

    func settleIfComplete(key: InFlight, window: String, target: String, now: Date) throws {
        guard let run = healthRuns[key], run.results.count == run.expected else { return }
        healthRuns[key] = nil
        busy.remove(key)
        try settleHealth(window: window, target: target, results: run.results.sorted { $0.key < $1.key }.map(\.value), now: now)
    }

    /// All checks passed: healthy. Some failed: try again after an interval, until the health
    /// timeout has run out since deactivation; then unhealthy.
    func settleHealth(window windowId: String, target name: String, results: [CheckResult], now: Date) throws {
        // The window may end with this target: the loop takes another round rather than sleep.
        outcomeRecorded = true
        let nowMs = Self.milliseconds(now)
        let config = schedule.targets[name]
        let window = try store.window(windowId)
        let timeout = window?.healthTimeoutMilliseconds ?? config?.healthTimeoutMilliseconds ?? 300_000
        let passed = results.allSatisfy(\.ok)
        try store.transaction {
            guard var target = try store.target(name, of: windowId), target.state == .verifying else { return }
            target.attempts += 1
            target.health = MaintenanceStore.encode(results)
            let summary = results.isEmpty ? "no health checks defined" : results.map { "\($0.check): \($0.ok ? "ok" : $0.detail)" }.joined(separator: "; ")
            if passed {
                target.state = .healthy
                target.nextAttemptAt = nil
                target.lastError = nil
                try store.saveTarget(target)
                try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.healthy", message: summary,
                                      detail: target.health)
            } else if nowMs - (target.phaseStartedAt ?? nowMs) >= timeout, window?.onHealthFailure == .reactivate, let window {
                // Back into maintenance until someone has fixed it: the window has no end now.
                target.state = .activating
                target.attempts = 0
                target.nextAttemptAt = nowMs
                target.phaseStartedAt = nowMs
                target.lastError = summary
                try store.saveTarget(target)
                try store.setWindowEnd(windowId, endAt: nil, at: nowMs)
                try store.setWindowState(windowId, .reactivating, at: nowMs)
                try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.reactivating",
                                      message: "still failing after \(DurationText.format(timeout)): \(summary); putting it back into maintenance",
                                      detail: target.health)
                try enqueueFailure(window, target: name, action: "health", error: summary, attempts: target.attempts,
                                   next: "It is back in maintenance and the window has no end now: fix it, then `maint done \(windowId)` (ends when the checks pass) or `maint end \(windowId)`.",
                                   now: now)
            } else if nowMs - (target.phaseStartedAt ?? nowMs) >= timeout {
                target.state = .unhealthy
                target.nextAttemptAt = nil
                target.lastError = summary
                try store.saveTarget(target)
                try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.unhealthy",
                                      message: "still failing after \(DurationText.format(timeout)): \(summary)", detail: target.health)
            } else {
                target.nextAttemptAt = nowMs + checkInterval(config)
                target.lastError = summary
                try store.saveTarget(target)
                try store.appendEvent(at: nowMs, window: windowId, target: name, kind: "target.checking", message: summary, detail: target.health)
            }
        }
    }
}

extension Engine {
    /// Whether each target really is in maintenance now (nil: cannot tell), for `maint status`.
    public func actualStates(_ names: [String]) throws -> [String: ProbeReading] {
        var driverStates: [String: String] = [:]
        for window in try store.openWindows() {
            for target in try store.targets(of: window.id) { if let state = target.driverState { driverStates[target.target] = state } }
        }
        return StateProbe.readAll(names.compactMap { schedule.targets[$0] }, driverStates: driverStates, secrets: builder.secrets, pool: pool)
            .mapValues { ProbeReading($0.inMaintenance, scrub($0.detail, [])) }
    }

    /// `maint check`: every check of the targets, now, in parallel.
    public func checkNow(_ selectors: [String], now: Date) throws -> [(target: String, results: [CheckResult])] {
        let resolved = schedule.resolve(selectors)
        if !resolved.unknown.isEmpty { throw CommandRefusal(.input, "unknown target(s): \(resolved.unknown.joined(separator: ", "))") }
        var requests: [HTTPRequest] = []
        var owners: [(String, HealthCheck)] = []
        var immediate: [String: [CheckResult]] = [:]
        for name in resolved.targets {
            guard let target = schedule.targets[name] else { continue }
            let values = WindowContext.values(standaloneTarget: name, zone: target.timezone, now: now)
            for check in target.health {
                do {
                    requests.append(try builder.request(check, values: values))
                    owners.append((name, check))
                } catch {
                    immediate[name, default: []].append(CheckResult(check: check.name, ok: false, status: nil, responseTimeMs: nil, detail: error.description))
                }
            }
        }
        var results = immediate
        for ((name, check), result) in zip(owners, pool.perform(requests)) {
            let secrets = check.url.secretNames + check.headers.flatMap(\.value.secretNames)
            results[name, default: []].append(CheckResult.judge(check, result, now: now) { scrub($0, secrets) })
        }
        return resolved.targets.map { ($0, results[$0] ?? []) }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
