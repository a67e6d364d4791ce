import Foundation

/// One check's outcome, as stored and announced.
public struct CheckResult: Codable, Sendable, Equatable {
    public var check: String
    public var ok: Bool
    public var status: Int?
    public var responseTimeMs: Int?
    public var detail: String

    public init(check: String, ok: Bool, status: Int?, responseTimeMs: Int?, detail: String) {
        self.check = check
        self.ok = ok
        self.status = status
        self.responseTimeMs = responseTimeMs
        self.detail = detail
    }

    /// Judges a check's reply by its condition.
    public static func judge(_ check: HealthCheck, _ result: Result<HTTPResponse, TransferError>, now: Date, redact: (String) -> String) -> CheckResult {
        switch result {
        case .success(let response):
            let observation = HealthObservation(status: response.status, responseTimeMilliseconds: response.elapsedMilliseconds, body: response.text,
                                                certificateExpiresInMilliseconds: response.certificateExpiry.map { Int64($0.timeIntervalSince(now) * 1000) })
            let ok = check.condition.evaluate(observation)
            // A failed condition names the value it got, which may echo what the request sent.
            return CheckResult(check: check.name, ok: ok, status: response.status, responseTimeMs: response.elapsedMilliseconds,
                               detail: ok ? check.condition.source : redact("failed: " + check.condition.failures(observation).joined(separator: "; ")))
        case .failure(let error):
            return CheckResult(check: check.name, ok: false, status: nil, responseTimeMs: error.elapsedMilliseconds, detail: redact(error.message))
        }
    }
}

extension [CheckResult] {
    /// As stored with the target and shown by `maint show`.
    public var stored: String { StoredJSON.text(self) }

    /// `home: ok; api: failed: [STATUS] (503) == 200`
    public var summary: String {
        isEmpty ? "no health checks defined" : map { "\($0.check): \($0.ok ? "ok" : $0.detail)" }.joined(separator: "; ")
    }
}
