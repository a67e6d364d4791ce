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
}
