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

    /// A target's checks all answered: the machine decides (`WindowMachine.checked`).
    func settleHealth(window windowId: String, target name: String, results: [CheckResult], now: Date) throws {
        let config = schedule.targets[name]
        record(window: windowId, target: name, now: now) { machine, window, target in
            machine.checked(window, target, results: results,
                            healthTimeout: window.healthTimeoutMilliseconds ?? config?.healthTimeoutMilliseconds ?? 300_000,
                            retryInterval: checkInterval(config))
        }
    }
}

extension Engine {
    /// What reading the targets' real state takes (for `maint status`), as a value: the
    /// database is read here, the requests are sent by `StateProbe.Plan.read` on any thread.
    public func probePlan(_ names: [String]) throws -> StateProbe.Plan {
        StateProbe.Plan(targets: names.compactMap { schedule.targets[$0] }.filter(\.driver.readsState),
                        driverStates: try store.driverStates(), secrets: builder.secrets, secretNames: schedule.secretNames)
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
