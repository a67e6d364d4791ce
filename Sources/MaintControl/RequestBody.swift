import Foundation
import MaintCore

/// A request's JSON body read field by field. Every problem is kept with its field path, so that
/// one answer lists them all (SPEC's `fields`), worded as the schedule files' errors are.
public struct RequestBody {
    public struct Problem: Error, Sendable {
        public var fields: [(path: String, message: String)]
    }

    let object: [String: JSONValue]
    private(set) var problems: [(path: String, message: String)] = []

    /// An empty body reads as `{}`; anything but an object, or a field not in `allowed`, is a problem.
    public init(_ data: Data, allowed: Set<String>) {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            object = [:]
            return
        }
        guard let value = try? JSONValue.parseJSON(data) else {
            object = [:]
            problems.append(("(body)", "not valid JSON"))
            return
        }
        guard case .object(let fields) = value else {
            object = [:]
            problems.append(("(body)", "expected a JSON object, got \(value.kindName)"))
            return
        }
        object = fields
        for key in fields.keys.sorted() where !allowed.contains(key) {
            problems.append((key, "unknown field; expected one of: \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    public mutating func fail(_ path: String, _ message: String) { problems.append((path, message)) }

    public func has(_ key: String) -> Bool { object[key] != nil && object[key] != .null }

    public mutating func string(_ key: String, required: Bool = false) -> String? {
        switch object[key] {
        case .string(let text)?: return text
        case nil, .null?:
            if required { fail(key, "required") }
            return nil
        case let other?:
            fail(key, "expected a string, got \(other.kindName)")
            return nil
        }
    }

    /// A string or a list of strings.
    public mutating func strings(_ key: String, required: Bool = false) -> [String]? {
        switch object[key] {
        case .string(let text)?: return [text]
        case .array(let items)?:
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    fail("\(key)[\(index)]", "expected a string, got \(item.kindName)")
                    continue
                }
                texts.append(text)
            }
            if required && items.isEmpty { fail(key, "name at least one") }
            return texts
        case nil, .null?:
            if required { fail(key, "required") }
            return nil
        case let other?:
            fail(key, "expected a list of strings, got \(other.kindName)")
            return nil
        }
    }

    public mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case .bool(let value)?: return value
        case nil, .null?: return nil
        case let other?:
            fail(key, "expected true or false, got \(other.kindName)")
            return nil
        }
    }

    /// The maintenance page's fields, as a schedule file's `page` has them.
    public mutating func page(_ key: String) -> PageFields {
        guard let value = object[key], value != .null else { return PageFields() }
        guard case .object(let fields) = value else {
            fail(key, "expected an object with \(PageFields.keys.sorted().joined(separator: ", ")), got \(value.kindName)")
            return PageFields()
        }
        var page = PageFields()
        for name in fields.keys.sorted() {
            guard PageFields.keys.contains(name) else {
                fail("\(key).\(name)", "unknown field; expected one of: \(PageFields.keys.sorted().joined(separator: ", "))")
                continue
            }
            guard case .string(let text)? = fields[name] else {
                fail("\(key).\(name)", "expected a string, got \(fields[name]?.kindName ?? "nothing")")
                continue
            }
            if (name == "bypassUrl" || name == "imageUrl") && !PageFields.isLink(text) {
                fail("\(key).\(name)", "not an http or https URL")
                continue
            }
            switch name {
            case "bypassUrl": page.bypassUrl = text
            case "buttonText": page.buttonText = text
            case "imageUrl": page.imageUrl = text
            default: page.icon = text
            }
        }
        return page
    }

    /// A time as `maint add --at` takes it, local times in `zone`.
    public mutating func time(_ key: String, zone: TimeZone, now: Date, required: Bool = false) -> Date? {
        guard let text = string(key, required: required) else { return nil }
        guard let date = TimeText.parse(text, zone: zone, now: now) else {
            fail(key, "\(Quoted(text)) is not a time; \(TimeText.forms)")
            return nil
        }
        return date
    }

    /// A positive duration such as `90s`, `45m`, `2h30m`, in milliseconds.
    public mutating func duration(_ key: String) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let milliseconds = DurationText.parse(text), milliseconds > 0 else {
            fail(key, "\(Quoted(text)) is not a duration such as 90s, 45m or 2h30m")
            return nil
        }
        return milliseconds
    }

    /// Throws every problem found, if any.
    public func check() throws(Problem) {
        if !problems.isEmpty { throw Problem(fields: problems) }
    }
}
