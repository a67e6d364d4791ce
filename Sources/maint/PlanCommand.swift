import MaintControl
import Foundation
import MaintCore
import MaintEngine

/// `maint plan TARGET… --duration DUR [--within 14d] [--count N] [--json]`.
enum PlanCommand {
    static func run(_ session: Session) throws -> ExitCode {
        let arguments = session.arguments
        guard !arguments.positionals.isEmpty else { throw Failure(.usage, "name at least one TARGET (a name or tag:NAME)") }
        guard let durationText = arguments.value("--duration") else { throw Failure(.usage, "--duration DUR is required") }
        guard let duration = DurationText.parse(durationText), duration > 0 else { throw Failure(.usage, "--duration \(Quoted(durationText)): not a duration") }
        let withinText = arguments.value("--within") ?? "14d"
        guard let within = DurationText.parse(withinText), within > 0, within <= 366 * 86_400_000 else {
            throw Failure(.usage, "--within \(Quoted(withinText)): a duration up to 366d")
        }
        let countText = arguments.value("--count") ?? "3"
        guard let count = Int(countText), (1...100).contains(count) else { throw Failure(.usage, "--count \(Quoted(countText)): a number from 1 to 100") }
        let door = try Door.open(session)
        let targets = arguments.positionals.map(ControlClient.escape).joined(separator: ",")
        let answer = try door.send("GET", "/v1/plan?targets=\(targets)&duration=\(ControlClient.escape(durationText))&within=\(ControlClient.escape(withinText))&count=\(count)",
                                   session: session)
        let slots = answer["slots"]?.arrayValue ?? []
        if session.json {
            printJSON(answer)
            return slots.isEmpty ? .partialFailure : .success
        }
        guard !slots.isEmpty else {
            print(answer["reason"]?.stringValue ?? "no slot")
            return .partialFailure
        }
        let utc = TimeZone(identifier: "UTC") ?? .current
        func local(_ value: JSONValue?, _ zone: TimeZone) -> String {
            value?.stringValue.flatMap(TimeText.parseRFC3339).map { TimeText.local($0, zone: zone) } ?? "?"
        }
        for (index, slot) in slots.enumerated() {
            print("slot \(index + 1): \(local(slot["start"], utc)) to \(local(slot["end"], utc))")
            var table = Table(headers: ["  TARGET", "LOCAL START", "LOCAL END", "OFF-PEAK"])
            for target in slot["targets"]?.arrayValue ?? [] {
                let zone = target["timezone"]?.stringValue.flatMap(TimeZone.init(identifier:)) ?? utc
                let offPeak = (target["offPeak"]?.arrayValue ?? []).compactMap(\.stringValue)
                table.rows.append(["  " + (target["name"]?.stringValue ?? "?"), local(target["start"], zone), local(target["end"], zone),
                                   offPeak.isEmpty ? "any time (no offPeak)" : offPeak.joined(separator: ", ")])
            }
            print(table.render())
        }
        if let note = answer["note"]?.stringValue { print("note: \(note)") }
        print("plan one with: maint add \(arguments.positionals.joined(separator: " ")) --at \(slots[0]["start"]?.stringValue ?? "?") --for \(durationText)")
        return .success
    }
}
