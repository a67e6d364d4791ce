import Foundation

/// A decoded JSON or JSON5 value. Foundation's `JSONDecoder` (with `allowsJSON5`) does the parsing.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each wrong guess costs a thrown error: the common kinds of a schedule are tried first.
        // Objects and arrays are read member by member through their containers: decoding them
        // as `[String: JSONValue]` or `[JSONValue]` looked up those generic types at every value,
        // which cost more than the values themselves.
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let members = try? decoder.container(keyedBy: MemberKey.self) {
            var hints: [String: Kind] = [:]
            self = try Self.object(members, hints: &hints)
            return
        }
        if var items = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            if let count = items.count { array.reserveCapacity(count) }
            while !items.isAtEnd { array.append(try items.decode(JSONValue.self)) }
            self = .array(array)
            return
        }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        self = .number(try container.decode(Double.self))
    }

    /// The kinds of value, in the order they are guessed when nothing hints at one.
    enum Kind: CaseIterable {
        case string, object, array, bool, number, null
    }

    /// An object's members, each decoded as the kind its key last had (in a schedule, `url` is
    /// always a string and `activate` an object), so that a wrong guess, and the error it throws,
    /// is rare: a thousand targets' definitions were 13 guesses each, most of them wrong.
    static func object(_ members: KeyedDecodingContainer<MemberKey>, hints: inout [String: Kind]) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        let keys = members.allKeys
        object.reserveCapacity(keys.count)
        for key in keys {
            let hinted = hints[key.stringValue]
            if let hinted, let value = try member(key, of: members, as: hinted, hints: &hints) {
                object[key.stringValue] = value
                continue
            }
            for kind in Kind.allCases where kind != hinted {
                guard let value = try member(key, of: members, as: kind, hints: &hints) else { continue }
                hints[key.stringValue] = kind
                object[key.stringValue] = value
                break
            }
            // Every kind was tried: the last one's error says why none fits.
            if object[key.stringValue] == nil { object[key.stringValue] = .number(try members.decode(Double.self, forKey: key)) }
        }
        return .object(object)
    }

    /// The member as `kind`, or nil if it is not one. An error inside it (a nested value that
    /// is no kind at all) goes up.
    private static func member(_ key: MemberKey, of members: KeyedDecodingContainer<MemberKey>, as kind: Kind,
                               hints: inout [String: Kind]) throws -> JSONValue? {
        switch kind {
        case .string: return (try? members.decode(String.self, forKey: key)).map(JSONValue.string)
        case .bool: return (try? members.decode(Bool.self, forKey: key)).map(JSONValue.bool)
        case .number: return (try? members.decode(Double.self, forKey: key)).map(JSONValue.number)
        case .null: return (try? members.decodeNil(forKey: key)) == true ? .null : nil
        case .object:
            guard let nested = try? members.nestedContainer(keyedBy: MemberKey.self, forKey: key) else { return nil }
            return try object(nested, hints: &hints)
        case .array:
            guard var items = try? members.nestedUnkeyedContainer(forKey: key) else { return nil }
            var array: [JSONValue] = []
            if let count = items.count { array.reserveCapacity(count) }
            while !items.isAtEnd { array.append(try items.decode(JSONValue.self)) }
            return .array(array)
        }
    }

    /// Any member name of an object.
    struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers as integers: `7200`, not `7200.0`.
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        }
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

    /// Compact JSON text with sorted keys, so the same value always gives the same bytes: the
    /// bytes Foundation's `JSONEncoder` writes (sorted keys, slashes unescaped; a test compares
    /// them on random values), written directly, as every request body and event detail is.
    /// A number that is not finite cannot be written, and the whole text is `null`, as there.
    public func serialized() -> String {
        var text = ""
        guard write(to: &text) else { return "null" }
        return text
    }

    /// The same text indented two spaces a level, one member or item per line (`--json` output).
    public func prettyPrinted() -> String {
        var text = ""
        guard write(to: &text, indent: 0) else { return "null" }
        return text
    }

    /// Appends the value's JSON text, compact, or indented from level `indent`; false if a number
    /// is not finite. Each string value goes through `writeValue` (a body template marks its
    /// templated strings there); keys are always written as they are.
    func write(to text: inout String, indent: Int? = nil,
               string writeValue: (String, inout String) -> Void = JSONValue.writeString) -> Bool {
        // Between items: a comma, and with indentation a new line at the inner level.
        func separate(_ index: Int) {
            if index > 0 { text += "," }
            if let indent { text += "\n" + String(repeating: "  ", count: indent + 1) }
        }
        func close(_ bracket: String, empty: Bool) {
            if let indent, !empty { text += "\n" + String(repeating: "  ", count: indent) }
            text += bracket
        }
        let inner = indent.map { $0 + 1 }
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let value):
            guard value.isFinite else { return false }
            // Whole numbers as integers: `7200`, not `7200.0`.
            if value == value.rounded(), abs(value) < 1e15 {
                text += String(Int64(value))
            } else {
                let written = value.description
                text += written.hasSuffix(".0") ? String(written.dropLast(2)) : written
            }
        case .string(let value): writeValue(value, &text)
        case .array(let values):
            text += "["
            for (index, value) in values.enumerated() {
                separate(index)
                guard value.write(to: &text, indent: inner, string: writeValue) else { return false }
            }
            close("]", empty: values.isEmpty)
        case .object(let values):
            text += "{"
            // In the order of their UTF-8 bytes, as Foundation sorts them (not Swift's `<`,
            // which compares canonical forms).
            for (index, key) in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                separate(index)
                Self.writeString(key, to: &text)
                text += indent == nil ? ":" : ": "
                guard values[key]?.write(to: &text, indent: inner, string: writeValue) ?? false else { return false }
            }
            close("}", empty: values.isEmpty)
        }
        return true
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as it is.
    public static func writeString(_ value: String, to text: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 2)
        writeString(value, to: &bytes)
        text += String(decoding: bytes, as: UTF8.self)
    }

    /// The same, appended to UTF-8 bytes: text written a piece at a time (a request's body, a
    /// list of names) is put together as bytes, each piece a copy, where a string checks and
    /// grows its storage at every append.
    public static func writeString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // What must be escaped is ASCII, and no byte of a longer UTF-8 sequence is ASCII: the
            // bytes are read rather than the scalars, and each plain run is copied whole.
            var plain = 0
            for (index, byte) in utf8.enumerated() where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default: bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
                }
                plain = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    public subscript(key: String) -> JSONValue? {
        if case .object(let values) = self { return values[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
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
