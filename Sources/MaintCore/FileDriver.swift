import Foundation

/// `driver: "file"`: a flag file (nginx `if (-f …)`, WordPress `.maintenance`) and, optionally,
/// the rendered maintenance page: the page first and then the flag, removed in the reverse order.
public struct FileDriver: Driver {
    public static let name = "file"
    public static let keys: Set<String> = ["file"]

    public var path: String
    /// Where to write the maintenance page, if anywhere.
    public var page: String?
    /// What the flag file holds; empty when not given. `{{now.unix}}` is the time of writing.
    public var content: Template?
    /// Rewrite the flag this often while the window lasts (files that expire, like WordPress's).
    public var rearmMilliseconds: Int64?

    public init(path: String, page: String? = nil, content: Template? = nil, rearmMilliseconds: Int64? = nil) {
        self.path = path
        self.page = page
        self.content = content
        self.rearmMilliseconds = rearmMilliseconds
    }

    public static func read(_ target: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> FileDriver? {
        guard let (object, path) = reader.section(target, "file", path, allowed: ["path", "page", "content", "rearm"],
                                                  example: "the file driver needs at least file: { path: \"…\" }") else { return nil }
        let flag = reader.string(object, "path", path, required: true)
        let page = reader.string(object, "page", path)
        for (key, file) in [("path", flag), ("page", page)] {
            if let file, !file.hasPrefix("/") { reader.fail(path.appending(key), "write an absolute path") }
        }
        var content: Template?
        if let text = reader.string(object, "content", path) {
            content = reader.template(text, path.appending("content"), placeholders: Template.placeholders.union(["now.unix"]))
        }
        let rearm = reader.duration(object, "rearm", path)
        guard let flag, flag.hasPrefix("/") else { return nil }
        return FileDriver(path: flag, page: page, content: content, rearmMilliseconds: rearm)
    }

    public var secretNames: [String] { content?.secretNames ?? [] }

    public func retries(activate: Bool) -> Int { 3 }

    public func switchWork(activate: Bool, _ context: DriverContext) throws(DriverError) -> DriverWork {
        guard activate else { return .files(.remove([path] + (page.map { [$0] } ?? []))) }
        var values = context.values
        values["now.unix"] = String(Int(context.now.timeIntervalSince1970))
        let flag: String
        do {
            flag = try content?.render(TemplateContext(values: values, secrets: context.secrets)) ?? ""
        } catch {
            throw DriverError(error.description)
        }
        var writes: [FileWrite] = []
        if let page {
            let html = MaintenancePage(headline: context.headline, message: context.values["message"] ?? context.message, page: context.page,
                                       backAt: context.end == nil ? nil : context.values["end.local"])
            writes.append(FileWrite(path: page, content: .page(html)))
        }
        writes.append(FileWrite(path: path, content: .text(flag)))
        return .files(.write(writes))
    }

    public func outcome(activate: Bool, _ result: DriverResult) -> SwitchOutcome {
        switch result {
        case .written: return .success(activate ? "flag \(path) written" : "flag \(path) removed")
        case .failed(let reason): return .failure(reason)
        case .response, .exited, .exists, .answers, .skipped: return .failure("not a file result")
        }
    }

    /// The page shows the text and the end; a flag's content may use them too.
    public func refreshes(on change: WindowChange) -> Bool { page != nil || content != nil }

    public func look(openEnded: Bool, probeInterval: Int64) -> Look? {
        if let rearmMilliseconds { return .rearm(after: rearmMilliseconds) }
        return .probe(after: probeInterval)
    }

    public var readsState: Bool { true }

    public func probeWork(_ context: DriverContext) throws(DriverError) -> DriverWork { .files(.exists(path)) }

    public func probeOutcome(_ result: DriverResult) -> ProbeReading {
        switch result {
        case .exists(let on): return ProbeReading(on, on ? "flag present" : "flag absent")
        case .failed(let reason), .skipped(let reason): return ProbeReading(nil, reason)
        case .response, .exited, .written, .answers: return ProbeReading(nil, "not a file result")
        }
    }
}
