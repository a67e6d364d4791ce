/// Finds where each value of a JSON5 document starts, so that validation errors can name a
/// line and column. Foundation parses the values but reports no positions; this scanner reads
/// the same text only for positions, and for the position of the first syntax error.
public struct JSON5Locator: Sendable {
    public struct Position: Sendable, Equatable {
        public var line: Int
        public var column: Int

        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
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
    /// The root object's members, when asked for (`outlining`) and the root is an object.
    public private(set) var outline: [OutlineMember] = []

    /// A member of the root object: the bytes of its text, from its key to the end of its value;
    /// and, when its value is an object, the same for each of that object's members. Each range
    /// parses alone once put between braces: the places where a large file can be cut into parts
    /// (`JSON5Parts`).
    public struct OutlineMember: Sendable, Equatable {
        /// The key as Foundation decodes it.
        public var key: String
        public var text: Range<Int>
        /// nil when the value is not an object.
        public var members: [Range<Int>]?
        /// The key of each of `members`, as Foundation decodes it.
        public var memberKeys: [String]?
    }

    /// How deep objects and lists may nest, how long one string or key may be, and how large a
    /// file may be: limits a schedule never reaches, so that a hostile file gets an error in time
    /// linear in its size instead of exhausting the stack or the memory.
    public static let maximumDepth = 64
    public static let maximumStringBytes = 1 << 20
    public static let maximumKeyBytes = 1_000
    public static let maximumFileBytes = 64 << 20

    /// Reads `text`. With `positions: false` only the syntax is checked (no positions are kept),
    /// at a fraction of the cost: what a file without errors needs.
    public init(text: String, positions: Bool = true, outlining: Bool = false) {
        var scanner = Scanner(bytes: Array(text.utf8), recording: positions, outlining: outlining)
        do {
            if scanner.bytes.count > Self.maximumFileBytes {
                throw scanner.error("the file is larger than \(Self.maximumFileBytes >> 20) MiB")
            }
            scanner.skipSpace()
            try scanner.value(at: FieldPath(), depth: 0)
            scanner.skipSpace()
            if !scanner.atEnd { throw scanner.error("unexpected text after the document") }
        } catch let error as SyntaxError {
            syntaxError = error
        } catch {}
        valuePositions = scanner.values
        keyPositions = scanner.keys
        if syntaxError == nil { outline = scanner.outline }
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
        /// Whether positions are kept; without, paths are not even built.
        let recording: Bool
        let outlining: Bool
        var outline: [OutlineMember] = []
        /// The members of the root member's value being read, when it is an object, and their keys.
        var innerMembers: [Range<Int>]?
        var innerKeys: [String]?

        init(bytes: [UInt8], recording: Bool, outlining: Bool) {
            self.bytes = bytes
            self.recording = recording
            self.outlining = outlining
        }

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
                        // A line comment ends at a carriage return too, as Foundation reads it.
                        while let next = current, next != UInt8(ascii: "\n"), next != UInt8(ascii: "\r") { advance() }
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

        mutating func value(at path: FieldPath, depth: Int) throws {
            skipSpace()
            guard let byte = current else { throw error("unexpected end of file, a value was expected") }
            if recording { values[path] = position }
            if (byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")) && depth >= JSON5Locator.maximumDepth {
                throw error("objects and lists are nested more than \(JSON5Locator.maximumDepth) deep here")
            }
            switch byte {
            case UInt8(ascii: "{"): try object(at: path, depth: depth + 1)
            case UInt8(ascii: "["): try array(at: path, depth: depth + 1)
            case UInt8(ascii: "\""), UInt8(ascii: "'"): _ = try string(limit: JSON5Locator.maximumStringBytes, keep: false)
            default: try bareWord()
            }
        }

        mutating func object(at path: FieldPath, depth: Int) throws {
            advance()
            // Depth 1 is the root; depth 2 the value of one of its members.
            let outlined = outlining && depth <= 2
            if outlined && depth == 2 {
                innerMembers = []
                innerKeys = []
            }
            var seen = SeenKeys()
            while true {
                skipSpace()
                guard let byte = current else { throw error("unexpected end of file inside an object: a '}' is missing") }
                if byte == UInt8(ascii: "}") { advance(); return }
                let keyPosition = position
                let keyStart = index
                let key: String
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    key = try string(limit: JSON5Locator.maximumKeyBytes)
                } else {
                    key = try identifier()
                }
                if !seen.insert(key) {
                    throw SyntaxError(position: keyPosition, message: "the key \(Quoted(key)) appears twice in this object")
                }
                let child = recording ? path.appending(key) : path
                if recording { keys[child] = keyPosition }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw error("a ':' was expected after the key \(Quoted(key))") }
                advance()
                if outlined && depth == 1 {
                    innerMembers = nil
                    innerKeys = nil
                }
                try value(at: child, depth: depth)
                if outlined {
                    if depth == 1 {
                        outline.append(OutlineMember(key: key, text: keyStart..<index, members: innerMembers, memberKeys: innerKeys))
                    } else {
                        innerMembers?.append(keyStart..<index)
                        innerKeys?.append(key)
                    }
                }
                skipSpace()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "}") { advance(); return }
                throw error("a ',' or '}' was expected")
            }
        }

        /// The keys of one object so far: compared one by one while they are few (most objects
        /// have a dozen), hashed once there are many (a section of 100,000 windows).
        struct SeenKeys {
            private var few: [String] = []
            private var many: Set<String>?

            /// False if the key was seen already (compared as Swift compares strings, as before).
            mutating func insert(_ key: String) -> Bool {
                if var keys = many {
                    many = nil
                    let inserted = keys.insert(key).inserted
                    many = keys
                    return inserted
                }
                if few.contains(key) { return false }
                few.append(key)
                if few.count > 16 {
                    many = Set(few)
                    few = []
                }
                return true
            }
        }

        mutating func array(at path: FieldPath, depth: Int) throws {
            advance()
            var count = 0
            while true {
                skipSpace()
                guard let byte = current else { throw error("unexpected end of file inside a list: a ']' is missing") }
                if byte == UInt8(ascii: "]") { advance(); return }
                try value(at: recording ? path.appending(count) : path, depth: depth)
                count += 1
                skipSpace()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "]") { advance(); return }
                throw error("a ',' or ']' was expected")
            }
        }

        /// A quoted string, its escapes decoded as JSON5 decodes them, so that a key written with
        /// `\n` or `\u0041` is found under the same name Foundation gives it. Without `keep`, the
        /// string is only checked (a value: only keys are compared), and "" is returned.
        mutating func string(limit: Int, keep: Bool = true) throws -> String {
            guard let quote = current else { throw error("a string was expected") }
            let start = position
            advance()
            // Until the first escape, the text is the bytes as they are: taken whole at the end.
            let contentStart = index
            var building = false
            var scalars = String.UnicodeScalarView()
            var length = 0
            var pendingHighSurrogate: UInt32?
            func append(_ scalar: Unicode.Scalar) {
                if building { scalars.append(scalar) }
                length += 1
            }
            while let byte = current {
                if length > limit {
                    throw SyntaxError(position: start, message: "a string is longer than \(limit >> 10) KiB")
                }
                if byte == quote {
                    let text = !keep ? "" : building ? String(scalars) : String(decoding: bytes[contentStart..<index], as: UTF8.self)
                    advance()
                    return text
                }
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    throw SyntaxError(position: start, message: "a string is not closed on its line")
                }
                if byte == UInt8(ascii: "\\") {
                    if keep && !building {
                        scalars = String(decoding: bytes[contentStart..<index], as: UTF8.self).unicodeScalars
                        building = true
                    }
                    advance()
                    guard let escaped = current else { break }
                    if escaped == UInt8(ascii: "u") || escaped == UInt8(ascii: "x") {
                        advance()
                        let digits = escaped == UInt8(ascii: "u") ? 4 : 2
                        var code: UInt32 = 0
                        for _ in 0..<digits {
                            guard let digit = current.flatMap(Self.hexValue) else {
                                throw error("\\\(Character(Unicode.Scalar(escaped))) needs \(digits) hexadecimal digits")
                            }
                            code = code * 16 + digit
                            advance()
                        }
                        if (0xD800...0xDBFF).contains(code) {
                            pendingHighSurrogate = code
                            continue
                        }
                        if (0xDC00...0xDFFF).contains(code), let high = pendingHighSurrogate {
                            code = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        }
                        pendingHighSurrogate = nil
                        append(Unicode.Scalar(code) ?? "\u{FFFD}")
                        continue
                    }
                    pendingHighSurrogate = nil
                    advance()
                    switch escaped {
                    case UInt8(ascii: "n"): append("\n")
                    case UInt8(ascii: "r"): append("\r")
                    case UInt8(ascii: "t"): append("\t")
                    case UInt8(ascii: "b"): append("\u{8}")
                    case UInt8(ascii: "f"): append("\u{C}")
                    case UInt8(ascii: "v"): append("\u{B}")
                    case UInt8(ascii: "0"): append("\0")
                    // A backslash before a line break continues the string on the next line.
                    case UInt8(ascii: "\n"): break
                    case UInt8(ascii: "\r"): if current == UInt8(ascii: "\n") { advance() }
                    default:
                        if escaped < 0x80 {
                            append(Unicode.Scalar(escaped))
                        } else {
                            // A multi-byte character after the backslash stands for itself (and
                            // U+2028/U+2029 continue the line): decode it whole.
                            let scalar = decodeScalar(first: escaped)
                            if scalar != "\u{2028}" && scalar != "\u{2029}" { append(scalar) }
                        }
                    }
                    continue
                }
                pendingHighSurrogate = nil
                if byte < 0x80 {
                    append(Unicode.Scalar(byte))
                    advance()
                } else {
                    advance()
                    append(decodeScalar(first: byte))
                }
            }
            throw SyntaxError(position: start, message: "a string is not closed before the end of the file")
        }

        /// The rest of a UTF-8 sequence whose first byte was just consumed.
        mutating func decodeScalar(first: UInt8) -> Unicode.Scalar {
            let extra = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0
            var sequence = [first]
            for _ in 0..<extra {
                guard let next = current, next & 0xC0 == 0x80 else { break }
                sequence.append(next)
                advance()
            }
            var decoder = UTF8()
            var iterator = sequence.makeIterator()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
            return "\u{FFFD}"
        }

        static func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
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

        /// An unquoted key, made from the bytes where they lie (a list built byte by byte was a
        /// tenth of the time the locator took over 100,000 windows).
        mutating func identifier() throws -> String {
            let start = index
            while let byte = current, Self.isWordByte(byte) {
                advance()
                if index - start > JSON5Locator.maximumKeyBytes { throw error("a key is longer than \(JSON5Locator.maximumKeyBytes) bytes") }
            }
            if index == start { throw error("a key was expected") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// The words a value may be written as without quotes, besides numbers.
        static let literals: Set<String> = ["true", "false", "null", "Infinity", "-Infinity", "+Infinity", "NaN"]

        mutating func bareWord() throws {
            let start = position
            let first = index
            while let byte = current, Self.isWordByte(byte) { advance() }
            let word = String(decoding: bytes[first..<min(index, first + JSON5Locator.maximumKeyBytes)], as: UTF8.self)
            if word.isEmpty {
                throw error("unexpected character, a value was expected")
            }
            if Self.literals.contains(word) || word.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                return
            }
            throw SyntaxError(position: start, message: "unexpected word \(Quoted(word)): strings need quotes")
        }
    }
}
