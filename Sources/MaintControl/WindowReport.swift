import Foundation
import MaintCore
import MaintStore

/// One window whole, as `maint show --json` and `GET /v1/windows/{id}` give it: the window, each
/// target with the other windows holding it, the notices, the deliveries, the timeline.
public enum WindowReport {
    /// nil when no window has that id.
    public static func json(_ id: String, store: MaintenanceStore) throws -> JSONValue? {
        guard let window = try store.window(id) else { return nil }
        let targets = try store.targets(of: id)
        guard case .object(var object) = WindowJSON.window(window, targets: targets) else { return nil }
        // The message as customers read it, placeholders filled.
        let zone = WindowJSON.zone(window)
        object["messageText"] = .string(WindowContext.values(window, target: nil, zone: zone, now: Date())["message"] ?? window.message)
        // The other windows that hold each target in maintenance now (SPEC "Targets held by
        // several windows"): a target this window left `held` is still on because of them.
        let holders = try store.otherHolders(ofTargetsOf: id)
        var described: [JSONValue] = []
        for target in targets {
            guard case .object(var fields) = WindowJSON.target(target) else { continue }
            fields["heldBy"] = .array((holders[target.target] ?? []).map(JSONValue.string))
            described.append(.object(fields))
        }
        object["targets"] = .array(described)
        object["notices"] = .array(try store.notices(of: id).map {
            .object(["offset": .string(DurationText.format($0.offsetMilliseconds)), "due": WindowJSON.time($0.dueAt), "state": .string($0.state.rawValue)])
        })
        object["deliveries"] = .array(try store.deliveries(window: id).map(WindowJSON.delivery))
        object["references"] = .object(try store.references(window: id).mapValues(JSONValue.string))
        object["events"] = .array(try store.events(window: id).map(WindowJSON.event))
        return .object(object)
    }
}
