import Foundation
import Synchronization

/// Checks the values of one schedule document at a time and builds the model, collecting every
/// problem with its position instead of stopping at the first.
public struct ScheduleReader: Sendable {
    var now: Date
    var document: ScheduleLoader.Document?
    var issues: [ScheduleIssue] = []
    /// What reads well but will not happen as written (a notice already due, a start already
    /// past): `maint validate` prints them as warnings, the daemon logs them.
    var warnings: [ScheduleIssue] = []
    /// Every `{{secret:NAME}}` the documents use, so that any text that leaves a request can be
    /// cleared of all of them (a platform may echo a token it was sent in another request).
    var secretNames: Set<String> = []
    /// Targets and channels defined but with errors of their own: a window that names one is not
    /// told again that no such thing exists (the first error says what is wrong).
    var unreadableTargets: Set<String> = []
    var unreadableChannels: Set<String> = []
    /// The zones named so far: most files name a few zones many times.
    var zones: [String: TimeZone] = [:]
    /// The last few request bodies read: targets of one profile or pattern send the same body,
    /// and one body shared is laid out once for all of them (`JSONBodyTemplate`).
    var recentBodies: [JSONBodyTemplate] = []

    init(now: Date) { self.now = now }

    static func isValidName(_ name: String) -> Bool {
        // ASCII only, so bytes are characters (and no grapheme breaking for 100,000 names).
        !name.isEmpty && name.utf8.count <= 100 && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }

    // MARK: Reporting

    /// `offset` points inside a string value: characters after its opening quote.
    mutating func fail(_ path: FieldPath, _ message: String, key: Bool = false, offset: Int? = nil) {
        guard let document else { return }
        var position = document.position(of: path, preferKey: key)
        if let offset { position.column += offset + 1 }
        issues.append(ScheduleIssue(file: document.file, line: position.line, column: position.column, path: path.description, message: message))
    }

    mutating func warn(_ path: FieldPath, _ message: String) {
        guard let document else { return }
        let position = document.position(of: path, preferKey: false)
        warnings.append(ScheduleIssue(file: document.file, line: position.line, column: position.column, path: path.description, message: message))
    }

    mutating func checkKeys(_ object: [String: JSONValue], at path: FieldPath, allowed: Set<String>) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            let hint = Suggestion.closest(to: key, among: allowed.sorted(), limit: 2).map { " (did you mean \"\($0)\"?)" } ?? ""
            fail(path.appending(key), "unknown field\(hint); expected one of: \(allowed.sorted().joined(separator: ", "))", key: true)
        }
    }

    // MARK: Values

    mutating func object(_ value: JSONValue, _ path: FieldPath, allowed: Set<String>) -> [String: JSONValue]? {
        guard case .object(let object) = value else {
            fail(path, "expected an object, got \(value.kindName)")
            return nil
        }
        checkKeys(object, at: path, allowed: allowed)
        return object
    }

    /// The kind a word of the file names (`driver: "http"`, `type: "email"`), among kinds that each
    /// read their own keys; a key of another kind is reported as that kind's, not as unknown.
    mutating func kind<Kind>(_ object: [String: JSONValue], _ field: String, _ path: FieldPath, among kinds: [Kind],
                             name: (Kind) -> String, keys: (Kind) -> Set<String>, noun: String) -> Kind? {
        guard let word = string(object, field, path, required: true) else { return nil }
        guard let chosen = kinds.first(where: { name($0) == word }) else {
            fail(path.appending(field), "unknown \(noun) \(Quoted(word)); available: \(kinds.map(name).joined(separator: ", "))")
            return nil
        }
        for key in object.keys.sorted() where !keys(chosen).contains(key) {
            let owners = kinds.filter { keys($0).contains(key) }.map(name)
            if !owners.isEmpty { fail(path.appending(key), "\(Quoted(key)) is for the \(owners.joined(separator: " and ")) \(noun), not \(word)", key: true) }
        }
        return chosen
    }

    /// The object under `key` (`file: { … }`), which must be there: `example` shows what it looks like.
    mutating func section(_ object: [String: JSONValue], _ key: String, _ path: FieldPath, allowed: Set<String>,
                          example: String) -> (fields: [String: JSONValue], path: FieldPath)? {
        guard let value = object[key] else {
            fail(path, "the field \(Quoted(key)) is missing (\(example))")
            return nil
        }
        return self.object(value, path.appending(key), allowed: allowed).map { ($0, path.appending(key)) }
    }

    mutating func string(_ object: [String: JSONValue], _ key: String, _ path: FieldPath, required: Bool = false) -> String? {
        guard let value = object[key] else {
            if required { fail(path, "the field \(Quoted(key)) is missing") }
            return nil
        }
        guard case .string(let text) = value else {
            fail(path.appending(key), "expected a string, got \(value.kindName)")
            return nil
        }
        if required && text.trimmingWhitespace().isEmpty {
            fail(path.appending(key), "must not be empty")
            return nil
        }
        return text
    }

    mutating func strings(_ object: [String: JSONValue], _ key: String, _ path: FieldPath) -> [String]? {
        guard let value = object[key] else { return nil }
        guard case .array(let values) = value else {
            fail(path.appending(key), "expected a list of strings, got \(value.kindName)")
            return nil
        }
        var result: [String] = []
        for (index, element) in values.enumerated() {
            guard case .string(let text) = element else {
                fail(path.appending(key).appending(index), "expected a string, got \(element.kindName)")
                continue
            }
            result.append(text)
        }
        return result
    }

    mutating func duration(_ object: [String: JSONValue], _ key: String, _ path: FieldPath) -> Int64? {
        guard let text = string(object, key, path) else { return nil }
        guard let milliseconds = DurationText.parse(text), milliseconds > 0 else {
            fail(path.appending(key), "\(Quoted(text)) is not a duration such as 90s, 45m, 2h30m or 7d")
            return nil
        }
        return milliseconds
    }

    /// One of a closed set of words (`mode: "drain"`), or its default when absent; anything else
    /// is an error that lists the choices.
    mutating func choice<Choice: RawRepresentable<String> & CaseIterable>(_ object: [String: JSONValue], _ key: String, _ path: FieldPath,
                                                                          default fallback: Choice) -> Choice {
        guard let text = string(object, key, path) else { return fallback }
        guard let value = Choice(rawValue: text) else {
            fail(path.appending(key), "\(Quoted(text)) is not one of: \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
            return fallback
        }
        return value
    }

    mutating func integer(_ object: [String: JSONValue], _ key: String, _ path: FieldPath, range: ClosedRange<Int>) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .number(let number) = value, number == number.rounded(), range.contains(Int(exactly: number) ?? Int.min) else {
            fail(path.appending(key), "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(number)
    }

    mutating func timezone(_ object: [String: JSONValue], _ key: String, _ path: FieldPath) -> TimeZone? {
        guard let name = string(object, key, path) else { return Self.utc }
        if let zone = zones[name] { return zone }
        if name == "target" {
            fail(path.appending(key), "\"target\" (each target's own time) applies to windows only; name an IANA zone such as Europe/Paris")
            return nil
        }
        guard name.utf8.contains(UInt8(ascii: "/")) || name == "UTC", let zone = TimeZone(identifier: name) else {
            fail(path.appending(key), "\(Quoted(name)) is not an IANA time zone such as Europe/Paris or UTC")
            return nil
        }
        zones[name] = zone
        return zone
    }

    static let utc = TimeZone(identifier: "UTC")

    /// Every template of the files is read here, so that the secrets it names are remembered.
    mutating func parse(_ text: String, placeholders: Set<String>) throws(Template.ParseError) -> Template {
        let template = try Template(parsing: text, placeholders: placeholders)
        secretNames.formUnion(template.secretNames)
        return template
    }

    mutating func template(_ text: String, _ path: FieldPath, allowSecrets: Bool = true) -> Template? {
        guard let template = template(text, path, placeholders: Template.placeholders) else { return nil }
        if !allowSecrets, let secret = template.secretNames.first {
            fail(path, "{{secret:\(secret)}} cannot be used here: this text is shown to people and stored")
            return nil
        }
        return template
    }

    /// A URL template: a constant start must be an absolute http or https URL.
    mutating func urlTemplate(_ object: [String: JSONValue], _ key: String, _ path: FieldPath, required: Bool) -> Template? {
        guard let text = string(object, key, path, required: required) else { return nil }
        guard let template = template(text, path.appending(key)) else { return nil }
        if case .text(let prefix)? = template.parts.first {
            let candidate = template.parts.count == 1 ? prefix : prefix + "x"
            guard let url = URL(string: candidate), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty else {
                fail(path.appending(key), "not an absolute http or https URL")
                return nil
            }
        }
        return template
    }

    mutating func headers(_ object: [String: JSONValue], _ path: FieldPath) -> [HTTPAction.Header] {
        guard let value = object["headers"] else { return [] }
        guard case .object(let entries) = value else {
            fail(path.appending("headers"), "expected an object of header names and values, got \(value.kindName)")
            return []
        }
        var headers: [HTTPAction.Header] = []
        for (name, element) in entries.sorted(by: { $0.key < $1.key }) {
            let headerPath = path.appending("headers").appending(name)
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                fail(headerPath, "not a valid HTTP header name", key: true)
                continue
            }
            guard case .string(let text) = element else {
                fail(headerPath, "expected a string, got \(element.kindName)")
                continue
            }
            if text.contains("\n") || text.contains("\r") {
                fail(headerPath, "a header value cannot contain a line break")
                continue
            }
            if let template = template(text, headerPath) { headers.append(.init(name: name, value: template)) }
        }
        return headers
    }

    mutating func checkTemplates(in value: JSONValue, _ path: FieldPath) {
        switch value {
        case .string(let text): _ = template(text, path)
        case .array(let values): for (index, element) in values.enumerated() { checkTemplates(in: element, path.appending(index)) }
        case .object(let values): for (key, element) in values { checkTemplates(in: element, path.appending(key)) }
        default: break
        }
    }

    /// A body the same as one of the last few read is that one.
    mutating func jsonBody(_ value: JSONValue) -> JSONBodyTemplate {
        if let same = recentBodies.first(where: { $0.value == value }) { return same }
        let body = JSONBodyTemplate(value)
        recentBodies.insert(body, at: 0)
        if recentBodies.count > 4 { recentBodies.removeLast() }
        return body
    }

    mutating func action(_ value: JSONValue?, _ path: FieldPath, required: Bool) -> HTTPAction? {
        guard let value else {
            if required { fail(path.parent ?? path, "the field \"\(path.components.last.map { if case .key(let k) = $0 { return k } else { return "" } } ?? "")\" is missing") }
            return nil
        }
        guard let object = object(value, path, allowed: ["method", "url", "headers", "json", "body", "expect", "timeout", "retries", "basicAuth"]) else { return nil }
        var method = (string(object, "method", path) ?? "POST").uppercased()
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) {
            fail(path.appending("method"), "\(Quoted(method)) is not one of GET, POST, PUT, PATCH, DELETE")
            method = "POST"
        }
        let url = urlTemplate(object, "url", path, required: true)
        let headers = headers(object, path)
        var body: HTTPAction.Body?
        if let json = object["json"] {
            if object["body"] != nil { fail(path.appending("body"), "give either json or body, not both", key: true) }
            checkTemplates(in: json, path.appending("json"))
            body = .json(jsonBody(json))
        } else if let text = string(object, "body", path) {
            body = template(text, path.appending("body")).map { .raw($0) }
        }
        var expect: [Int] = []
        if let value = object["expect"] {
            let list: [JSONValue]
            if case .array(let values) = value { list = values } else { list = [value] }
            for (index, element) in list.enumerated() {
                let elementPath = list.count == 1 && !(value.isArray) ? path.appending("expect") : path.appending("expect").appending(index)
                guard case .number(let number) = element, let code = Int(exactly: number), (100...599).contains(code) else {
                    fail(elementPath, "expected an HTTP status code from 100 to 599")
                    continue
                }
                expect.append(code)
            }
        }
        let timeout = duration(object, "timeout", path) ?? 10_000
        let retries = integer(object, "retries", path, range: 0...100) ?? 5
        var basicAuth: HTTPAction.BasicAuth?
        if let value = object["basicAuth"], let fields = self.object(value, path.appending("basicAuth"), allowed: ["user", "password"]) {
            let authPath = path.appending("basicAuth")
            let user = string(fields, "user", authPath).flatMap { template($0, authPath.appending("user")) }
            let password = string(fields, "password", authPath).flatMap { template($0, authPath.appending("password")) }
            if fields["user"] == nil || fields["password"] == nil { fail(authPath, "basic authentication needs user and password") }
            if let user, let password { basicAuth = HTTPAction.BasicAuth(user: user, password: password) }
        }
        guard let url else { return nil }
        return HTTPAction(method: method, url: url, headers: headers, body: body, expect: expect,
                          timeoutMilliseconds: timeout, retries: retries, basicAuth: basicAuth)
    }

    // MARK: Sections

    /// Every key a target may have (a profile too: it is part of a target).
    static let targetKeys = DriverRegistry.allKeys.union([
        "timezone", "tags", "offPeak", "driver", "probeInterval", "health", "healthTimeout", "displayName",
    ])

    /// A profile: an object of target keys (checked here, so that a mistake is found at its
    /// place in the profile, not in every target that uses it).
    mutating func profile(_ name: String, _ value: JSONValue) -> JSONValue? {
        let path = FieldPath().appending("profiles").appending(name)
        guard let object = object(value, path, allowed: Self.targetKeys.union(["vars"])) else { return nil }
        if let vars = object["vars"] {
            guard case .object(let entries) = vars else {
                fail(path.appending("vars"), "expected an object of default vars by name, got \(vars.kindName)")
                return nil
            }
            for (key, entry) in entries where entry.stringValue == nil {
                fail(path.appending("vars").appending(key), "a var is a string, got \(entry.kindName)")
            }
        }
        return .object(object)
    }

    /// A target with `profile` and `vars` as written out in full: the profile's keys, the
    /// target's own over them, and each `{{vars.NAME}}` in a string replaced by its var (a var
    /// may hold `{{secret:…}}`). An unknown profile or var is an error at its place.
    mutating func expandProfile(_ name: String, _ value: JSONValue, profiles: [String: JSONValue]) -> JSONValue {
        guard case .object(var own) = value, own["profile"] != nil || own["vars"] != nil else { return value }
        let path = FieldPath().appending("targets").appending(name)
        var vars: [String: String] = [:]
        if let written = own.removeValue(forKey: "vars") {
            if case .object(let entries) = written {
                for (key, entry) in entries {
                    if case .string(let text) = entry { vars[key] = text } else { fail(path.appending("vars").appending(key), "a var is a string, got \(entry.kindName)") }
                }
            } else {
                fail(path.appending("vars"), "expected an object of vars by name, got \(written.kindName)")
            }
        }
        var merged: [String: JSONValue] = [:]
        var profileName: String?
        if let written = own.removeValue(forKey: "profile") {
            if case .string(let chosen) = written, let profile = profiles[chosen], case .object(let keys) = profile {
                merged = keys
                profileName = chosen
            } else if case .string(let chosen) = written {
                fail(path.appending("profile"), "no profile is named \(Quoted(chosen))" + Suggestion.clause(for: chosen, among: profiles.keys.sorted()))
            } else {
                fail(path.appending("profile"), "expected a profile's name, got \(written.kindName)")
            }
        }
        for (key, entry) in own { merged[key] = entry }
        // A profile's own vars are defaults: the target's are taken over them.
        var defaults: [String: String] = [:]
        if case .object(let entries)? = merged.removeValue(forKey: "vars") {
            for (key, entry) in entries { defaults[key] = entry.stringValue }
        }
        let given = vars
        vars.merge(defaults) { own, _ in own }
        // One pass fills the vars and finds every one the target uses; the missing ones are named
        // with all of them at once, as `maint validate` should when one is left out.
        var used = Set<String>()
        let filled = Self.fillVars(.object(merged), vars, used: &used)
        let missing = used.subtracting(vars.keys)
        let owner = profileName.map { "profile \($0)" } ?? "the target"
        if !missing.isEmpty {
            let typos = missing.sorted().compactMap { name in
                Suggestion.closest(to: name, among: given.keys.filter { !used.contains($0) }.sorted()).map { "\(Quoted($0)) for \(Quoted(name))?" }
            }
            let listed = used.sorted().map { name in defaults[name].map { "\(name) (default \(Quoted($0)))" } ?? name }
            fail(path.appending("vars"), "\(owner) takes the vars \(listed.joined(separator: ", ")); missing: \(missing.sorted().joined(separator: ", "))"
                 + (typos.isEmpty ? "" : " (did you mean \(typos.joined(separator: ", ")))"))
        }
        for variable in given.keys.sorted() where !used.contains(variable) {
            fail(path.appending("vars").appending(variable), "\(owner) has no var \(Quoted(variable))"
                 + (used.isEmpty ? "" : "; its vars: \(used.sorted().joined(separator: ", "))"), key: true)
        }
        return filled
    }

    /// The names of every `{{vars.NAME}}` in a value.
    static func varNames(in value: JSONValue) -> Set<String> {
        var names = Set<String>()
        _ = fillVars(value, [:], used: &names)
        return names
    }

    /// Each `{{vars.NAME}}` of every string replaced by its var (left out when there is none);
    /// every name met is collected in `used`.
    static func fillVars(_ value: JSONValue, _ vars: [String: String], used: inout Set<String>) -> JSONValue {
        switch value {
        case .string(let text):
            guard text.contains("{{vars.") else { return value }
            var result = ""
            var rest = Substring(text)
            while let open = rest.range(of: "{{vars.") {
                result += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "}}") else {
                    result += rest[open.lowerBound...]
                    rest = ""
                    break
                }
                let name = String(rest[open.upperBound..<close.lowerBound])
                used.insert(name)
                if let filled = vars[name] { result += filled }
                rest = rest[close.upperBound...]
            }
            return .string(result + rest)
        case .array(let items):
            return .array(items.map { fillVars($0, vars, used: &used) })
        case .object(let entries):
            return .object(entries.mapValues { fillVars($0, vars, used: &used) })
        case .null, .bool, .number:
            return value
        }
    }

    mutating func target(_ name: String, _ value: JSONValue) -> TargetConfig? {
        let path = FieldPath().appending("targets").appending(name)
        guard let document, let object = object(value, path, allowed: Self.targetKeys) else { return nil }
        let displayName = string(object, "displayName", path)
        if let displayName, displayName.isEmpty || displayName.count > 200 || displayName.contains(where: \.isNewline) {
            fail(path.appending("displayName"), "a display name is one line of 1 to 200 characters")
        }
        let zone = timezone(object, "timezone", path)
        let tags = strings(object, "tags", path) ?? []
        for (index, tag) in tags.enumerated() where !Self.isValidName(tag) {
            fail(path.appending("tags").appending(index), "a tag is letters, digits, '-', '_' or '.'")
        }
        var offPeak: [OffPeakRule] = []
        for (index, text) in (strings(object, "offPeak", path) ?? []).enumerated() {
            guard let rule = OffPeakRule(parsing: text) else {
                fail(path.appending("offPeak").appending(index), "\(Quoted(text)) is not an off-peak rule such as \"Mon-Fri 01:00-06:00\" or \"Sat,Sun 22:00-07:00\"")
                continue
            }
            offPeak.append(rule)
        }
        let driver = kind(object, "driver", path, among: DriverRegistry.kinds, name: { $0.name }, keys: { $0.keys }, noun: "driver")
            .flatMap { $0.read(object, at: path, reader: &self) }
        let probeInterval = duration(object, "probeInterval", path) ?? 60_000
        var checks: [HealthCheck] = []
        if let value = object["health"] {
            if case .array(let list) = value {
                for (index, element) in list.enumerated() {
                    if let check = healthCheck(element, path.appending("health").appending(index), index: index) { checks.append(check) }
                }
            } else {
                fail(path.appending("health"), "expected a list of checks, got \(value.kindName)")
            }
            let names = checks.map(\.name)
            if Set(names).count != names.count { fail(path.appending("health"), "two checks have the same name") }
        }
        let healthTimeout = duration(object, "healthTimeout", path) ?? 300_000
        guard let zone, let driver else { return nil }
        return TargetConfig(name: name, displayName: displayName, file: document.file, timezone: zone, tags: tags, offPeak: offPeak, driver: driver,
                            probeIntervalMilliseconds: probeInterval, health: checks,
                            healthTimeoutMilliseconds: healthTimeout)
    }

    mutating func healthCheck(_ value: JSONValue, _ path: FieldPath, index: Int) -> HealthCheck? {
        guard let object = object(value, path, allowed: ["name", "url", "headers", "expect", "timeout", "interval", "caFile"]) else { return nil }
        let name = string(object, "name", path) ?? "check\(index + 1)"
        let url = urlTemplate(object, "url", path, required: true)
        let headers = headers(object, path)
        var condition: Condition?
        if let text = string(object, "expect", path) {
            do { condition = try Condition(parsing: text) } catch { fail(path.appending("expect"), error.message, offset: error.offset) }
        } else {
            condition = try? Condition(parsing: "[STATUS] == 200")
        }
        let timeout = duration(object, "timeout", path) ?? 10_000
        let interval = duration(object, "interval", path)
        let caFile = string(object, "caFile", path)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { fail(path.appending("caFile"), "cannot read \(caFile)") }
        guard let url, let condition else { return nil }
        return HealthCheck(name: name, url: url, headers: headers, condition: condition, timeoutMilliseconds: timeout,
                           intervalMilliseconds: interval, caFile: caFile)
    }

    mutating func template(_ text: String, _ path: FieldPath, placeholders: Set<String>) -> Template? {
        do {
            return try parse(text, placeholders: placeholders)
        } catch {
            fail(path, error.message, offset: error.offset)
            return nil
        }
    }

    mutating func channel(_ name: String, _ value: JSONValue) -> ChannelConfig? {
        let path = FieldPath().appending("channels").appending(name)
        guard let document, let object = object(value, path, allowed: ChannelRegistry.allKeys.union([
            "type", "events", "timezone", "attempts", "templates",
        ])) else { return nil }
        let kind = kind(object, "type", path, among: ChannelRegistry.kinds, name: { $0.type }, keys: { $0.keys }, noun: "channel type")
            .flatMap { $0.read(object, at: path, reader: &self) }
        var events = Set<AnnouncementEvent>()
        let known = AnnouncementEvent.allCases.map(\.rawValue)
        let acted = kind.map { type(of: $0).events } ?? Set(AnnouncementEvent.allCases)
        for (index, name) in (strings(object, "events", path) ?? ["*"]).enumerated() {
            if name == "*" {
                events.formUnion(acted)
            } else if let event = AnnouncementEvent(rawValue: name) {
                if let kind, !acted.contains(event) {
                    fail(path.appending("events").appending(index), "a \(type(of: kind).type) channel is not told of \(Quoted(name)); it acts on: \(AnnouncementEvent.allCases.filter(acted.contains).map(\.rawValue).joined(separator: ", "))")
                }
                events.insert(event)
            } else {
                fail(path.appending("events").appending(index), "unknown event \(Quoted(name)); known: \(known.joined(separator: ", ")), *")
            }
        }
        var templates: [AnnouncementEvent: ChannelConfig.Wording] = [:]
        var allEvents: ChannelConfig.Wording?
        if let value = object["templates"], let byEvent = self.object(value, path.appending("templates"), allowed: Set(known + ["*"])) {
            for (event, wording) in byEvent.sorted(by: { $0.key < $1.key }) {
                let eventPath = path.appending("templates").appending(event)
                guard let fields = self.object(wording, eventPath, allowed: ["subject", "body"]) else { continue }
                var result = ChannelConfig.Wording()
                for key in ["subject", "body"] {
                    guard let text = string(fields, key, eventPath) else { continue }
                    let parsed = template(text, eventPath.appending(key), placeholders: Template.announcementPlaceholders)
                    if let parsed, !parsed.secretNames.isEmpty { fail(eventPath.appending(key), "secrets cannot be used in an announcement") }
                    if key == "subject" { result.subject = parsed } else { result.body = parsed }
                }
                if let named = AnnouncementEvent(rawValue: event) { templates[named] = result } else { allEvents = result }
            }
        }
        let zone = timezone(object, "timezone", path)
        let attempts = integer(object, "attempts", path, range: 1...1000) ?? 12
        guard let kind, let zone else { return nil }
        return ChannelConfig(name: name, file: document.file, kind: kind, events: events, timezone: zone, attempts: attempts, templates: templates, allEvents: allEvents)
    }

    /// Many windows of the current document read at once, a share on each core, each share by a
    /// reader of its own whose issues, warnings and secrets are then gathered into this one: a
    /// window is read from its own value and the schedule's targets and channels alone.
    mutating func readWindows(_ entries: [(String, JSONValue)], into schedule: inout Schedule, inParallel: Bool) {
        // What the shares read, gone before the windows are added (else the table is copied).
        var shares = inShares(entries, perShare: Self.windowsPerShare, inParallel: inParallel) { [schedule] reader, entry in
            reader.window(entry.0, entry.1, schedule: schedule).map { (entry.0, $0) }
        }
        // Sized once: grown one doubling at a time, the table of 100,000 windows was moved to a
        // new one, and its pages touched anew, seventeen times, on one core.
        schedule.windows.reserveCapacity(schedule.windows.count + shares.reduce(0) { $0 + $1.count })
        // Each window moved out of its share, not copied: a copy retained each of its fields
        // and the share's end released them, 100,000 times over on one core, twice when the
        // shares were first joined into one list.
        while var share = shares.popLast() {
            while let (name, window) = share.popLast() { schedule.windows[name] = window }
        }
    }

    /// Fewer windows than this are read on one core: a share costs a reader's copy.
    static let windowsPerShare = 1_000

    /// Fewer targets than this are read on one core: a target costs a few times a window.
    static let targetsPerShare = 250

    /// A file's targets, each as if written out in full (its profile's keys, its own over them,
    /// every `{{vars.X}}` filled) and read, a share per core, in file order; `target` is nil
    /// where the definition does not read.
    mutating func readTargets(_ entries: [(String, JSONValue)], profiles: [String: JSONValue], inParallel: Bool)
        -> [(name: String, value: JSONValue, target: TargetConfig?)] {
        inShares(entries, perShare: Self.targetsPerShare, inParallel: inParallel) { reader, entry in
            let value = reader.expandProfile(entry.0, entry.1, profiles: profiles)
            return (entry.0, value, reader.target(entry.0, value))
        }.flatMap { $0 }
    }

    /// `read` of each item, a share per core (`Parallel.inShares`), each share by a reader of its
    /// own whose issues, warnings and secrets are then gathered into this one: a definition is
    /// read from its own value and what the schedule already holds alone. What was read, share
    /// by share, in the items' order.
    mutating func inShares<Item: Sendable, Read: Sendable>(_ items: [Item], perShare: Int, inParallel: Bool,
                                                         _ read: @escaping @Sendable (inout ScheduleReader, Item) -> Read?) -> [[Read]] {
        let results = Parallel.inShares(items, perShare: perShare, inParallel: inParallel) { [self] share in
            var reader = self
            reader.issues = []
            reader.warnings = []
            reader.secretNames = []
            let reads = share.compactMap { read(&reader, $0) }
            return (reader: reader, reads: reads)
        }
        for result in results {
            issues += result.reader.issues
            warnings += result.reader.warnings
            secretNames.formUnion(result.reader.secretNames)
        }
        return results.map(\.reads)
    }

    /// A window's keys: made once, not for each of 100,000 windows.
    static let windowKeys: Set<String> = [
        "headline", "message", "targets", "start", "end", "duration", "timezone", "notices", "channels",
        "page", "healthTimeout", "recurrence", "order", "onHealthFailure", "onFailure", "force", "maxParallel",
    ]

    mutating func window(_ name: String, _ value: JSONValue, schedule: Schedule) -> WindowConfig? {
        let path = FieldPath().appending("windows").appending(name)
        guard let document, let object = object(value, path, allowed: Self.windowKeys) else { return nil }
        var recurrence: RecurrenceRule?
        if let text = string(object, "recurrence", path) {
            do {
                recurrence = try RecurrenceRule(parsing: text)
            } catch {
                fail(path.appending("recurrence"), error.message, offset: error.offset)
            }
        }
        let onHealthFailure = choice(object, "onHealthFailure", path, default: HealthFailure.alert)
        let onFailure = choice(object, "onFailure", path, default: StageFailure.halt)
        let maxParallel = integer(object, "maxParallel", path, range: 1...10_000)
        let headline = string(object, "headline", path) ?? "Scheduled maintenance"
        let message = string(object, "message", path) ?? "This site is undergoing scheduled maintenance."
        _ = template(headline, path.appending("headline"), allowSecrets: false)
        _ = template(message, path.appending("message"), allowSecrets: false)

        var targets: [String] = []
        let selectors = strings(object, "targets", path)
        if let selectors {
            if selectors.isEmpty { fail(path.appending("targets"), "a window needs at least one target") }
            for (index, selector) in selectors.enumerated() {
                let resolved = schedule.resolve([selector])
                if !resolved.unknown.isEmpty && !unreadableTargets.contains(selector) {
                    fail(path.appending("targets").appending(index), schedule.unknownSelector(selector))
                }
                targets += resolved.targets.filter { !targets.contains($0) }
            }
        } else if object["targets"] == nil {
            fail(path, "the field \"targets\" is missing")
        }

        var zone: WindowConfig.Zone?
        if object["timezone"]?.stringValue == "target" {
            zone = .target
        } else if let fixed = timezone(object, "timezone", path) {
            zone = .fixed(fixed)
        }
        let perTarget: Bool
        if case .target? = zone { perTarget = true } else { perTarget = false }
        let readZone: TimeZone = {
            if case .fixed(let fixed)? = zone { return fixed }
            return TimeZone(identifier: "UTC") ?? .current
        }()
        var start: WindowConfig.Start?
        if let text = string(object, "start", path, required: true), zone != nil {
            let local = CivilDateTime(parsing: text.trimmingWhitespace())
            if recurrence != nil || perTarget {
                // Read in each zone the window uses, so only wall-clock forms make sense.
                if let local {
                    start = .local(local)
                } else if recurrence != nil, let seconds = Self.timeOfDay(text) {
                    start = .timeOfDay(seconds)
                } else {
                    fail(path.appending("start"), recurrence != nil
                         ? "\(Quoted(text)) is not a local start: write \"HH:MM\" (the rule picks the days) or \"YYYY-MM-DD HH:MM\""
                         : "\(Quoted(text)) is not a local start: with timezone \"target\" write \"YYYY-MM-DD HH:MM\"")
                }
            } else if text.hasPrefix("+"), let milliseconds = DurationText.parse(String(text.dropFirst())),
                      TimeText.checked(now.addingTimeInterval(Double(milliseconds) / 1000)) != nil {
                start = .relative(milliseconds)
            } else if let date = TimeText.parse(text, zone: readZone, now: now) {
                start = .instant(date)
            } else {
                fail(path.appending("start"), "\(Quoted(text)) is not a time: \(TimeText.forms) (local times in the window's time zone)")
            }
        }
        if let recurrence, case .timeOfDay? = start, let reason = Self.anchorDependence(recurrence) {
            fail(path.appending("start"), "this rule \(reason), so the start needs a date: \"YYYY-MM-DD HH:MM\"")
            start = nil
        }
        var end: WindowConfig.End?
        if object["end"] != nil && object["duration"] != nil {
            fail(path.appending("duration"), "give either end or duration, not both", key: true)
        } else if let milliseconds = duration(object, "duration", path) {
            end = .duration(milliseconds)
        } else if object["end"] != nil && (recurrence != nil || perTarget) {
            fail(path.appending("end"), "a recurring or per-target window takes \"duration\", not \"end\"", key: true)
        } else if let text = string(object, "end", path), zone != nil {
            if let date = TimeText.parse(text, zone: readZone, now: now), !text.hasPrefix("+") {
                end = .instant(date)
                if case .instant(let startDate)? = start, date <= startDate {
                    fail(path.appending("end"), "the end is not after the start")
                    end = nil
                }
            } else {
                fail(path.appending("end"), "\(Quoted(text)) is not a time: write RFC 3339 or \"YYYY-MM-DD HH:MM\", in years 1 to 9999")
            }
        } else if object["end"] == nil && object["duration"] == nil {
            fail(path, "a planned window needs \"duration\" or \"end\"")
        }
        var notices: [Int64] = []
        var noticeIndexes: [Int64: Int] = [:]
        for (index, text) in (strings(object, "notices", path) ?? []).enumerated() {
            guard let milliseconds = DurationText.parse(text), milliseconds > 0 else {
                fail(path.appending("notices").appending(index), "\(Quoted(text)) is not a duration such as 7d, 24h or 1h")
                continue
            }
            if let earlier = noticeIndexes[milliseconds] {
                fail(path.appending("notices").appending(index),
                     "\(Quoted(text)) is the same offset as notices[\(earlier)]; each notice is sent once")
                continue
            }
            noticeIndexes[milliseconds] = index
            notices.append(milliseconds)
        }
        if case .duration(let length)? = end {
            let first: Date? = {
                switch start {
                case .instant(let date)?: return date
                case .relative(let offset)?: return now.addingTimeInterval(Double(offset) / 1000)
                default: return nil
                }
            }()
            if let first, TimeText.checked(first.addingTimeInterval(Double(length) / 1000)) == nil {
                fail(path.appending("duration"), "the window would end after the year 9999")
                end = nil
            }
        }
        let channels = strings(object, "channels", path) ?? []
        for (index, channel) in channels.enumerated() where schedule.channels[channel] == nil && !unreadableChannels.contains(channel) {
            fail(path.appending("channels").appending(index), "no channel is named \(Quoted(channel))" + Suggestion.clause(for: channel, among: schedule.channels.keys.sorted()))
        }
        var page = PageFields()
        if let value = object["page"], let fields = self.object(value, path.appending("page"), allowed: PageFields.keys) {
            let pagePath = path.appending("page")
            page = PageFields(bypassUrl: string(fields, "bypassUrl", pagePath), buttonText: string(fields, "buttonText", pagePath),
                              imageUrl: string(fields, "imageUrl", pagePath), icon: string(fields, "icon", pagePath))
            for (key, url) in [("bypassUrl", page.bypassUrl), ("imageUrl", page.imageUrl)] {
                if let url, !PageFields.isLink(url) {
                    fail(pagePath.appending(key), "not an http or https URL")
                }
            }
        }
        let healthTimeout = duration(object, "healthTimeout", path)
        let stages = order(object["order"], path.appending("order"), targets: targets, schedule: schedule)
        var force = false
        if let value = object["force"] {
            if case .bool(let flag) = value { force = flag } else { fail(path.appending("force"), "expected true or false") }
        }
        guard let selectors, !targets.isEmpty, let start, let end, let zone else { return nil }
        let config = WindowConfig(name: name, file: document.file, headline: headline, message: message, selectors: selectors,
                                  targets: targets, start: start, end: end, zone: zone, recurrence: recurrence,
                                  notices: notices.sorted(by: >), channels: channels, page: page, healthTimeoutMilliseconds: healthTimeout,
                                  force: force, stages: stages, onFailure: onFailure, maxParallel: maxParallel, onHealthFailure: onHealthFailure)
        warnAboutThePast(config, path, notices: notices)
        return config
    }

    /// A one-off window still to come (or under way) that will not happen as written: its start
    /// is past (unless a daemon stored it before then, it is recorded skipped), or a notice was
    /// due already (notices are never sent late). A window entirely past is history: nothing.
    /// `notices` in the file's order, so that each warning points at its own.
    mutating func warnAboutThePast(_ config: WindowConfig, _ path: FieldPath, notices: [Int64]) {
        guard config.recurrence == nil else { return }
        if case .target = config.zone { return }
        switch config.start {
        case .instant, .local: break
        case .relative, .timeOfDay: return
        }
        let (start, end) = config.instants(storedAt: now)
        guard end > now else { return }
        let zone = config.timezone
        if start <= now {
            warn(path.appending("start"), "the start \(TimeText.local(start, zone: zone)) is past: unless a daemon stored this window before then, it is recorded skipped (defined after its start) and switches nothing; for maintenance now, use `maint now`")
            return
        }
        for (index, offset) in notices.enumerated() {
            let due = start.addingTimeInterval(-Double(offset) / 1000)
            if due < now {
                warn(path.appending("notices").appending(index), "the \(DurationText.format(offset)) notice was due \(TimeText.local(due, zone: zone)): unless it was sent then, it will not be (notices are never sent late)")
            }
        }
    }

    /// `order`: "parallel" (one stage), "sequential" (a stage per target, in order), or a list of
    /// stages, each a list of targets or tags. Every target of the window is in exactly one stage.
    mutating func order(_ value: JSONValue?, _ path: FieldPath, targets: [String], schedule: Schedule) -> [String: Int] {
        switch value {
        case nil, .string("parallel")?:
            return [:]
        case .string("sequential")?:
            return Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1, $0) })
        case .array(let list)?:
            var stages: [String: Int] = [:]
            for (index, element) in list.enumerated() {
                let stagePath = path.appending(index)
                let selectors: [String]
                switch element {
                case .array(let items): selectors = items.compactMap(\.stringValue)
                case .string(let single): selectors = [single]
                default:
                    fail(stagePath, "a stage is a list of targets or tags")
                    continue
                }
                for (position, selector) in selectors.enumerated() {
                    let resolved = schedule.resolve([selector])
                    let itemPath = element.isArray ? stagePath.appending(position) : stagePath
                    if !resolved.unknown.isEmpty { fail(itemPath, "no target or tag \(Quoted(selector))"); continue }
                    for target in resolved.targets where targets.contains(target) {
                        if let earlier = stages[target], earlier != index {
                            fail(itemPath, "\(target) is already in stage \(earlier + 1)")
                        }
                        stages[target] = stages[target] ?? index
                    }
                    if !resolved.targets.contains(where: targets.contains) {
                        fail(itemPath, "\(Quoted(selector)) names no target of this window")
                    }
                }
            }
            for target in targets where stages[target] == nil {
                fail(path, "\(target) is in no stage; every target of the window needs one")
            }
            return stages
        case let other?:
            fail(path, "expected \"parallel\", \"sequential\" or a list of stages, got \(other.kindName)")
            return [:]
        }
    }

    mutating func freeze(_ name: String, _ value: JSONValue, schedule: Schedule) -> Freeze? {
        let path = FieldPath().appending("freezes").appending(name)
        guard let document, let object = object(value, path, allowed: ["start", "end", "timezone", "targets"]) else { return nil }
        let zone = timezone(object, "timezone", path)
        var start: Date?, end: Date?
        for (key, slot) in [("start", 0), ("end", 1)] {
            guard let text = string(object, key, path, required: true), let zone else { continue }
            guard let date = TimeText.parse(text, zone: zone, now: now), !text.hasPrefix("+") else {
                fail(path.appending(key), "\(Quoted(text)) is not a time: write RFC 3339 or \"YYYY-MM-DD HH:MM\", in years 1 to 9999")
                continue
            }
            if slot == 0 { start = date } else { end = date }
        }
        if let start, let end, end <= start {
            fail(path.appending("end"), "the end is not after the start")
            return nil
        }
        let selectors = strings(object, "targets", path) ?? []
        if object["targets"] == nil { fail(path, "the field \"targets\" is missing") }
        var targets: [String] = []
        for (index, selector) in selectors.enumerated() {
            let resolved = schedule.resolve([selector])
            if !resolved.unknown.isEmpty && !unreadableTargets.contains(selector) {
                fail(path.appending("targets").appending(index), schedule.unknownSelector(selector))
            }
            targets += resolved.targets.filter { !targets.contains($0) }
        }
        guard let zone, let start, let end, !targets.isEmpty else { return nil }
        return Freeze(name: name, file: document.file, start: start, end: end, timezone: zone, selectors: selectors, targets: targets)
    }

    /// One-off windows that overlap a freeze or another window on the same target, within the next
    /// 400 days (recurring windows skip their frozen occurrences instead; `force: true` allows both).
    /// Each problem is reported in the file of the window defined later.
    mutating func checkConflicts(_ schedule: Schedule, documents: [ScheduleLoader.Document], inParallel: Bool) {
        /// What the check needs of a window, beside each of its occurrences (not the whole definition).
        struct Planned: Sendable {
            var name: String
            var file: String
            var force: Bool
            var recurring: Bool
            var timezone: TimeZone
            var occurrence: Occurrence
        }
        let zones = schedule.targetZones
        let through = now.addingTimeInterval(400 * 86_400)
        // Each window's occurrences are its own: found a share per core.
        var shares = Parallel.inShares(Array(schedule.windows.keys), perShare: Self.windowsPerShare, inParallel: inParallel) { [now] names in
            var planned: [Planned] = []
            planned.reserveCapacity(names.count)
            for name in names {
                guard let window = schedule.windows[name] else { continue }
                // From one window length back, so that an occurrence already in progress counts too.
                let length: TimeInterval = { if case .duration(let milliseconds) = window.end { return Double(milliseconds) / 1000 } else { return 0 } }()
                for occurrence in window.occurrences(targetZones: zones, storedAt: now, from: now.addingTimeInterval(-length), through: through)
                where occurrence.end > now {
                    planned.append(Planned(name: window.name, file: window.file, force: window.force, recurring: window.recurrence != nil,
                                           timezone: window.timezone, occurrence: occurrence))
                }
            }
            return planned
        }
        // Moved out of the shares, not copied (see `readWindows`); their order is the sort's below.
        var planned: [Planned] = []
        planned.reserveCapacity(shares.reduce(0) { $0 + $1.count })
        while var share = shares.popLast() {
            while let occurrence = share.popLast() { planned.append(occurrence) }
        }
        var byFile: [String: ScheduleLoader.Document] = [:]
        for document in documents { byFile[document.file] = document }
        func fail(in file: String, _ path: FieldPath, _ message: String) {
            document = byFile[file]
            self.fail(path, message)
        }
        for window in planned where !window.recurring && !window.force {
            if let (freeze, target) = schedule.freeze(overlapping: window.occurrence.start, window.occurrence.end, targets: window.occurrence.targets) {
                fail(in: window.file, FieldPath().appending("windows").appending(window.name).appending("start"),
                     "overlaps the freeze \(freeze.summary) on \(target); move the window, or set force: true")
            }
        }
        var reported = Set<String>()
        // Sorted by start, each occurrence is compared only with those starting before it ends;
        // then by name, so that the same files give the same report whatever order the shares
        // came back in. Their places are sorted, not the occurrences (a hundred bytes each).
        let byStart = planned.indices.sorted {
            (planned[$0].occurrence.start, planned[$0].name) < (planned[$1].occurrence.start, planned[$1].name)
        }
        for (index, firstPlace) in byStart.enumerated() {
            let first = planned[firstPlace]
            for secondPlace in byStart[(index + 1)...] {
                let second = planned[secondPlace]
                guard second.occurrence.start < first.occurrence.end else { break }
                guard let target = first.occurrence.targets.first(where: second.occurrence.targets.contains) else { continue }
                // Reported once per pair, on the window defined later, unless one of them is forced.
                let (earlier, later) = first.name <= second.name ? (first, second) : (second, first)
                guard !earlier.force, !later.force, reported.insert("\(earlier.name)|\(later.name)").inserted else { continue }
                let what = earlier.name == later.name ? "its own next occurrence" : "window \(earlier.name)"
                fail(in: later.file, FieldPath().appending("windows").appending(later.name).appending("start"),
                     "overlaps \(what) on \(target) (\(TimeText.local(earlier.occurrence.start, zone: earlier.timezone)) for \(DurationText.format(Int64(earlier.occurrence.end.timeIntervalSince(earlier.occurrence.start) * 1000)))); move it, or set force: true")
            }
        }
    }

    /// `HH:MM[:SS]` as seconds after midnight.
    static func timeOfDay(_ text: String) -> Int? {
        let parts = text.trimmingWhitespace().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers[0] < 24, numbers[1] < 60, numbers.count == 2 || numbers[2] < 60 else { return nil }
        return numbers[0] * 3600 + numbers[1] * 60 + (numbers.count == 3 ? numbers[2] : 0)
    }

    /// Why a rule's days would depend on the start's date, if they would: then a time alone is not enough.
    static func anchorDependence(_ rule: RecurrenceRule) -> String? {
        if rule.interval > 1 { return "counts every \(rule.interval) periods from its first" }
        if rule.count != nil { return "counts occurrences from its first" }
        switch rule.frequency {
        case .daily: return nil
        case .weekly: return rule.byDay.isEmpty ? "takes its weekday from the start (no BYDAY)" : nil
        case .monthly: return rule.byDay.isEmpty && rule.byMonthDay.isEmpty ? "takes its day of the month from the start" : nil
        case .yearly:
            return rule.byMonth.isEmpty || (rule.byDay.isEmpty && rule.byMonthDay.isEmpty) ? "takes its month or day from the start" : nil
        }
    }
}

extension JSONValue {
    var isArray: Bool { if case .array = self { return true } else { return false } }
}
