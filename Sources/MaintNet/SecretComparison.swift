import CCrypto
import Foundation

/// Compares a presented secret (a bearer token) with a known one in time that depends on
/// neither: both are first reduced to HMAC-SHA256 digests under a key drawn per process, so the
/// lengths do not show, and the digests are compared with libcrypto's `CRYPTO_memcmp`.
public struct SecretComparison: Sendable {
    private let key: Data

    public init() {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        key = Data(bytes)
    }

    /// What a known secret is kept as.
    public func digest(_ secret: String) -> Data { HMACSHA256.authenticate(Data(secret.utf8), key: key) }

    public func matches(_ presented: String, _ known: Data) -> Bool {
        let candidate = digest(presented)
        guard candidate.count == known.count else { return false }
        return candidate.withUnsafeBytes { a in
            known.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }
}
