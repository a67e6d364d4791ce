import Foundation

/// `driver: "command"`: a program for each switch, run with no shell (`php artisan down`,
/// `drush maint:set 1`, `occ maintenance:mode --on`). The window's fields reach it as MAINT_*
/// environment variables, never in its arguments, so no message can change the command line.
public struct CommandDriver: Driver {
    public static let name = "command"
    public static let keys: Set<String> = ["activate", "deactivate"]

    public var activate: CommandAction
    public var deactivate: CommandAction

    public init(activate: CommandAction, deactivate: CommandAction) {
        self.activate = activate
        self.deactivate = deactivate
    }

    public static func read(_ target: [String: JSONValue], at path: FieldPath, reader: inout ScheduleReader) -> CommandDriver? {
        let activate = readAction(target["activate"], path.appending("activate"), reader: &reader)
        let deactivate = readAction(target["deactivate"], path.appending("deactivate"), reader: &reader)
        guard let activate, let deactivate else { return nil }
        return CommandDriver(activate: activate, deactivate: deactivate)
    }

    static func readAction(_ value: JSONValue?, _ path: FieldPath, reader: inout ScheduleReader) -> CommandAction? {
        guard let value else {
            reader.fail(path.parent ?? path, "the field \"\(path.components.last.map { if case .key(let k) = $0 { return k } else { return "" } } ?? "")\" is missing")
            return nil
        }
        guard let object = reader.object(value, path, allowed: ["argv", "cwd", "env", "timeout", "retries", "exitCodes"]) else { return nil }
        var argv: [Template] = []
        let words = reader.strings(object, "argv", path) ?? []
        if object["argv"] == nil { reader.fail(path, "the field \"argv\" is missing (a list: the program, then its arguments)") }
        else if words.isEmpty { reader.fail(path.appending("argv"), "give at least the program") }
        for (index, word) in words.enumerated() {
            do {
                // Only secrets: the window's fields are in MAINT_* variables, never on the command line.
                argv.append(try reader.parse(word, placeholders: []))
            } catch {
                reader.fail(path.appending("argv").appending(index), error.message + " (the window's fields are in MAINT_* environment variables)", offset: error.offset)
            }
        }
        var environment: [String: Template] = [:]
        switch object["env"] {
        case nil:
            break
        case .object(let entries)?:
            for (name, element) in entries.sorted(by: { $0.key < $1.key }) {
                guard case .string(let text) = element else { reader.fail(path.appending("env").appending(name), "expected a string"); continue }
                if name.hasPrefix("MAINT_") { reader.fail(path.appending("env").appending(name), "MAINT_* variables are set by maint", key: true); continue }
                do {
                    environment[name] = try reader.parse(text, placeholders: [])
                } catch {
                    reader.fail(path.appending("env").appending(name), error.message, offset: error.offset)
                }
            }
        case let other?:
            reader.fail(path.appending("env"), "expected an object of variable names and values, got \(other.kindName)")
        }
        let directory = reader.string(object, "cwd", path)
        var codes: [Int32] = [0]
        if case .array(let list)? = object["exitCodes"] {
            codes = list.compactMap { if case .number(let n) = $0, let code = Int32(exactly: n) { return code } else { return nil } }
            if codes.count != list.count || codes.isEmpty { reader.fail(path.appending("exitCodes"), "expected a list of exit codes") }
        }
        let timeout = reader.duration(object, "timeout", path) ?? 60_000
        let retries = reader.integer(object, "retries", path, range: 0...100) ?? 2
        guard !argv.isEmpty, words.count == argv.count else { return nil }
        return CommandAction(argv: argv, directory: directory, environment: environment, timeoutMilliseconds: timeout, retries: retries, successCodes: codes)
    }

    public var secretNames: [String] { activate.secretNames + deactivate.secretNames }

    public func retries(activate: Bool) -> Int { (activate ? self.activate : deactivate).retries }

    public func switchWork(activate: Bool, _ context: DriverContext) throws(DriverError) -> DriverWork {
        let action = activate ? self.activate : deactivate
        // Arguments and extra variables see only secrets.
        let secretsOnly = TemplateContext(values: [:], secrets: context.secrets)
        do {
            var argv: [String] = []
            for word in action.argv { argv.append(try word.render(secretsOnly)) }
            var environment = Self.variables(context.values, action: activate ? "activate" : "deactivate")
            for (variable, value) in action.environment { environment[variable] = try value.render(secretsOnly) }
            return .program(ProgramRun(argv: argv, environment: environment, directory: action.directory, timeoutMilliseconds: action.timeoutMilliseconds))
        } catch {
            throw DriverError(error.description)
        }
    }

    public func outcome(activate: Bool, _ result: DriverResult) -> SwitchOutcome {
        let action = activate ? self.activate : deactivate
        switch result {
        case .exited(let exit):
            let stderr = exit.stderr.isEmpty ? "" : "; stderr: \(exit.stderr)"
            if exit.timedOut { return .failure("timed out after \(DurationText.format(action.timeoutMilliseconds))" + stderr) }
            if action.successCodes.contains(exit.status) { return .success("exit \(exit.status)" + stderr) }
            let stdout = exit.stderr.isEmpty && !exit.stdout.isEmpty ? "; stdout: \(exit.stdout)" : ""
            return .failure("exit \(exit.status)" + stderr + stdout)
        case .failed(let reason):
            return .failure(reason)
        case .response, .written, .exists, .answers, .skipped:
            return .failure("not a program's exit")
        }
    }

    /// The program is told the window's end and text in its variables.
    public func refreshes(on change: WindowChange) -> Bool { true }

    public func look(openEnded: Bool, probeInterval: Int64) -> Look? { nil }

    public var readsState: Bool { false }

    public func probeWork(_ context: DriverContext) throws(DriverError) -> DriverWork {
        .known(.skipped("the command driver cannot read the state"))
    }

    public func probeOutcome(_ result: DriverResult) -> ProbeReading {
        if case .skipped(let reason) = result { return ProbeReading(nil, reason) }
        return ProbeReading(nil, "the command driver cannot read the state")
    }

    /// The window's fields as MAINT_* variables, and which switch this is.
    static let variableNames: [(variable: String, placeholder: String)] = [
        ("MAINT_WINDOW_ID", "window.id"), ("MAINT_TARGET", "target"), ("MAINT_HEADLINE", "headline"), ("MAINT_MESSAGE", "message"),
        ("MAINT_START", "start"), ("MAINT_END", "end"), ("MAINT_START_LOCAL", "start.local"), ("MAINT_END_LOCAL", "end.local"),
        ("MAINT_DURATION", "duration"), ("MAINT_RETRY_AFTER", "retryAfter"), ("MAINT_BYPASS_URL", "page.bypassUrl"),
        ("MAINT_BUTTON_TEXT", "page.buttonText"), ("MAINT_IMAGE_URL", "page.imageUrl"), ("MAINT_ICON", "page.icon"),
    ]

    static func variables(_ values: [String: String], action: String) -> [String: String] {
        var environment: [String: String] = ["MAINT_ACTION": action]
        for (variable, placeholder) in variableNames { environment[variable] = values[placeholder] ?? "" }
        return environment
    }
}

/// One switch of the command driver, as written in a schedule file.
public struct CommandAction: Sendable {
    /// The program and its arguments; only `{{secret:NAME}}` may appear in them.
    public var argv: [Template]
    public var directory: String?
    /// More environment variables; values may use `{{secret:NAME}}`.
    public var environment: [String: Template]
    public var timeoutMilliseconds: Int64
    public var retries: Int
    /// Exit codes that count as success.
    public var successCodes: [Int32]

    public var secretNames: [String] { argv.flatMap(\.secretNames) + environment.values.flatMap(\.secretNames) }
}
