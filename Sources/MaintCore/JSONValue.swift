import Foundation

/// A decoded JSON or JSON5 value. Foundation's `JSONDecoder` (with `allowsJSON5`) does the parsing.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    /// Parses JSON5 text with Foundation.
    public static func parseJSON5(_ data: Data) throws -> JSONValue {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        return try decoder.decode(JSONValue.self, from: data)
    }

    public static func parseJSON(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The value as a Foundation object, for `JSONSerialization`.
    public var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return value
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { return Int64(value) }
            return value
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationObject)
        case .object(let values): return values.mapValues(\.foundationObject)
        }
    }

    /// Compact JSON text with sorted keys, so the same value always gives the same bytes.
    public func serialized() -> String {
        switch self {
        case .array, .object:
            let data = (try? JSONSerialization.data(withJSONObject: foundationObject, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
            return String(decoding: data, as: UTF8.self)
        default:
            let data = (try? JSONSerialization.data(withJSONObject: [foundationObject], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[null]".utf8)
            return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let values) = self { return values[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
