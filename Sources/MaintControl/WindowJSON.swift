import Foundation
import MaintCore
import MaintStore

/// The `--json` shapes of windows and their parts. Stable: fields are added, never renamed.
public enum WindowJSON {
    /// RFC 3339 in UTC with milliseconds: `2026-12-06T01:00:00.000Z`.
    public static func time(_ milliseconds: Int64?) -> JSONValue {
        guard let milliseconds else { return .null }
        return .string(TimeText.stamp(Date(timeIntervalSince1970: Double(milliseconds) / 1000)) + "Z")
    }

    public static func zone(_ window: WindowRecord) -> TimeZone { TimeZone(identifier: window.timezone) ?? .current }

    public static func local(_ milliseconds: Int64?, _ zone: TimeZone) -> String {
        milliseconds.map { TimeText.local(Date(timeIntervalSince1970: Double($0) / 1000), zone: zone) } ?? "-"
    }

    public static func window(_ window: WindowRecord, targets: [TargetStateRecord]) -> JSONValue {
        .object([
            "id": .string(window.id), "state": .string(window.state.rawValue), "origin": .string(window.origin.rawValue),
            "headline": .string(window.headline), "message": .string(window.message),
            "start": time(window.startAt), "end": time(window.endAt), "timezone": .string(window.timezone),
            "selectors": .array(window.selectors.map(JSONValue.string)),
            "targets": .array(targets.map { .string($0.target) }),
            "channels": .array(window.channels.map(JSONValue.string)),
            "sourceFile": window.sourceFile.map(JSONValue.string) ?? .null,
        ])
    }

    public static func target(_ target: TargetStateRecord) -> JSONValue {
        var health: JSONValue = .null
        if let text = target.health { health = (try? JSONValue.parseJSON(Data(text.utf8))) ?? .null }
        return .object([
            "name": .string(target.target), "state": .string(target.state.rawValue), "attempts": .number(Double(target.attempts)),
            "activatedAt": time(target.activatedAt), "deactivatedAt": time(target.deactivatedAt),
            "lastError": target.lastError.map(JSONValue.string) ?? .null, "health": health,
        ])
    }

    public static func delivery(_ delivery: DeliveryRecord) -> JSONValue {
        .object([
            "id": .string(delivery.id), "channel": .string(delivery.channel), "event": .string(delivery.event.rawValue),
            "window": delivery.windowId.map(JSONValue.string) ?? .null, "state": .string(delivery.state.rawValue),
            "attempts": .number(Double(delivery.attempts)), "lastError": delivery.lastError.map(JSONValue.string) ?? .null,
            "createdAt": time(delivery.createdAt), "deliveredAt": time(delivery.deliveredAt),
        ])
    }

    public static func event(_ event: EventRecord) -> JSONValue {
        .object([
            "id": .number(Double(event.id)), "at": time(event.at), "window": event.windowId.map(JSONValue.string) ?? .null,
            "target": event.target.map(JSONValue.string) ?? .null, "kind": .string(event.kind), "message": .string(event.message),
            "actor": event.actor.map(JSONValue.string) ?? .null,
        ])
    }
}
