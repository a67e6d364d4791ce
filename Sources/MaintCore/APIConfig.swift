import Foundation

/// The `api` section of a schedule file (SPEC "Control API"): the control API on TCP as well as
/// on the Unix socket, for callers on other hosts (a CI runner, Grafana), each with a bearer
/// token from a secret and a scope.
public struct APIConfig: Sendable {
    public enum Scope: String, Sendable, CaseIterable {
        /// GET: status, windows, events, metrics, the calendar.
        case read
        /// Everything: planning, ending, reloading too.
        case write
    }

    public struct Token: Sendable {
        public var name: String
        /// `{{secret:NAME}}`: the token itself never sits in the files.
        public var token: Template
        public var scope: Scope
    }

    /// `HOST:PORT` with a numeric host: `127.0.0.1:8470`, `[::1]:8470`.
    public var host: String
    public var port: UInt16
    public var tokens: [Token]
    /// `GET /` (the page of current and upcoming maintenance) without a token.
    public var publicStatus: Bool
    /// The file that defines it, for "defined twice" errors.
    public var file: String

    public static let keys: Set<String> = ["listen", "tokens", "publicStatus"]

    /// An IPv4 address in dotted decimals, or an IPv6 address (hex groups and colons).
    public static func isNumericHost(_ host: String) -> Bool {
        if host.contains(":") {
            return host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && host.count <= 45
        }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }

    /// Splits `127.0.0.1:8470` or `[::1]:8470`; nil when it is not that.
    public static func address(_ text: String) -> (host: String, port: UInt16)? {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let number = UInt16(port), number > 0 else { return nil }
        return (String(host), number)
    }
}

extension ScheduleReader {
    mutating func api(_ value: JSONValue, file: String) -> APIConfig? {
        let path = FieldPath().appending("api")
        guard let object = object(value, path, allowed: APIConfig.keys) else { return nil }
        var address: (host: String, port: UInt16)?
        if let listen = string(object, "listen", path, required: true) {
            address = APIConfig.address(listen)
            // Numeric only: a name would be looked up at every start, and could change under us.
            if address.map({ !APIConfig.isNumericHost($0.host) }) ?? true {
                fail(path.appending("listen"), "\(Quoted(listen)) is not HOST:PORT with a numeric host, such as 127.0.0.1:8470 or [::1]:8470")
                address = nil
            }
        }
        var tokens: [APIConfig.Token] = []
        let tokensPath = path.appending("tokens")
        var entries: [String: JSONValue] = [:]
        if let value = object["tokens"] {
            if case .object(let found) = value { entries = found } else { fail(tokensPath, "expected an object of tokens by name, got \(value.kindName)") }
        }
        do {
            for name in entries.keys.sorted() {
                let tokenPath = tokensPath.appending(name)
                guard let entry = self.object(entries[name] ?? .null, tokenPath, allowed: ["token", "scope"]) else { continue }
                var scope: APIConfig.Scope?
                if let text = string(entry, "scope", tokenPath, required: true) {
                    scope = APIConfig.Scope(rawValue: text)
                    if scope == nil { fail(tokenPath.appending("scope"), "\(Quoted(text)) is not a scope; one of: read, write") }
                }
                var token: Template?
                if let text = string(entry, "token", tokenPath, required: true) {
                    token = template(text, tokenPath.appending("token"))
                    if let found = token, found.secretNames.isEmpty {
                        fail(tokenPath.appending("token"), "a token is read from a secret, such as \"{{secret:CI_TOKEN}}\"; it must not be written in the file")
                        token = nil
                    }
                }
                if let token, let scope { tokens.append(APIConfig.Token(name: name, token: token, scope: scope)) }
            }
        }
        var publicStatus = false
        if let flag = object["publicStatus"] {
            if case .bool(let value) = flag { publicStatus = value } else { fail(path.appending("publicStatus"), "expected true or false") }
        }
        guard let address else { return nil }
        return APIConfig(host: address.host, port: address.port, tokens: tokens, publicStatus: publicStatus, file: file)
    }
}
