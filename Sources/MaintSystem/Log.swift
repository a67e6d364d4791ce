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

    /// Whether records of `level` are written (not above the threshold).
    public func keeps(_ level: Level) -> Bool { level.rawValue <= threshold.rawValue }

    public func callAsFunction(_ level: Level, _ message: String) {
        if !keeps(level) { return }
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
    /// `2026-12-06T01:00:00.250Z`, from the C library's calendar: no ICU formatter per line.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Built by hand: `String(format:)` costs more than the rest of a log line.
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-" + padded(Int(parts.tm_mday), 2)
            + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
            + "." + padded(Int(spec.tv_nsec / 1_000_000), 3) + "Z"
    }
}
