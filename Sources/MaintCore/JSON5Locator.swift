/// Finds where each value of a JSON5 document starts, so that validation errors can name a
/// line and column. Foundation parses the values but reports no positions; this scanner reads
/// the same text only for positions, and for the position of the first syntax error.
public struct JSON5Locator: Sendable {
    public struct Position: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    public struct SyntaxError: Error, Sendable {
        public var position: Position
        public var message: String
    }

    /// Start of each value, by path. The start of a key is stored under the same path as its value
    /// in `keyPositions`, for errors about the key itself (unknown or duplicate fields).
    public private(set) var valuePositions: [FieldPath: Position] = [:]
    public private(set) var keyPositions: [FieldPath: Position] = [:]
    public private(set) var syntaxError: SyntaxError?

    public init(text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        do {
            scanner.skipSpace()
            try scanner.value(at: FieldPath())
            scanner.skipSpace()
            if !scanner.atEnd { throw scanner.error("unexpected text after the document") }
        } catch let error as SyntaxError {
            syntaxError = error
        } catch {}
        valuePositions = scanner.values
        keyPositions = scanner.keys
    }

    /// The best position for a path: the value, else its key, else the nearest parent's.
    public func position(of path: FieldPath, preferKey: Bool = false) -> Position {
        var current: FieldPath? = path
        while let candidate = current {
            if preferKey, let key = keyPositions[candidate] { return key }
            if let value = valuePositions[candidate] { return value }
            if let key = keyPositions[candidate] { return key }
            current = candidate.parent
        }
        return Position(line: 1, column: 1)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var column = 1
        var values: [FieldPath: Position] = [:]
        var keys: [FieldPath: Position] = [:]

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var current: UInt8? { index < bytes.count ? bytes[index] : nil }
        var position: Position { Position(line: line, column: column) }

        func error(_ message: String) -> SyntaxError { SyntaxError(position: position, message: message) }

        mutating func advance() {
            guard index < bytes.count else { return }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }

        mutating func skipSpace() {
            while let byte = current {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                    advance()
                case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:
                    advance(); advance()
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF:
                    advance(); advance(); advance()
                case UInt8(ascii: "/"):
                    guard index + 1 < bytes.count else { return }
                    if bytes[index + 1] == UInt8(ascii: "/") {
                        while let next = current, next != UInt8(ascii: "\n") { advance() }
                    } else if bytes[index + 1] == UInt8(ascii: "*") {
                        advance(); advance()
                        while !atEnd && !(current == UInt8(ascii: "*") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/")) {
                            advance()
                        }
                        advance(); advance()
                    } else {
                        return
                    }
                default:
                    return
                }
            }
        }

        mutating func value(at path: FieldPath) throws {
            skipSpace()
            guard let byte = current else { throw error("unexpected end of file, a value was expected") }
            values[path] = position
            switch byte {
            case UInt8(ascii: "{"): try object(at: path)
            case UInt8(ascii: "["): try array(at: path)
            case UInt8(ascii: "\""), UInt8(ascii: "'"): _ = try string()
            default: try bareWord()
            }
        }

        mutating func object(at path: FieldPath) throws {
            advance()
            var seen = Set<String>()
            while true {
                skipSpace()
                guard let byte = current else { throw error("unexpected end of file inside an object: a '}' is missing") }
                if byte == UInt8(ascii: "}") { advance(); return }
                let keyPosition = position
                let key: String
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    key = try string()
                } else {
                    key = try identifier()
                }
                if !seen.insert(key).inserted {
                    throw SyntaxError(position: keyPosition, message: "the key \"\(key)\" appears twice in this object")
                }
                keys[path.appending(key)] = keyPosition
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw error("a ':' was expected after the key \"\(key)\"") }
                advance()
                try value(at: path.appending(key))
                skipSpace()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "}") { advance(); return }
                throw error("a ',' or '}' was expected")
            }
        }

        mutating func array(at path: FieldPath) throws {
            advance()
            var count = 0
            while true {
                skipSpace()
                guard let byte = current else { throw error("unexpected end of file inside a list: a ']' is missing") }
                if byte == UInt8(ascii: "]") { advance(); return }
                try value(at: path.appending(count))
                count += 1
                skipSpace()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "]") { advance(); return }
                throw error("a ',' or ']' was expected")
            }
        }

        mutating func string() throws -> String {
            guard let quote = current else { throw error("a string was expected") }
            let start = position
            advance()
            var raw: [UInt8] = []
            while let byte = current {
                if byte == quote { advance(); return String(decoding: raw, as: UTF8.self) }
                if byte == UInt8(ascii: "\n") { throw SyntaxError(position: start, message: "a string is not closed on its line") }
                if byte == UInt8(ascii: "\\") {
                    advance()
                    if let escaped = current { raw.append(escaped) }
                    advance()
                    continue
                }
                raw.append(byte)
                advance()
            }
            throw SyntaxError(position: start, message: "a string is not closed before the end of the file")
        }

        static func isWordByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "$"),
                 UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
                return true
            default:
                return byte >= 0x80
            }
        }

        mutating func identifier() throws -> String {
            var raw: [UInt8] = []
            while let byte = current, Self.isWordByte(byte) { raw.append(byte); advance() }
            if raw.isEmpty { throw error("a key was expected") }
            return String(decoding: raw, as: UTF8.self)
        }

        mutating func bareWord() throws {
            let start = position
            var raw: [UInt8] = []
            while let byte = current, Self.isWordByte(byte) { raw.append(byte); advance() }
            let word = String(decoding: raw, as: UTF8.self)
            if word.isEmpty {
                throw error("unexpected character, a value was expected")
            }
            let literals: Set<String> = ["true", "false", "null", "Infinity", "-Infinity", "+Infinity", "NaN"]
            if literals.contains(word) || word.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                return
            }
            throw SyntaxError(position: start, message: "unexpected word \"\(word)\": strings need quotes")
        }
    }
}
