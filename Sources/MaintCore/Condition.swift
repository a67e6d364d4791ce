import Foundation

/// What a health check saw, for a condition to judge.
public struct HealthObservation: Sendable {
    public var status: Int
    public var responseTimeMilliseconds: Int
    public var body: String

    public init(status: Int, responseTimeMilliseconds: Int, body: String) {
        self.status = status
        self.responseTimeMilliseconds = responseTimeMilliseconds
        self.body = body
    }
}

/// A health condition in Gatus' language: `[STATUS] == 200 && [RESPONSE_TIME] < 800`,
/// `[BODY].status == ok`, with `== != < <= > >=`, `&&` (binds tighter) and `||`.
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    public struct ParseError: Error, Sendable {
        public var offset: Int
        public var message: String
    }

    enum Operand: Sendable, Equatable {
        case status
        case responseTime
        case body([String])
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
            throw ParseError(offset: offset + leading, message: "\"\(text.trimmingWhitespace())\" has no comparison (== != < <= > >=)")
        }
        let leftText = String(text[..<found.range.lowerBound]).trimmingWhitespace()
        let rightText = String(text[found.range.upperBound...]).trimmingWhitespace()
        let rightOffset = offset + text.distance(from: text.startIndex, to: found.range.upperBound) + 1
        guard !leftText.isEmpty else { throw ParseError(offset: offset + leading, message: "nothing before \(found.op)") }
        guard !rightText.isEmpty else { throw ParseError(offset: rightOffset, message: "nothing after \(found.op)") }
        let comparison = Comparison(left: try operand(leftText, at: offset + leading), op: found.op,
                                    right: try operand(rightText, at: rightOffset), text: text.trimmingWhitespace())
        if case .literal = comparison.left, case .literal = comparison.right {
            throw ParseError(offset: offset + leading, message: "\"\(comparison.text)\" compares two constants; one side must be [STATUS], [RESPONSE_TIME] or [BODY]")
        }
        return comparison
    }

    static func operand(_ text: String, at offset: Int) throws(ParseError) -> Operand {
        let upper = text.uppercased()
        if upper == "[STATUS]" { return .status }
        if upper == "[RESPONSE_TIME]" { return .responseTime }
        if upper == "[BODY]" { return .body([]) }
        if upper.hasPrefix("[BODY].") {
            let path = text.dropFirst("[BODY].".count).split(separator: ".").map(String.init)
            guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
                throw ParseError(offset: offset, message: "\"\(text)\": a body path is [BODY].field.field")
            }
            return .body(path)
        }
        if text.hasPrefix("[") {
            throw ParseError(offset: offset, message: "unknown placeholder \"\(text)\"; known: [STATUS], [RESPONSE_TIME], [BODY], [BODY].path")
        }
        return .literal(text)
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
        case .literal(let text): return text
        case .body(let path):
            if path.isEmpty { return observation.body }
            guard var value = try? JSONValue.parseJSON(Data(observation.body.utf8)) else { return nil }
            for key in path {
                guard let next = value[key] else { return nil }
                value = next
            }
            switch value {
            case .string(let text): return text
            case .null: return "null"
            default: return value.serialized()
            }
        }
    }

    static func holds(_ comparison: Comparison, _ observation: HealthObservation) -> Bool {
        guard let left = value(comparison.left, observation), let right = value(comparison.right, observation) else {
            return false
        }
        if let l = Double(left), let r = Double(right) {
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
