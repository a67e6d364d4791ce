import Foundation

/// `driver: "haproxy"`: servers taken out through HAProxy's runtime API (`set server B/S state
/// maint`, or `drain`, and `ready` at the end, in one command line); then `show servers state`
/// must agree.
public struct HAProxyDriver: Driver {
    public static let name = "haproxy"
    public static let keys: Set<String> = ["haproxy"]

    /// A Unix socket path, or `tcp://HOST:PORT`.
    public var socket: String
    /// `backend/server` names.
    public var servers: [String]
    public var mode: HAProxyMode
    public var timeoutMilliseconds: Int64

    public init(socket: String, servers: [String], mode: HAProxyMode = .maint, timeoutMilliseconds: Int64 = 5_000) {
        self.socket = socket
        self.servers = servers
        self.mode = mode
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public static func read(_ target: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> HAProxyDriver? {
        guard let (object, path) = reader.section(target, "haproxy", path, allowed: ["socket", "servers", "mode", "timeout"],
                                                  example: "haproxy: { socket: \"/run/haproxy/admin.sock\", servers: [\"backend/server\"] }") else { return nil }
        let socket = reader.string(object, "socket", path, required: true)
        if let socket, !(socket.hasPrefix("/") || socket.hasPrefix("tcp://")) {
            reader.fail(path.appending("socket"), "write a Unix socket path (/run/haproxy/admin.sock) or tcp://HOST:PORT")
        }
        let servers = reader.strings(object, "servers", path) ?? []
        if object["servers"] == nil { reader.fail(path, "the field \"servers\" is missing") }
        else if servers.isEmpty { reader.fail(path.appending("servers"), "give at least one backend/server") }
        for (index, server) in servers.enumerated() {
            let parts = server.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count != 2 || parts.contains(where: { $0.isEmpty || $0.contains(where: { $0 == " " || $0 == ";" }) }) {
                reader.fail(path.appending("servers").appending(index), "\(Quoted(server)) is not backend/server")
            }
        }
        let mode = reader.choice(object, "mode", path, default: HAProxyMode.maint)
        let timeout = reader.duration(object, "timeout", path) ?? 5_000
        guard let socket, !servers.isEmpty else { return nil }
        return HAProxyDriver(socket: socket, servers: servers, mode: mode, timeoutMilliseconds: timeout)
    }

    public var secretNames: [String] { [] }

    public func retries(activate: Bool) -> Int { 3 }

    static let showState = "show servers state"

    public func switchWork(activate: Bool, _ context: DriverContext) throws(DriverError) -> DriverWork {
        let state = activate ? mode.rawValue : "ready"
        let set = servers.map { "set server \($0) state \(state)" }.joined(separator: "; ")
        return .socket(SocketExchange(address: socket, commands: [set, Self.showState], timeoutMilliseconds: timeoutMilliseconds))
    }

    public func outcome(activate: Bool, _ result: DriverResult) -> SwitchOutcome {
        guard case .answers(let answers) = result, answers.count == 2 else {
            if case .failed(let reason) = result { return .failure(reason) }
            return .failure("not HAProxy's answers")
        }
        // A successful `set server` answers nothing; anything else is HAProxy's error.
        let complaint = answers[0].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !complaint.isEmpty { return .failure("HAProxy: " + complaint.joined(separator: "; ")) }
        let states = Self.serverStates(answers[1], of: servers)
        for server in servers {
            guard let current = states[server] else { return .failure("HAProxy does not list \(server)") }
            let on = mode == .drain ? current.drain : current.maintenance
            if on != activate || (!activate && (current.maintenance || current.drain)) {
                return .failure("\(server) is still \(activate ? "not in \(mode)" : "in maintenance or drain") after the command")
            }
        }
        return .success("\(servers.count) server(s) \(activate ? mode.rawValue : "ready")")
    }

    /// Servers show neither the window's text nor its end.
    public func refreshes(on change: WindowChange) -> Bool { false }

    public func look(openEnded: Bool, probeInterval: Int64) -> Look? { .probe(after: probeInterval) }

    public var readsState: Bool { true }

    public func probeWork(_ context: DriverContext) throws(DriverError) -> DriverWork {
        .socket(SocketExchange(address: socket, commands: [Self.showState], timeoutMilliseconds: timeoutMilliseconds))
    }

    public func probeOutcome(_ result: DriverResult) -> ProbeReading {
        switch result {
        case .answers(let answers):
            let states = Self.serverStates(answers.last ?? "", of: servers)
            let on = servers.allSatisfy { server in states[server].map { mode == .drain ? $0.drain : $0.maintenance } ?? false }
            return ProbeReading(on, on ? "all servers \(mode)" : "not all servers \(mode)")
        case .failed(let reason), .skipped(let reason):
            return ProbeReading(nil, reason)
        case .response, .exited, .written, .exists:
            return ProbeReading(nil, "not HAProxy's answers")
        }
    }

    /// Each listed server's administrative state from `show servers state`: whether it is in
    /// forced maintenance (flag 0x01) or drain (0x08).
    static func serverStates(_ answer: String, of servers: [String]) -> [String: (maintenance: Bool, drain: Bool)] {
        var columns: [String] = []
        var states: [String: (maintenance: Bool, drain: Bool)] = [:]
        for line in answer.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if line.hasPrefix("# ") {
                columns = Array(fields.dropFirst())
                continue
            }
            guard let backend = columns.firstIndex(of: "be_name"), let server = columns.firstIndex(of: "srv_name"),
                  let admin = columns.firstIndex(of: "srv_admin_state"), fields.count > max(backend, server, admin),
                  let flags = Int(fields[admin]) else { continue }
            let name = "\(fields[backend])/\(fields[server])"
            if servers.contains(name) { states[name] = (flags & 0x01 != 0, flags & 0x08 != 0) }
        }
        return states
    }
}
