/// Text put together as UTF-8 bytes, written as an interpolation:
/// `UTF8Text("\(name) in \(elapsed) ms").text`. For lines made once per target of a fleet: each
/// piece is a copy of its bytes, where each append to a `String` checks and grows its storage
/// (hundreds of instructions a piece).
public struct UTF8Text: ExpressibleByStringInterpolation {
    public private(set) var bytes: [UInt8] = []

    public init(stringLiteral value: String) { Self.append(value, to: &bytes) }

    public init(stringInterpolation: Interpolation) { bytes = stringInterpolation.bytes }

    public init(_ text: UTF8Text) { self = text }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func append(_ text: String) { Self.append(text, to: &bytes) }

    /// A JSON string (`JSONValue.writeString`).
    public mutating func appendJSONString(_ text: String) { JSONValue.writeString(text, to: &bytes) }

    public mutating func append(_ number: Int64) { Self.appendDecimal(number, to: &bytes) }

    public struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8] = []

        public init(literalCapacity: Int, interpolationCount: Int) { bytes.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        public mutating func appendLiteral(_ literal: String) { UTF8Text.append(literal, to: &bytes) }

        public mutating func appendInterpolation(_ text: String) { UTF8Text.append(text, to: &bytes) }

        public mutating func appendInterpolation(_ number: Int) { UTF8Text.appendDecimal(Int64(number), to: &bytes) }

        public mutating func appendInterpolation(_ number: Int64) { UTF8Text.appendDecimal(number, to: &bytes) }
    }

    /// The text's bytes copied at once (the generic copy of a `UTF8View` costs several times more).
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// The number in decimal, as `String(number)` writes it (at most 20 digits and a sign).
    static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var count = 0
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for place in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[place]) }
        }
    }
}
