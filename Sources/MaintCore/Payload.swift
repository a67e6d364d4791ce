import Foundation

/// JSON pieces that several announcements and events carry.
public enum Payload {
    /// Each target's state and check results, for the `end` announcement.
    public static func health(_ targets: [TargetStateRecord]) -> JSONValue {
        .array(targets.map { target in
            var checks: JSONValue = .array([])
            if let text = target.health, let parsed = try? JSONValue.parseJSON(Data(text.utf8)) { checks = parsed }
            return .object(["target": .string(target.target), "state": .string(target.state.rawValue), "checks": checks])
        })
    }

    public static func object(_ values: [String: JSONValue]) -> String { JSONValue.object(values).serialized() }

    /// A switch's event detail, written once per target of a fleet: the text `object` writes for
    /// these four members (a test compares them), without building and sorting them each time.
    public static func switched(result: String, elapsed: Int, attempt: Int, phase: Int64) -> String {
        var text: UTF8Text = "{\"attempt\":\(attempt),\"elapsedMs\":\(elapsed),\"phaseMs\":\(phase),\"result\":"
        text.appendJSONString(result)
        text.append("}")
        return text.text
    }
}
