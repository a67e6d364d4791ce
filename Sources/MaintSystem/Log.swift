import Foundation

/// Log lines on stderr; with journald priority prefixes (`<3>`…`<7>`) when stderr is the journal.
public struct Log: Sendable {
    public enum Level: Int, Sendable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7

        var name: String {
            switch self {
            case .error: return "error"
            case .warning: return "warning"
            case .notice: return "notice"
            case .info: return "info"
            case .debug: return "debug"
            }
        }
    }

    public let toJournal: Bool
    /// Records above this level (less severe) are dropped.
    public let threshold: Level

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, threshold: Level = .info) {
        self.toJournal = Self.stderrIsJournal(environment["JOURNAL_STREAM"])
        self.threshold = threshold
    }

    /// `$JOURNAL_STREAM` is `DEVICE:INODE` of the journal's stream; it counts only if fd 2 is that stream.
    static func stderrIsJournal(_ value: String?) -> Bool {
        guard let value else { return false }
        let parts = value.split(separator: ":").compactMap { UInt64($0) }
        var info = stat()
        guard parts.count == 2, fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == parts[0] && UInt64(info.st_ino) == parts[1]
    }

    public func callAsFunction(_ level: Level, _ message: String) {
        if level.rawValue > threshold.rawValue { return }
        let line: String
        if toJournal {
            line = "<\(level.rawValue)>\(message.replacingOccurrences(of: "\n", with: " "))\n"
        } else {
            line = "\(TimeStamp.now()) \(level.name): \(message)\n"
        }
        // One write per record, so lines from concurrent writers never interleave.
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}

enum TimeStamp {
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
