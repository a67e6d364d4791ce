import Foundation

/// Where the schedule in force came from: the files, read and checked, or the copy a daemon
/// stored of its targets, channels and api section, to start at once while it reads the files.
public enum ScheduleOrigin: Sendable, Equatable {
    case files
    /// Targets are read from the stored copy one by one, as windows need them; windows and
    /// freezes are absent (their occurrences are in the database) until the files are read.
    case stored
}

/// One definition of the files as JSON text, kept in the database so that a restart with the
/// same files need not read them before it is ready. Secrets stay `{{secret:NAME}}`.
public struct StoredDefinition: Sendable, Equatable {
    public enum Section: String, Sendable, CaseIterable {
        case target = "targets"
        case channel = "channels"
        case api
    }

    public var section: Section
    public var name: String
    public var file: String
    /// The value as written in the file, as compact JSON.
    public var body: String

    public init(section: Section, name: String, file: String, body: String) {
        self.section = section
        self.name = name
        self.file = file
        self.body = body
    }
}

/// What the files were when they were read: each one's path, size, modification time and inode,
/// with the directory and the program itself (its version, size and time). A stored copy is used
/// only while this is unchanged, so a restart after an edit or an upgrade reads the files first.
public enum ScheduleStamp {
    public static func of(directory: String) -> String? {
        let manager = FileManager.default
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return nil }
        let program = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var stamp = "maint \(Version.number) \(line(program) ?? "-")\(absolute)\n"
        for name in names.filter({ $0.hasSuffix(".json5") || $0.hasSuffix(".json") }).sorted() {
            guard let file = line(absolute + "/" + name) else { return nil }
            stamp += file
        }
        return stamp
    }

    /// `path size mtime inode`, one line.
    private static func line(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.stringValue ?? "-"
        return "\(path) \(size.stringValue) \(modified.timeIntervalSince1970) \(inode)\n"
    }
}
