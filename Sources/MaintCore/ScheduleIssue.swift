/// One problem in a schedule file, printed as `FILE:LINE:COL: field.path: what is wrong`.
public struct ScheduleIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var path: String
    public var message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// One line whatever the file's name holds: its control characters are escaped.
    public var description: String { "\(Quoted.escaped(file)):\(line):\(column): \(path): \(message)" }
}

/// All the problems found in a set of schedule files.
public struct ScheduleIssues: Error, Sendable, CustomStringConvertible {
    public var issues: [ScheduleIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
