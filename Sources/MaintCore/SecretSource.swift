import Foundation

public struct SecretError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var description: String {
        "secret \(name) not found: neither $CREDENTIALS_DIRECTORY/\(name) nor the environment variable \(name) is set"
    }
}

/// Reads `{{secret:NAME}}`: the file `$CREDENTIALS_DIRECTORY/NAME` (systemd `LoadCredential=`),
/// else the environment variable `NAME`. Values are never stored; callers redact them from
/// anything they record.
public struct SecretSource: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func value(of name: String) throws(SecretError) -> String {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
           let data = FileManager.default.contents(atPath: directory + "/" + name) {
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        if let value = environment[name] { return value }
        throw SecretError(name: name)
    }

    /// Replaces every known secret value in `text` with `[secret:NAME]`, the longest values
    /// first (so that a secret containing another is replaced whole).
    public func redact(_ text: String, names: [String]) -> String {
        var result = text
        let secrets = Set(names).compactMap { name in (try? value(of: name)).map { (name, $0) } }
            .filter { $0.1.count >= 4 }
            .sorted { $0.1.count > $1.1.count }
        for (name, value) in secrets where result.contains(value) {
            result = result.replacingOccurrences(of: value, with: "[secret:\(name)]")
        }
        return result
    }

    /// Where a text that is cut keeps its characters.
    public enum Keep: Sendable { case start, end }

    /// What may leave a request for the database, a log, an error or an announcement: every
    /// secret replaced first, then line breaks folded and the text cut to `limit` characters
    /// (keeping its start or its end). In that order, so that no cut can leave part of a secret.
    public func scrub(_ text: String, names: [String], limit: Int = 300, keep: Keep = .start) -> String {
        let redacted = redact(text, names: names)
        let foldsToSpace = { (scalar: Unicode.Scalar) in Quoted.needsEscape(scalar) || scalar == "\n" || scalar == "\r" }
        var folded = redacted
        // Most texts (a status line) have nothing to fold: kept as they are, not rebuilt.
        if redacted.unicodeScalars.contains(where: foldsToSpace) {
            folded = ""
            for scalar in redacted.unicodeScalars { folded.unicodeScalars.append(foldsToSpace(scalar) ? " " : scalar) }
        }
        folded = folded.trimmingWhitespace()
        // No more bytes than the limit: no more characters either, without counting them.
        guard folded.utf8.count > limit, folded.count > limit else { return folded }
        return keep == .start ? String(folded.prefix(limit)) + "…" : "…" + String(folded.suffix(limit))
    }
}
