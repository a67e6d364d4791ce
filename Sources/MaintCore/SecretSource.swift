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

    /// Replaces every known secret value in `text` with `[secret:NAME]`.
    public func redact(_ text: String, names: [String]) -> String {
        var result = text
        for name in Set(names) {
            guard let value = try? value(of: name), value.count >= 4 else { continue }
            result = result.replacingOccurrences(of: value, with: "[secret:\(name)]")
        }
        return result
    }
}
