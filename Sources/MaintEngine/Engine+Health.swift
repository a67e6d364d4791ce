import Foundation
import MaintCore
import MaintNet
import MaintStore

/// The checks of one target in flight, gathered until all have answered.
struct HealthRun {
    var results: [Int: CheckResult] = [:]
    var expected: Int
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
        let target = targetConfig(state.target)
        let checks = target?.health ?? []
        guard let target, !checks.isEmpty else {
            try settleHealth(window: window.id, target: state.target, results: [], now: now)
            return
        }
        let values = self.values(window, target: target, now: now)
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
        guard let check = targetConfig(name)?.health[safe: index] else {
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

    /// A target's checks all answered: the machine decides (`WindowMachine.checked`).
    func settleHealth(window windowId: String, target name: String, results: [CheckResult], now: Date) throws {
        let config = targetConfig(name)
        record(window: windowId, target: name, now: now) { machine, window, target in
            machine.checked(window, target, results: results,
                            healthTimeout: window.healthTimeoutMilliseconds ?? config?.healthTimeoutMilliseconds ?? 300_000,
                            retryInterval: self.checkInterval(config))
        }
    }
}

extension Engine {
    /// `maint check`: every check of the targets, built here (the loop), sent by `CheckPlan.run`
    /// on any thread, all in parallel.
    public func checkPlan(_ selectors: [String], now: Date) throws -> CheckPlan {
        try requireFiles()
        let resolved = schedule.resolve(selectors)
        if !resolved.unknown.isEmpty { throw CommandRefusal(.notFound, resolved.unknown.map(schedule.unknownSelector).joined(separator: "; ")) }
        var plan = CheckPlan(order: resolved.targets, secrets: builder.secrets, secretNames: schedule.secretNames, now: now)
        for name in resolved.targets {
            guard let target = targetConfig(name) else { continue }
            let values = WindowContext.values(standaloneTarget: name, zone: target.timezone, now: now)
            for check in target.health {
                do {
                    plan.requests.append((name, check, try builder.request(check, values: values)))
                } catch {
                    plan.immediate[name, default: []].append(CheckResult(check: check.name, ok: false, status: nil, responseTimeMs: nil, detail: error.description))
                }
            }
        }
        return plan
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// A `maint check` made ready on the loop: the requests, and what could not be built.
public struct CheckPlan: Sendable {
    let order: [String]
    let secrets: SecretSource
    let secretNames: [String]
    let now: Date
    var requests: [(target: String, check: HealthCheck, request: HTTPRequest)] = []
    var immediate: [String: [CheckResult]] = [:]

    init(order: [String], secrets: SecretSource, secretNames: [String], now: Date) {
        self.order = order
        self.secrets = secrets
        self.secretNames = secretNames
        self.now = now
    }

    /// Sends every check at once on a pool of its own; each target's results, in order.
    public func run() -> [(target: String, results: [CheckResult])] {
        var results = immediate
        let answers = requests.isEmpty ? [] : TransferPool().perform(requests.map(\.request))
        for ((name, check, _), result) in zip(requests, answers) {
            let names = secretNames + check.url.secretNames + check.headers.flatMap(\.value.secretNames)
            results[name, default: []].append(CheckResult.judge(check, result, now: now) { secrets.scrub($0, names: names) })
        }
        return order.map { ($0, results[$0] ?? []) }
    }
}
