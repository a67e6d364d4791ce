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
        // What would not be sent is still shown, with a warning that says why.
        if !channel.wants(event) {
            printError("warning: channel \(channelName) is not told of \(event.rawValue) events (it takes: \(channel.events.map(\.rawValue).sorted().joined(separator: ", "))); this is what it would be sent if it were")
        }
        if !window.channels.contains(channelName) {
            printError("warning: window \(id) does not announce on \(channelName) (its channels: \(window.channels.isEmpty ? "none" : window.channels.joined(separator: ", ")))")
        }
        // What the event would carry, from the window as it stands.
        var extra: [String: JSONValue] = [:]
        switch event {
        case .notice:
            // --offset picks one; else the next notice still to send, else the first.
            let notices = try store.notices(of: id)
            var offset = notices.first { $0.state == .pending }?.offsetMilliseconds ?? notices.first?.offsetMilliseconds ?? 3_600_000
            if let text = arguments.value("--offset") {
                guard let chosen = DurationText.parse(text), chosen > 0 else { throw Failure(.usage, "--offset \(Quoted(text)): not a duration such as 24h or 1h") }
                if !notices.contains(where: { $0.offsetMilliseconds == chosen }) {
                    printError("warning: window \(id) has no \(DurationText.format(chosen)) notice (its notices: \(notices.isEmpty ? "none" : notices.map { DurationText.format($0.offsetMilliseconds) }.joined(separator: ", ")))")
                }
                offset = chosen
            }
            extra["notice"] = .object(["offset": .string(DurationText.format(offset))])
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
            // Decoded: the headers, then each part (text, HTML, calendar) as it reads.
            print(MailPreview.readable(body))
        } else if let value = try? JSONValue.parseJSON(Data(body.utf8)) {
            printJSON(value)
        } else {
            print(body)
        }
        return .success
    }
}
