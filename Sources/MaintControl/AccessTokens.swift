import Foundation
import MaintCore
import MaintNet
import Synchronization

/// Who may use the API over TCP: the bearer tokens of the `api` section, as digests (`SecretComparison`), replaced when a
/// reload changes them. Over TCP every request needs one; write endpoints need a write token.
public final class AccessTokens: Sendable {
    struct Known: Sendable {
        var name: String
        var digest: Data
        var scope: APIConfig.Scope
    }

    private let comparison = SecretComparison()
    private let known = Mutex<[Known]>([])
    private let publicStatus = Atomic<Bool>(false)

    /// `publicStatus: true`: `GET /` (the page of current and upcoming maintenance) needs no token.
    public var statusIsPublic: Bool { publicStatus.load(ordering: .relaxed) }

    public init() {}

    /// Takes the tokens of `config`, their values read from `secrets`. Returns the names whose
    /// secret is missing (they are left out: nobody can use them).
    @discardableResult
    public func update(_ config: APIConfig?, secrets: SecretSource) -> [String] {
        var tokens: [Known] = []
        var missing: [String] = []
        for token in config?.tokens ?? [] {
            guard let value = try? token.token.render(TemplateContext(values: [:], secrets: secrets)), !value.isEmpty else {
                missing.append(token.name)
                continue
            }
            tokens.append(Known(name: token.name, digest: comparison.digest(value), scope: token.scope))
        }
        known.withLock { $0 = tokens }
        publicStatus.store(config?.publicStatus ?? false, ordering: .relaxed)
        return missing
    }

    public enum Check: Equatable, Sendable {
        case allowed(name: String)
        /// No `Authorization: Bearer`, or a token nobody has (401).
        case unknown
        /// A read token for a write (403).
        case tooNarrow(name: String)
    }

    /// Every known token is compared, whichever matches, so the time taken says nothing.
    public func check(authorization: String?, needs scope: APIConfig.Scope) -> Check {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return .unknown }
        let presented = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        var match: Known?
        for token in known.withLock({ $0 }) where comparison.matches(presented, token.digest) { match = token }
        guard let match else { return .unknown }
        return scope == .write && match.scope == .read ? .tooNarrow(name: match.name) : .allowed(name: match.name)
    }
}
