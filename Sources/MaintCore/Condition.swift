import Foundation

/// What a health check saw, for a condition to judge.
public struct HealthObservation: Sendable {
    public var status: Int
    public var responseTimeMilliseconds: Int
    public var body: String
    /// Milliseconds until the server's certificate expires (https only).
    public var certificateExpiresInMilliseconds: Int64?

    public init(status: Int, responseTimeMilliseconds: Int, body: String, certificateExpiresInMilliseconds: Int64? = nil) {
        self.status = status
        self.responseTimeMilliseconds = responseTimeMilliseconds
        self.body = body
        self.certificateExpiresInMilliseconds = certificateExpiresInMilliseconds
    }
}

/// A health condition in Gatus' language: `[STATUS] == 200 && [RESPONSE_TIME] < 800`,
/// `[BODY].status == ok`, `[BODY].items[0].state == up`, `len([BODY].items) > 0`,
/// `[CERTIFICATE_EXPIRATION] > 48h`, with `== != < <= > >=`, `&&` (binds tighter) and `||`.
/// Durations (`48h`, `500ms`) compare as milliseconds.
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    public struct ParseError: Error, Sendable {
        public var offset: Int
        public var message: String
    }

    enum PathStep: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    enum Operand: Sendable, Equatable {
        case status
        case responseTime
        case certificateExpiration
        case body([PathStep])
        indirect case length(Operand)
        case literal(String)
    }

    struct Comparison: Sendable, Equatable {
        var left: Operand
        var op: String
        var right: Operand
        var text: String
    }

    /// Disjunction of conjunctions.
    let alternatives: [[Comparison]]
    public let source: String

    public var description: String { source }

    public init(parsing source: String) throws(ParseError) {
        var alternatives: [[Comparison]] = []
        var offset = 0
        for alternative in source.components(separatedBy: "||") {
            var conjunction: [Comparison] = []
            var innerOffset = offset
            for text in alternative.components(separatedBy: "&&") {
                conjunction.append(try Self.comparison(text, at: innerOffset))
                innerOffset += text.count + 2
            }
            alternatives.append(conjunction)
            offset += alternative.count + 2
        }
        self.alternatives = alternatives
        self.source = source
    }

    static let operators = ["==", "!=", "<=", ">=", "<", ">"]

    static func comparison(_ text: String, at offset: Int) throws(ParseError) -> Comparison {
        let leading = text.prefix(while: { $0 == " " }).count
        // The leftmost operator; at the same place the longer one ("<=" over "<").
        var found: (op: String, range: Range<String.Index>)?
        for op in operators {
            guard let range = text.range(of: op) else { continue }
            if let best = found, best.range.lowerBound < range.lowerBound || (best.range.lowerBound == range.lowerBound && best.op.count >= op.count) {
                continue
            }
            found = (op, range)
        }
        guard let found else {
            throw ParseError(offset: offset + leading, message: "\(Quoted(text.trimmingWhitespace())) has no comparison (== != < <= > >=)")
        }
        let leftText = String(text[..<found.range.lowerBound]).trimmingWhitespace()
        let rightText = String(text[found.range.upperBound...]).trimmingWhitespace()
        let rightOffset = offset + text.distance(from: text.startIndex, to: found.range.upperBound) + 1
        guard !leftText.isEmpty else { throw ParseError(offset: offset + leading, message: "nothing before \(found.op)") }
        guard !rightText.isEmpty else { throw ParseError(offset: rightOffset, message: "nothing after \(found.op)") }
        let comparison = Comparison(left: try operand(leftText, at: offset + leading), op: found.op,
                                    right: try operand(rightText, at: rightOffset), text: text.trimmingWhitespace())
        if case .literal = comparison.left, case .literal = comparison.right {
            throw ParseError(offset: offset + leading, message: "\(Quoted(comparison.text)) compares two constants; one side must be [STATUS], [RESPONSE_TIME] or [BODY]")
        }
        return comparison
    }

    static func operand(_ text: String, at offset: Int) throws(ParseError) -> Operand {
        let upper = text.uppercased()
        if upper.hasPrefix("LEN(") {
            guard text.hasSuffix(")") else { throw ParseError(offset: offset, message: "\(Quoted(text)): len( is not closed by )") }
            let inner = String(text.dropFirst(4).dropLast()).trimmingWhitespace()
            let operand = try operand(inner, at: offset + 4)
            guard case .body = operand else { throw ParseError(offset: offset + 4, message: "len() takes [BODY] or [BODY].path") }
            return .length(operand)
        }
        if upper == "[STATUS]" { return .status }
        if upper == "[RESPONSE_TIME]" { return .responseTime }
        if upper == "[CERTIFICATE_EXPIRATION]" { return .certificateExpiration }
        if upper == "[BODY]" { return .body([]) }
        if upper.hasPrefix("[BODY]") {
            return .body(try path(String(text.dropFirst("[BODY]".count)), at: offset + "[BODY]".count))
        }
        if text.hasPrefix("[") {
            throw ParseError(offset: offset, message: "unknown placeholder \(Quoted(text)); known: [STATUS], [RESPONSE_TIME], [BODY], [BODY].path, [CERTIFICATE_EXPIRATION], len()")
        }
        return .literal(text)
    }

    /// `.a.b[0].c` after [BODY].
    static func path(_ text: String, at offset: Int) throws(ParseError) -> [PathStep] {
        var steps: [PathStep] = []
        var rest = Substring(text)
        var position = offset
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                let name = rest.dropFirst().prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { throw ParseError(offset: position, message: "an empty field name in the body path") }
                steps.append(.key(String(name)))
                rest = rest.dropFirst(1 + name.count)
                position += 1 + name.count
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                    throw ParseError(offset: position, message: "a list index is [0], [1]…")
                }
                steps.append(.index(index))
                let consumed = rest.distance(from: rest.startIndex, to: close) + 1
                rest = rest.dropFirst(consumed)
                position += consumed
            } else {
                throw ParseError(offset: position, message: "a body path is [BODY].field.field[0]")
            }
        }
        return steps
    }

    public func evaluate(_ observation: HealthObservation) -> Bool {
        alternatives.contains { conjunction in conjunction.allSatisfy { Self.holds($0, observation) } }
    }

    /// The comparisons that did not hold, as people read them: `[STATUS] (503) == 200`.
    public func failures(_ observation: HealthObservation) -> [String] {
        alternatives.flatMap { $0 }.filter { !Self.holds($0, observation) }.map {
            "\($0.text) (got \(Self.value($0.left, observation) ?? "nothing"))"
        }
    }

    static func value(_ operand: Operand, _ observation: HealthObservation) -> String? {
        switch operand {
        case .status: return String(observation.status)
        case .responseTime: return String(observation.responseTimeMilliseconds)
        case .certificateExpiration: return observation.certificateExpiresInMilliseconds.map(String.init)
        case .literal(let text): return text
        case .length(let inner):
            guard case .body(let path) = inner else { return nil }
            if path.isEmpty, (try? JSONValue.parseJSON(Data(observation.body.utf8))) == nil { return String(observation.body.count) }
            switch bodyValue(path, observation) {
            case .array(let items)?: return String(items.count)
            case .object(let fields)?: return String(fields.count)
            case .string(let text)?: return String(text.count)
            default: return nil
            }
        case .body(let path):
            if path.isEmpty { return observation.body }
            switch bodyValue(path, observation) {
            case .string(let text)?: return text
            case .null?: return "null"
            case let value?: return value.serialized()
            case nil: return nil
            }
        }
    }

    static func bodyValue(_ path: [PathStep], _ observation: HealthObservation) -> JSONValue? {
        guard var value = try? JSONValue.parseJSON(Data(observation.body.utf8)) else { return nil }
        for step in path {
            switch (step, value) {
            case (.key(let key), .object(let fields)):
                guard let next = fields[key] else { return nil }
                value = next
            case (.index(let index), .array(let items)):
                guard items.indices.contains(index) else { return nil }
                value = items[index]
            default:
                return nil
            }
        }
        return value
    }

    /// A number, or a duration such as 48h in milliseconds.
    static func number(_ text: String) -> Double? {
        Double(text) ?? DurationText.parse(text).map(Double.init)
    }

    static func holds(_ comparison: Comparison, _ observation: HealthObservation) -> Bool {
        guard let left = value(comparison.left, observation), let right = value(comparison.right, observation) else {
            return false
        }
        if let l = number(left), let r = number(right) {
            switch comparison.op {
            case "==": return l == r
            case "!=": return l != r
            case "<": return l < r
            case "<=": return l <= r
            case ">": return l > r
            default: return l >= r
            }
        }
        switch comparison.op {
        case "==": return left == right
        case "!=": return left != right
        case "<": return left < right
        case "<=": return left <= right
        case ">": return left > right
        default: return left >= right
        }
    }
}
