import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintStore
import MaintSystem

/// `maint retry DELIVERY` and `maint preview WINDOW --event E --channel C`.
enum DeliveryCommands {
    static func retry(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else { throw Failure(.usage, "name one DELIVERY") }
        let door = try Door.open(session)
        let path = "/v1/deliveries/\(ControlClient.escape(id))"
        _ = try door.send("POST", path + "/retry", session: session)
        var delivery: JSONValue = .null
        switch door {
        case .daemon:
            // The daemon sends it; followed for at most a minute.
            let deadline = Date().addingTimeInterval(60)
            repeat {
                usleep(200_000)
                delivery = try door.send("GET", path, session: session)
            } while delivery["state"]?.stringValue == "pending" && Date() < deadline
        case .here(_, let engine, let pool, let store):
            let runner = try Runner(engine: engine, pool: pool, log: session.log, signals: [SIGINT, SIGTERM, SIGUSR1])
            let settled = { () throws -> Bool in (try store.delivery(id)?.state ?? .dead) != .pending }
            try session.carryOut(runner: runner, until: settled, progress: {}, followingAtMost: 60)
            delivery = try door.send("GET", path, session: session)
        }
        let text = { (key: String) in delivery[key]?.stringValue ?? "?" }
        print("\(id): \(text("event")) to \(text("channel")): \(text("state"))" + (delivery["lastError"]?.stringValue.map { " (\($0))" } ?? ""))
        return text("state") == "delivered" ? .success : .partialFailure
    }

    static func preview(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard arguments.positionals.count == 1, let id = arguments.positionals.first else { throw Failure(.usage, "name one WINDOW") }
        guard let event = arguments.value("--event").flatMap(AnnouncementEvent.init(rawValue:)) else {
            throw Failure(.usage, "--event is one of \(AnnouncementEvent.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let channelName = arguments.value("--channel") else { throw Failure(.usage, "--channel C is required") }
        let (engine, _, store) = try WindowCommands.prepare(session)
        guard let channel = engine.schedule.channels[channelName] else {
            throw Failure(.invalidInput, "no channel \(Quoted(channelName)); defined: \(engine.schedule.channels.keys.sorted().joined(separator: ", "))")
        }
        guard let window = try store.window(id) else { throw Failure.noWindow(id) }
        let targets = try store.targets(of: id)
        // What the event would carry, from the window as it stands.
        var extra: [String: JSONValue] = [:]
        switch event {
        case .notice:
            let offset = try store.notices(of: id).first.map { DurationText.format($0.offsetMilliseconds) } ?? "1h"
            extra["notice"] = .object(["offset": .string(offset)])
        case .end:
            extra["result"] = .string((window.isTerminal ? window.state : .completed).rawValue)
            extra["health"] = .array(targets.map { target in
                var checks: JSONValue = .array([])
                if let text = target.health, let parsed = try? JSONValue.parseJSON(Data(text.utf8)) { checks = parsed }
                return .object(["target": .string(target.target), "state": .string(target.state.rawValue), "checks": checks])
            })
        case .failure:
            let failed = targets.first { $0.state == .failed } ?? targets.first
            extra["failure"] = .object(["target": .string(failed?.target ?? "-"), "action": .string("activate"),
                                        "error": .string(failed?.lastError ?? "(the error)"), "attempts": .number(Double(failed?.attempts ?? 0)),
                                        "next": .string("The other targets go on; maint will still send the deactivate request at the end of the window.")])
        case .scheduled, .start, .updated, .extended, .canceled, .missed:
            break  // they carry nothing beyond the window
        }
        let body = engine.render(event, window: window, targets: targets, channel: channel, extra: extra, now: Date(), id: "msg_preview")
        for line in channel.kind.previewLines { print(line) }
        print("")
        if channel.kind is EmailChannel {
            print(body.replacingOccurrences(of: "\r\n", with: "\n"))
        } else if let value = try? JSONValue.parseJSON(Data(body.utf8)) {
            printJSON(value)
        } else {
            print(body)
        }
        return .success
    }
}
