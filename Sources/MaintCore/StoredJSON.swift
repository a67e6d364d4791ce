import Foundation

/// A value as the JSON text kept in a column: keys sorted, so the same value is the same text.
public enum StoredJSON {
    // The kinds stored with every window, written directly: the same text as through
    // `JSONEncoder` (a test compares them), without its cost per window of a large schedule.

    public static func text(_ page: PageFields) -> String {
        var object: [String: JSONValue] = [:]
        for (key, value) in [("bypassUrl", page.bypassUrl), ("buttonText", page.buttonText), ("imageUrl", page.imageUrl), ("icon", page.icon)] {
            if let value { object[key] = .string(value) }
        }
        return JSONValue.object(object).serialized()
    }

    public static func text(_ list: [String]) -> String { JSONValue.array(list.map(JSONValue.string)).serialized() }

    public static func text(_ counts: [String: Int]) -> String { JSONValue.object(counts.mapValues { .number(Double($0)) }).serialized() }

    /// Stored with each target at each outcome, a fleet's thousand at once: `[]` when it has no
    /// checks; an absent status or time is left out, as `JSONEncoder` leaves out a nil.
    public static func text(_ results: [CheckResult]) -> String {
        JSONValue.array(results.map { result in
            var object: [String: JSONValue] = ["check": .string(result.check), "ok": .bool(result.ok), "detail": .string(result.detail)]
            if let status = result.status { object["status"] = .number(Double(status)) }
            if let time = result.responseTimeMs { object["responseTimeMs"] = .number(Double(time)) }
            return .object(object)
        }).serialized()
    }

    public static func text<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
