import Foundation

/// Runs a program that reads lines on stdin and answers lines on stdout (the tests' Python
/// oracles and validators). The input comes from a file, so that neither side can block on a
/// full pipe however much is asked.
public enum LineFilter {
    public struct Failure: Error, CustomStringConvertible {
        public var program: [String]
        public var status: Int32
        public var description: String { "\(program.joined(separator: " ")) exited \(status)" }
    }

    public static func run(_ program: [String], lines: [String]) throws -> [String] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("maint-lines-\(UUID().uuidString)")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.first ?? "/bin/false")
        process.arguments = Array(program.dropFirst())
        process.standardInput = try FileHandle(forReadingFrom: input)
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(program: program, status: process.terminationStatus) }
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
