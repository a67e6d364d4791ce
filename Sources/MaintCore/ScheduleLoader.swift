import Foundation
import Synchronization

/// Reads every `*.json5` and `*.json` file of a directory, checks each value, and merges them.
/// Any problem rejects the whole set, so a caller keeps the schedule it had.
public struct ScheduleLoader: Sendable {

    public var now: Date
    /// Whether the schedule keeps its definitions as JSON text (`Schedule.definitions`).
    public var keepsDefinitions: Bool
    /// Reading a stored copy of some sections only (the targets are read when needed): what a
    /// channel names among the targets was checked when the files were read.
    var partial = false

    /// Whether a large file is read on every core (`JSON5Parts`, `ScheduleReader.readWindows`).
    /// The daemon reads on one thread: read in parts on several, the schedule it keeps for weeks
    /// left 13 MB more resident after its trim, spread over those threads' heaps.
    public var readsInParallel: Bool

    public init(now: Date = Date(), keepsDefinitions: Bool = false, readsInParallel: Bool = true) {
        self.now = now
        self.keepsDefinitions = keepsDefinitions
        self.readsInParallel = readsInParallel
    }

    public func load(directory: String) throws(ScheduleIssues) -> Schedule {
        // Taken before reading: a file changed meanwhile gives a stamp that no longer matches.
        let stamp = keepsDefinitions ? ScheduleStamp.of(directory: directory) : nil
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".json5") || $0.hasSuffix(".json") }
                .sorted()
        } catch {
            throw ScheduleIssues(issues: [ScheduleIssue(file: directory, line: 0, column: 0, path: "(directory)", message: "cannot read the schedule directory: \(error.localizedDescription)")])
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var sources: [(String, String)] = []
        var issues: [ScheduleIssue] = []
        for name in names {
            let path = base + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                issues.append(ScheduleIssue(file: path, line: 0, column: 0, path: "(file)", message: "cannot read the file"))
                continue
            }
            sources.append((path, String(decoding: data, as: UTF8.self)))
        }
        var schedule: Schedule
        do {
            schedule = try load(sources: sources)
        } catch {
            throw ScheduleIssues(issues: issues + error.issues)
        }
        if !issues.isEmpty { throw ScheduleIssues(issues: issues) }
        schedule.files = sources.map(\.0)
        schedule.stamp = stamp
        return schedule
    }

    /// The targets, channels and api section a daemon stored (`Schedule.definitions`), read as
    /// the files were: the same checks, so a copy that no longer reads is an error, not a guess.
    public func load(stored definitions: [StoredDefinition]) throws(ScheduleIssues) -> Schedule {
        var byFile: [String: [StoredDefinition]] = [:]
        for definition in definitions { byFile[definition.file, default: []].append(definition) }
        let sources = byFile.keys.sorted().map { file -> (String, String) in
            var sections: [String] = []
            for section in StoredDefinition.Section.allCases {
                let entries = byFile[file, default: []].filter { $0.section == section }
                guard !entries.isEmpty else { continue }
                if section == .api {
                    sections.append("\"api\":" + entries[0].body)
                } else {
                    sections.append("\"\(section.rawValue)\":{" + entries.map { JSONValue.string($0.name).serialized() + ":" + $0.body }.joined(separator: ",") + "}")
                }
            }
            return (file, "{" + sections.joined(separator: ",") + "}")
        }
        var loader = self
        loader.partial = true
        var schedule = try loader.load(sources: sources)
        schedule.origin = .stored
        return schedule
    }

    /// The size of the parts a large file is parsed in, each on a core of its own.
    static let partBytes = 256 << 10

    /// Loads files given as (path, text), in order.
    public func load(sources: [(String, String)]) throws(ScheduleIssues) -> Schedule {
        // Each file is read on a core of its own when there are several: a large file's
        // locator reads on one core, and a smaller file is read meanwhile.
        let read: @Sendable (Int) -> Result<Document, ScheduleIssue> = { [readsInParallel] index in
            Self.read(path: sources[index].0, text: sources[index].1, inParts: readsInParallel)
        }
        var documents: [Document] = []
        var issues: [ScheduleIssue] = []
        for result in readsInParallel && sources.count > 1 ? Parallel.map(sources.count, read) : (0..<sources.count).map(read) {
            switch result {
            case .success(let document): documents.append(document)
            case .failure(let issue): issues.append(issue)
            }
        }

        // Targets first, from every file, so windows in one file may name targets of another.
        var reader = ScheduleReader(now: now)
        var schedule = Schedule()
        var definedIn: [String: String] = [:]
        // Sized once for every name of every section, instead of rehashed at each doubling. (Not
        // the windows' table: a reload's kept its places after the one-off windows were let go.)
        func count(_ section: String) -> Int {
            documents.reduce(0) { total, document in
                guard case .object(let entries)? = document.root[section] else { return total }
                return total + entries.count
            }
        }
        definedIn.reserveCapacity(["profiles", "targets", "channels", "windows", "freezes"].reduce(1) { $0 + count($1) })
        schedule.targets.reserveCapacity(count("targets"))
        for document in documents {
            reader.document = document
            guard case .object(let root) = document.root else {
                reader.fail(FieldPath(), "a schedule file is an object with targets, channels and windows")
                continue
            }
            reader.checkKeys(root, at: FieldPath(), allowed: ["profiles", "targets", "channels", "windows", "freezes", "api"])
            if root["api"] != nil {
                if let first = definedIn["api"] {
                    reader.fail(FieldPath().appending("api"), "the api section is already defined in \(first); one file holds it", key: true)
                } else {
                    definedIn["api"] = document.file
                }
            }
            for (section, kind) in [("profiles", "profile"), ("targets", "target"), ("channels", "channel"), ("windows", "window"), ("freezes", "freeze")] {
                guard let value = root[section] else { continue }
                guard case .object(let entries) = value else {
                    reader.fail(FieldPath().appending(section), "expected an object of \(kind)s by name, got \(value.kindName)")
                    continue
                }
                // In any order: a name is once in an object, and issues are sorted by place.
                for name in entries.keys {
                    let key = section + "/" + name
                    if let first = definedIn[key] {
                        reader.fail(FieldPath().appending(section).appending(name), "\(kind) \"\(name)\" is already defined in \(first)", key: true)
                        continue
                    }
                    definedIn[key] = document.file
                    if !ScheduleReader.isValidName(name) {
                        reader.fail(FieldPath().appending(section).appending(name), "a \(kind) name is letters, digits, '-', '_' or '.', at most 100 characters", key: true)
                    }
                }
            }
        }
        func keep(_ section: StoredDefinition.Section, _ name: String, _ value: JSONValue, _ file: String) {
            guard keepsDefinitions else { return }
            schedule.definitions.append(StoredDefinition(section: section, name: name, file: file, body: value.serialized()))
        }
        // Profiles: a target written once and used by many, with `{{vars.X}}` filled per target.
        // maint's own come first; one of the same name in the files is taken instead.
        var profiles = BuiltInProfiles.all
        var fromFiles = Set<String>()
        for document in documents {
            reader.document = document
            for (name, value) in document.section("profiles") where !fromFiles.contains(name) {
                fromFiles.insert(name)
                if let profile = reader.profile(name, value) { profiles[name] = profile } else { profiles[name] = nil }
            }
        }
        for document in documents {
            reader.document = document
            // Each as if written out in full, as the stored copy keeps it (`readTargets`).
            let entries = document.section("targets").filter { schedule.targets[$0.0] == nil }
            for read in reader.readTargets(entries, profiles: profiles, inParallel: readsInParallel) {
                if let target = read.target {
                    schedule.targets[read.name] = target
                    keep(.target, read.name, read.value, document.file)
                } else {
                    reader.unreadableTargets.insert(read.name)
                }
            }
            for (name, value) in document.section("channels") {
                guard schedule.channels[name] == nil else { continue }
                if let channel = reader.channel(name, value) {
                    schedule.channels[name] = channel
                    keep(.channel, name, value, document.file)
                } else {
                    reader.unreadableChannels.insert(name)
                }
            }
        }
        schedule.summarizeTargets()
        // A channel that names targets (a status page's components) names ones that exist.
        for document in documents where !partial {
            reader.document = document
            for (name, _) in document.section("channels") {
                guard let channel = schedule.channels[name], channel.file == document.file, let named = channel.kind.targetsNamed else { continue }
                for target in named.names where schedule.targetSummaries[target] == nil && !reader.unreadableTargets.contains(target) {
                    reader.fail(FieldPath().appending("channels").appending(name).appending(named.key).appending(target),
                                "no target is named \(Quoted(target))" + Suggestion.clause(for: target, among: schedule.targetSummaries.keys.sorted()), key: true)
                }
            }
        }
        for document in documents where definedIn["api"] == document.file {
            reader.document = document
            if case .object(let root) = document.root, let value = root["api"] {
                schedule.api = reader.api(value, file: document.file)
                keep(.api, "api", value, document.file)
            }
        }
        for document in documents {
            reader.document = document
            for (name, value) in document.section("freezes") {
                if schedule.freezes[name] == nil, let freeze = reader.freeze(name, value, schedule: schedule) { schedule.freezes[name] = freeze }
            }
        }
        for document in documents {
            reader.document = document
            let entries = document.section("windows", inNameOrder: false).filter { schedule.windows[$0.0] == nil }
            reader.readWindows(entries, into: &schedule, inParallel: readsInParallel)
        }
        // Among the windows that read well, even when others did not: every error in one pass.
        reader.checkConflicts(schedule, documents: documents, inParallel: readsInParallel)
        // A command has what it needs of the files' values (13 MB for 100,000 windows): large
        // ones are freed on another core while it goes on (small ones cost less than a thread).
        // The daemon frees them itself, on its one heap.
        reader.document = nil
        if readsInParallel && sources.reduce(0, { $0 + $1.1.utf8.count }) > Self.partBytes { Parallel.letGo(&documents) }
        issues += reader.issues
        schedule.secretNames = reader.secretNames.sorted()
        schedule.warnings = reader.warnings.sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
        if !issues.isEmpty {
            throw ScheduleIssues(issues: issues.sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) })
        }
        return schedule
    }

    /// One file, read: its syntax checked by the locator first, then its values parsed.
    static func read(path: String, text: String, inParts: Bool) -> Result<Document, ScheduleIssue> {
        // The locator reads first: it stops at the first syntax error, at any nesting too deep
        // or any string too long, before Foundation's parser (which recurses) sees the text.
        // Positions are found only if a value turns out wrong (`Document.position`).
        // A large file is parsed in parts on every core, cut where the locator's outline says.
        let large = inParts && text.utf8.count > partBytes
        let syntax = JSON5Locator(text: text, positions: false, outlining: large)
        if let syntax = syntax.syntaxError {
            return .failure(ScheduleIssue(file: path, line: syntax.position.line, column: syntax.position.column, path: "(syntax)", message: syntax.message))
        }
        let parts = large ? JSON5Parts(text: text, outline: syntax.outline, partBytes: partBytes) : nil
        do {
            return .success(Document(file: path, text: text, root: try parts?.parse() ?? JSONValue.parseJSON5(Data(text.utf8)), outline: syntax.outline))
        } catch {
            return .failure(ScheduleIssue(file: path, line: 1, column: 1, path: "(syntax)", message: "not valid JSON5"))
        }
    }

    /// One file as read: its values, and where each starts in its text, found the first time an
    /// error needs a line and column.
    final class Document: Sendable {
        let file: String
        let text: String
        let root: JSONValue
        /// Found once, by whichever reader needs them first (windows are read on several cores):
        /// in a large file, from the outline (`OutlinePositions`); else, or for a path the outline
        /// cannot place, by locating every value of the file.
        private let located: Mutex<(outlined: OutlinePositions?, whole: JSON5Locator?)>

        init(file: String, text: String, root: JSONValue, outline: [JSON5Locator.OutlineMember] = []) {
            self.file = file
            self.text = text
            self.root = root
            located = Mutex((outline.isEmpty ? nil : OutlinePositions(text: text, outline: outline), nil))
        }

        func position(of path: FieldPath, preferKey: Bool) -> JSON5Locator.Position {
            located.withLock { located in
                if let position = located.outlined?.position(of: path, preferKey: preferKey) { return position }
                let whole = located.whole ?? JSON5Locator(text: text)
                located.whole = whole
                return whole.position(of: path, preferKey: preferKey)
            }
        }

        /// A section's entries, in name order unless `inNameOrder` is false (windows: their
        /// table has no order, and sorting 100,000 names took one core 30 ms).
        func section(_ name: String, inNameOrder: Bool = true) -> [(String, JSONValue)] {
            guard case .object(let entries)? = root[name] else { return [] }
            guard inNameOrder else { return entries.map { ($0.key, $0.value) } }
            return entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }
}
