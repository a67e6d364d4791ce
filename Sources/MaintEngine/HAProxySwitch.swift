import MaintCore
import Foundation
import MaintNet

/// The haproxy driver's work: `set server B/S state maint` (or `drain`) for each server, and
/// `ready` at the end, all in one command line; then `show servers state` must agree.
struct HAProxySwitch {
    var driver: HAProxyDriver

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var runtime: HAProxyRuntime { HAProxyRuntime(address: driver.socket, timeoutMilliseconds: Int(driver.timeoutMilliseconds)) }

    func apply(activate: Bool) throws -> String {
        let state = activate ? driver.mode.rawValue : "ready"
        let answer = try runtime.send(driver.servers.map { "set server \($0) state \(state)" }.joined(separator: "; "))
        // A successful `set server` answers nothing; anything else is HAProxy's error.
        let complaint = answer.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !complaint.isEmpty { throw Failure(description: "HAProxy: " + complaint.joined(separator: "; ")) }
        let states = try runtime.serverStates(driver.servers)
        for server in driver.servers {
            guard let current = states[server] else { throw Failure(description: "HAProxy does not list \(server)") }
            let on = driver.mode == .drain ? current.drain : current.maintenance
            if on != activate || (!activate && (current.maintenance || current.drain)) {
                throw Failure(description: "\(server) is still \(activate ? "not in \(driver.mode)" : "in maintenance or drain") after the command")
            }
        }
        return "\(driver.servers.count) server(s) \(state)"
    }
}
