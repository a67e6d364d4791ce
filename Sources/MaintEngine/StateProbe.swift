import Foundation
import MaintCore
import MaintNet
import MaintStore

/// Reading whether a target really is in maintenance: the file driver's flag, HAProxy's server
/// states, the Alertmanager silence, or the http driver's `probe` request. The command driver
/// has no way to tell.
public enum StateProbe {
    enum Step {
        /// Known at once: true in maintenance, false not, nil cannot tell.
        case answer(Bool?, String)
        case request(HTTPRequest)
        /// A read that waits on something local (HAProxy's socket): run off the loop.
        case blocking(@Sendable () -> (Bool?, String))
    }

    /// Whether the driver can read the real state at all (http only with a `probe`).
    public static func canRead(_ target: TargetConfig) -> Bool {
        switch target.driver {
        case .command: return false
        case .http: return target.probe != nil
        default: return true
        }
    }

    static func start(_ target: TargetConfig, driverState: String?, values: [String: String], builder: RequestBuilder) -> Step {
        switch target.driver {
        case .file(let file):
            let on = FileManager.default.fileExists(atPath: file.path)
            return .answer(on, on ? "flag present" : "flag absent")
        case .haproxy(let haproxy):
            return .blocking {
                do {
                    let states = try HAProxySwitch(driver: haproxy).runtime.serverStates(haproxy.servers)
                    let on = haproxy.servers.allSatisfy { server in
                        states[server].map { haproxy.mode == .drain ? $0.drain : $0.maintenance } ?? false
                    }
                    return (on, on ? "all servers \(haproxy.mode)" : "not all servers \(haproxy.mode)")
                } catch {
                    return (nil, "\(error)")
                }
            }
        case .alertmanager(let alertmanager):
            guard let id = driverState, !id.isEmpty else { return .answer(false, "no silence") }
            do {
                var base = try alertmanager.url.render(TemplateContext(values: values, secrets: builder.secrets))
                while base.hasSuffix("/") { base.removeLast() }
                var headers: [(name: String, value: String)] = []
                for header in alertmanager.headers { headers.append((header.name, try header.value.render(TemplateContext(values: values, secrets: builder.secrets)))) }
                return .request(HTTPRequest(method: "GET", url: "\(base)/api/v2/silence/\(id)", headers: headers, timeoutMilliseconds: 5_000))
            } catch {
                return .answer(nil, "\(error)")
            }
        case .http:
            guard let probe = target.probe else { return .answer(nil, "no probe") }
            do {
                let context = TemplateContext(values: values, secrets: builder.secrets)
                var headers: [(name: String, value: String)] = []
                for header in probe.headers { headers.append((header.name, try header.value.render(context))) }
                return .request(HTTPRequest(method: "GET", url: try probe.url.render(context), headers: headers, timeoutMilliseconds: probe.timeoutMilliseconds))
            } catch {
                return .answer(nil, "\(error)")
            }
        case .command:
            return .answer(nil, "the command driver cannot read the state")
        }
    }

    /// What a probe request's answer says.
    static func interpret(_ target: TargetConfig, _ result: Result<HTTPResponse, TransferError>) -> (Bool?, String) {
        guard case .success(let response) = result else {
            if case .failure(let error) = result { return (nil, error.message) }
            return (nil, "no answer")
        }
        switch target.driver {
        case .alertmanager:
            let state = (try? JSONValue.parseJSON(response.body))?["status"]?["state"]?.stringValue
            return (state == "active", "silence \(state ?? "unknown (HTTP \(response.status))")")
        default:
            guard let probe = target.probe else { return (nil, "no probe") }
            let on = probe.condition.evaluate(HealthObservation(status: response.status, responseTimeMilliseconds: response.elapsedMilliseconds, body: response.text))
            return (on, on ? "probe: in maintenance" : "probe: not in maintenance (HTTP \(response.status))")
        }
    }

    /// Each target's real state now, all probes in parallel: for `maint status`.
    static func readAll(_ targets: [TargetConfig], driverStates: [String: String], builder: RequestBuilder, pool: TransferPool) -> [String: (Bool?, String)] {
        var answers: [String: (Bool?, String)] = [:]
        var pending: [(TargetConfig, HTTPRequest)] = []
        for target in targets {
            let values = WindowContext.values(standaloneTarget: target.name, zone: target.timezone, now: Date())
            switch start(target, driverState: driverStates[target.name], values: values, builder: builder) {
            case .answer(let on, let detail): answers[target.name] = (on, detail)
            case .request(let request): pending.append((target, request))
            case .blocking(let read): answers[target.name] = read()
            }
        }
        for ((target, _), result) in zip(pending, pool.perform(pending.map(\.1))) {
            answers[target.name] = interpret(target, result)
        }
        return answers
    }
}
