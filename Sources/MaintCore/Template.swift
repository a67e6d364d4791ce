import Foundation

/// A text with `{{placeholders}}`, checked when the schedule is loaded: an unknown placeholder is
/// an error there, never an empty string at send time.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case placeholder(String)
        case secret(String)
    }

    public struct ParseError: Error, Sendable {
        /// Offset in characters from the start of the template.
        public var offset: Int
        public var message: String
    }

    public static let placeholders: Set<String> = [
        "headline", "message", "window.id", "target", "start", "end", "start.local", "end.local",
        "duration", "retryAfter", "startsIn", "page.bypassUrl", "page.buttonText", "page.imageUrl", "page.icon",
    ]

    /// What an announcement's subject and body may use besides the window's placeholders.
    public static let announcementPlaceholders: Set<String> = placeholders.union([
        "event", "targets", "state", "result", "health", "notice.offset",
        "failure.target", "failure.action", "failure.error", "failure.next", "channel",
    ])

    public let parts: [Part]
    public let source: String

    /// Reads the text once, front to back (linear in its length, whatever it holds). It reads
    /// bytes: '{' and '}' are ASCII, so they never occur inside another character, and the text
    /// between placeholders is taken whole.
    public init(parsing source: String, placeholders known: Set<String> = Template.placeholders) throws(ParseError) {
        let bytes = Array(source.utf8)
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        // An error's offset counts characters, as a column does.
        func offset(_ byteIndex: Int) -> Int { bytes[..<byteIndex].reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 } }
        var parts: [Part] = []
        var literalStart = 0
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == open, bytes[index + 1] == open else {
                index += 1
                continue
            }
            // The placeholder's name runs to the first "}}"; a name is short, so a "{{" that is
            // not closed within a few hundred bytes is an error here, not a search to the end.
            var end = index + 2
            while end + 1 < bytes.count, end - index < 300, !(bytes[end] == close && bytes[end + 1] == close) { end += 1 }
            guard end + 1 < bytes.count, bytes[end] == close, bytes[end + 1] == close else {
                throw ParseError(offset: offset(index), message: "a '{{' is not closed by '}}'")
            }
            let name = text((index + 2)..<end).trimmingWhitespace()
            let part: Part
            if name.hasPrefix("secret:") {
                let secret = String(name.dropFirst("secret:".count))
                guard !secret.isEmpty, secret.allSatisfy(Self.isSecretNameCharacter) else {
                    throw ParseError(offset: offset(index), message: "\(Quoted("{{" + name + "}}")): a secret name is letters, digits, '_', '-' or '.'")
                }
                part = .secret(secret)
            } else {
                guard known.contains(name) else {
                    throw ParseError(offset: offset(index), message: "unknown placeholder \(Quoted("{{" + name + "}}")); known: \(known.sorted().joined(separator: ", ")), secret:NAME")
                }
                part = .placeholder(name)
            }
            if literalStart < index { parts.append(.text(text(literalStart..<index))) }
            parts.append(part)
            index = end + 2
            literalStart = index
        }
        if literalStart < bytes.count { parts.append(.text(text(literalStart..<bytes.count))) }
        self.parts = parts
        self.source = source
    }

    static func isSecretNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-" || character == ".")
    }

    /// A text taken as it is, with no placeholders.
    public static func literal(_ text: String) -> Template { Template(parts: [.text(text)], source: text) }

    init(parts: [Part], source: String) {
        self.parts = parts
        self.source = source
    }

    public var secretNames: [String] {
        parts.compactMap { if case .secret(let name) = $0 { return name } else { return nil } }
    }

    public var isConstant: Bool { parts.allSatisfy { if case .text = $0 { return true } else { return false } } }

    public func render(_ context: TemplateContext) throws(SecretError) -> String {
        try render(context, encodingValues: false)
    }

    /// A URL: each window value percent-encoded (all but RFC 3986's unreserved characters), so
    /// that a message in a query (`?reason={{message}}`) stays one parameter and cannot add
    /// others; a secret goes in as it is (often the whole URL of a webhook).
    public func renderURL(_ context: TemplateContext) throws(SecretError) -> String {
        try render(context, encodingValues: true)
    }

    func render(_ context: TemplateContext, encodingValues: Bool) throws(SecretError) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .text(let literal): text += literal
            case .placeholder(let name):
                let value = context.values[name] ?? ""
                text += encodingValues ? Self.percentEncoded(value) : value
            case .secret(let name): text += try context.secrets.value(of: name)
            }
        }
        return text
    }

    /// `text` as one URL component (a query value, a path segment): every byte but RFC 3986's
    /// unreserved characters percent-encoded.
    public static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// RFC 3986's unreserved characters: ALPHA, DIGIT, "-", ".", "_", "~".
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// The values placeholders stand for, and where secrets come from.
public struct TemplateContext: Sendable {
    public var values: [String: String]
    public var secrets: SecretSource

    public init(values: [String: String], secrets: SecretSource) {
        self.values = values
        self.secrets = secrets
    }
}
