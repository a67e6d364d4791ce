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
        let (engine, _, _) = try WindowCommands.prepare(session)
        let (targets, outcome) = try WindowCommands.refusing {
            try engine.planSlots(arguments.positionals, duration: Double(duration) / 1000, within: Double(within) / 1000, count: count, now: Date())
        }
        guard case .slots(let slots) = outcome else {
            if case .none(let reason) = outcome {
                if session.json { printJSON(.object(["slots": .array([]), "reason": .string(reason)])) } else { print(reason) }
            }
            return .partialFailure
        }
        let utc = TimeZone(identifier: "UTC") ?? .current
        if session.json {
            printJSON(.object(["slots": .array(slots.map { slot in
                .object([
                    "start": .string(TimeText.rfc3339(slot.start)), "end": .string(TimeText.rfc3339(slot.end)),
                    "targets": .array(targets.map { target in
                        .object(["name": .string(target.name), "timezone": .string(target.timezone.identifier),
                                 "start": .string(TimeText.rfc3339(slot.start, zone: target.timezone)),
                                 "end": .string(TimeText.rfc3339(slot.end, zone: target.timezone))])
                    }),
                ])
            })]))
            return .success
        }
        for (index, slot) in slots.enumerated() {
            print("slot \(index + 1): \(TimeText.local(slot.start, zone: utc)) to \(TimeText.local(slot.end, zone: utc))")
            var table = Table(headers: ["  TARGET", "LOCAL START", "LOCAL END", "OFF-PEAK"])
            for target in targets {
                table.rows.append(["  " + target.name, TimeText.local(slot.start, zone: target.timezone), TimeText.local(slot.end, zone: target.timezone),
                                   target.offPeak.isEmpty ? "any time (no offPeak)" : target.offPeak.map(\.source).joined(separator: ", ")])
            }
            print(table.render())
        }
        print("plan one with: maint add \(arguments.positionals.joined(separator: " ")) --at \(TimeText.rfc3339(slots[0].start)) --for \(durationText)")
        return .success
    }
}
