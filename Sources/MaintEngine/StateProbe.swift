import Foundation
import MaintCore
import MaintNet
import MaintStore

/// Whether targets really are in maintenance, read by their drivers (`Driver.probeWork`), for
/// `maint status`: every request at once on the transfer pool, local reads in line.
public enum StateProbe {
    /// The targets to read and what their requests need; sent from any thread.
    public struct Plan: Sendable {
        let targets: [TargetConfig]
        let driverStates: [String: String]
        let secrets: SecretSource
        let secretNames: [String]

        /// What reading `names` takes: those whose driver can tell, and the state the drivers
        /// kept (`driverStates` of the store). A definition the daemon let go of is read back
        /// from `store`.
        public init(names: [String], schedule: Schedule, store: MaintenanceStore, driverStates: [String: String], secrets: SecretSource) {
            targets = names.compactMap { schedule.targets[$0] ?? (try? store.storedTarget($0)) }.filter(\.driver.readsState)
            self.driverStates = driverStates
            self.secrets = secrets
            secretNames = schedule.secretNames
        }

        /// Sends the reads (on a pool of its own) and returns each target's reading, its detail
        /// cleared of secrets.
        public func read() -> [String: ProbeReading] {
            guard !targets.isEmpty else { return [:] }
            return StateProbe.readAll(targets, driverStates: driverStates, secrets: secrets, pool: TransferPool())
                .mapValues { ProbeReading($0.inMaintenance, secrets.scrub($0.detail, names: secretNames)) }
        }
    }

    static func readAll(_ targets: [TargetConfig], driverStates: [String: String], secrets: SecretSource, pool: TransferPool) -> [String: ProbeReading] {
        var readings: [String: ProbeReading] = [:]
        var requests: [(target: TargetConfig, request: HTTPRequest)] = []
        for target in targets where target.driver.readsState {
            let now = Date()
            let context = DriverContext(values: WindowContext.values(standaloneTarget: target.name, zone: target.timezone, now: now),
                                        secrets: secrets, driverState: driverStates[target.name], now: now)
            do {
                switch try target.driver.probeWork(context) {
                case .request(let request): requests.append((target, request))
                case .files(let work): readings[target.name] = target.driver.probeOutcome(LocalWork.perform(work))
                case .socket(let exchange): readings[target.name] = target.driver.probeOutcome(LocalWork.perform(exchange))
                case .known(let result): readings[target.name] = target.driver.probeOutcome(result)
                case .program: readings[target.name] = ProbeReading(nil, "a program cannot be run to read the state here")
                }
            } catch {
                readings[target.name] = ProbeReading(nil, error.description)
            }
        }
        for ((target, _), result) in zip(requests, pool.perform(requests.map(\.request))) {
            readings[target.name] = target.driver.probeOutcome(DriverResult(result))
        }
        return readings
    }
}

extension DriverResult {
    /// A finished transfer as a driver reads it.
    init(_ result: Result<HTTPResponse, TransferError>) {
        switch result {
        case .success(let response): self = .response(response)
        case .failure(let error): self = .failed(error.message)
        }
    }
}
