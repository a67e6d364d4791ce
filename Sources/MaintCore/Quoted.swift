/// User text as an error message echoes it: in quotes, with line breaks, control characters and
/// invisible direction marks escaped, so that no value can print a line of its own or disguise
/// itself as another message; and shortened, so that a megabyte value gives a one-line error.
public struct Quoted: CustomStringConvertible, Sendable {
    public let text: String
    public let limit: Int

    public init(_ text: String, limit: Int = 80) {
        self.text = text
        self.limit = limit
    }

    public init(_ text: Substring, limit: Int = 80) { self.init(String(text), limit: limit) }

    public var description: String { "\"" + Self.escaped(text, limit: limit) + "\"" }

    /// The text with every character that could break or fake a line escaped, cut to `limit` characters.
    public static func escaped(_ text: String, limit: Int = .max) -> String {
        var result = ""
        var shown = 0
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            guard shown < limit else { continue }
            shown += 1
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default:
                if needsEscape(scalar) {
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        if total > shown { result += "…(\(total) characters)" }
        return result
    }

    /// Controls (C0, DEL, C1), line and paragraph separators, and the bidirectional overrides and
    /// isolates that reorder what a terminal shows.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}
