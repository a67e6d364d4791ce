import Foundation

/// What is needed of every target at once: choosing targets by tag, the zone occurrences are
/// shown in, whether `maint status` can read its state. A daemon keeps this for all its targets,
/// and a target's whole definition (`TargetConfig`) only while its windows need it.
public struct TargetSummary: Sendable {
    public var tags: [String]
    public var timezone: TimeZone
    public var readsState: Bool

    public init(_ target: TargetConfig) {
        // Copied, not shared with the definition: what stays must not hold the pages of what
        // is let go.
        tags = target.tags.map { String(decoding: Array($0.utf8), as: UTF8.self) }
        timezone = target.timezone
        readsState = target.driver.readsState
    }
}
