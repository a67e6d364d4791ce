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
        "duration", "retryAfter", "page.bypassUrl", "page.buttonText", "page.imageUrl", "page.icon",
    ]

    /// What an announcement's subject and body may use besides the window's placeholders.
    public static let announcementPlaceholders: Set<String> = placeholders.union([
        "event", "targets", "state", "result", "health", "notice.offset",
        "failure.target", "failure.action", "failure.error", "failure.next", "channel",
    ])

    public let parts: [Part]
    public let source: String

    public init(parsing source: String, placeholders known: Set<String> = Template.placeholders) throws(ParseError) {
        var parts: [Part] = []
        var literal = ""
        var index = source.startIndex
        var offset = 0
        while index < source.endIndex {
            if source[index...].hasPrefix("{{") {
                guard let close = source[index...].range(of: "}}") else {
                    throw ParseError(offset: offset, message: "a '{{' is not closed by '}}'")
                }
                let inner: Substring = source[source.index(index, offsetBy: 2)..<close.lowerBound]
                let name: String = String(inner).trimmingWhitespace()
                if name.hasPrefix("secret:") {
                    let secret = String(name.dropFirst("secret:".count))
                    guard !secret.isEmpty, secret.allSatisfy(Self.isSecretNameCharacter) else {
                        throw ParseError(offset: offset, message: "\"{{\(name)}}\": a secret name is letters, digits, '_', '-' or '.'")
                    }
                    if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                    parts.append(.secret(secret))
                } else {
                    guard known.contains(name) else {
                        throw ParseError(offset: offset, message: "unknown placeholder \"{{\(name)}}\"; known: \(known.sorted().joined(separator: ", ")), secret:NAME")
                    }
                    if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                    parts.append(.placeholder(name))
                }
                offset += source.distance(from: index, to: close.upperBound)
                index = close.upperBound
            } else {
                literal.append(source[index])
                index = source.index(after: index)
                offset += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
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
        var text = ""
        for part in parts {
            switch part {
            case .text(let literal): text += literal
            case .placeholder(let name): text += context.values[name] ?? ""
            case .secret(let name): text += try context.secrets.value(of: name)
            }
        }
        return text
    }
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
