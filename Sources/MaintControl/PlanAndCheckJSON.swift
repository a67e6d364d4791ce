import Foundation
import MaintCore
import MaintEngine

/// The JSON of `maint plan --json` and `GET /v1/plan`: each slot in UTC and in every target's zone,
/// or, when there is none, why.
public enum PlanJSON {
    public static func json(targets: [TargetConfig], outcome: SlotPlanner.Outcome) -> JSONValue {
        switch outcome {
        case .none(let reason):
            return .object(["slots": .array([]), "reason": .string(reason)])
        case .slots(let slots):
            return .object(["slots": .array(slots.map { slot in
                .object([
                    "start": .string(TimeText.rfc3339(slot.start)), "end": .string(TimeText.rfc3339(slot.end)),
                    "targets": .array(targets.map { target in
                        .object(["name": .string(target.name), "timezone": .string(target.timezone.identifier),
                                 "start": .string(TimeText.rfc3339(slot.start, zone: target.timezone)),
                                 "end": .string(TimeText.rfc3339(slot.end, zone: target.timezone)),
                                 "offPeak": .array(target.offPeak.map { .string($0.source) })])
                    }),
                ])
            })])
        }
    }
}

/// The JSON of `maint check --json` and `POST /v1/targets/{name}/check`.
public enum CheckJSON {
    public static func json(_ results: [(target: String, results: [CheckResult])]) -> JSONValue {
        .array(results.map { target in
            .object(["target": .string(target.target), "ok": .bool(target.results.allSatisfy(\.ok)),
                     "checks": .array(target.results.map { check in
                         .object(["check": .string(check.check), "ok": .bool(check.ok), "detail": .string(check.detail),
                                  "status": check.status.map { .number(Double($0)) } ?? .null,
                                  "responseTimeMs": check.responseTimeMs.map { .number(Double($0)) } ?? .null])
                     })])
        })
    }
}
