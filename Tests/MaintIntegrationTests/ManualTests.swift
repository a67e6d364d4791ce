import Foundation
import MaintCore
import Testing

/// `maint help`, the manual pages and the shell completions: drawn from one table of commands
/// and options, so each is checked against what the program really accepts.
struct ManualTests {
    /// The command names `maint help` lists, in order.
    func commandNames(_ workspace: Workspace) throws -> [String] {
        let help = try workspace.maint(["help"])
        #expect(help.status == 0)
        let listed = help.stdout.split(separator: "\n").drop { !$0.hasPrefix("commands:") }.dropFirst()
            .prefix { $0.hasPrefix("  ") }.compactMap { $0.split(separator: " ").first.map(String.init) }
        return listed
    }

    @Test func everyCommandHasHelpWithEachOptionItAcceptsAndAnExample() throws {
        let workspace = try Workspace()
        let names = try commandNames(workspace)
        #expect(names.count >= 20 && names.contains("add") && names.contains("completion"), "\(names)")
        for name in names {
            let help = try workspace.maint(["help", name])
            #expect(help.status == 0, "\(name): \(help.stderr)")
            #expect(help == (try workspace.maint([name, "--help"])), "maint help \(name) and maint \(name) --help differ")
            #expect(help.stdout.contains("\nexample:\n  maint \(name)"), "\(name): \(help.stdout)")
            // Every option the help lists is one the command takes: an unknown one is a usage
            // error that lists the options it does take, and those are the ones shown.
            let refusal = try workspace.maint([name, "--no-such-option"])
            #expect(refusal.status == 2)
            let taken = refusal.stderr.split(separator: "\n").first { $0.contains("this command takes:") }
                .map { $0.components(separatedBy: "this command takes: ")[1].split(separator: " ").map(String.init) } ?? []
            for option in taken {
                #expect(help.stdout.contains("  \(option)"), "maint help \(name) does not show \(option)")
            }
        }
        #expect(try workspace.maint(["help", "frobnicate"]).status == 2)
        #expect(try workspace.maint(["completion", "tcsh"]).status == 2)
    }

    @Test func theManualNamesEveryCommandOptionAndExitCode() throws {
        let workspace = try Workspace()
        let manual = try workspace.maint(["help", "--man"])
        #expect(manual.status == 0)
        #expect(manual.stdout.hasPrefix(".TH MAINT 1 "))
        let text = manual.stdout.replacingOccurrences(of: "\\-", with: "-")
        for name in try commandNames(workspace) {
            #expect(text.contains(".B maint \(name)"), "the manual has no entry for \(name)")
            let help = try workspace.maint(["help", name]).stdout
            for line in help.split(separator: "\n") where line.hasPrefix("  -") {
                let option = String(line.dropFirst(2).split(separator: " ")[0])
                #expect(text.contains(".B \(option)"), "the manual has no \(option) (maint \(name))")
            }
        }
        for code in ["0", "1", "2", "65", "69", "75"] { #expect(text.contains(".TP\n.B \(code)\n"), "exit code \(code)") }
        for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"] { #expect(text.contains(".SH \(section)")) }
        #expect(text.contains("LoadCredential="), "how to give the daemon its secrets")
    }

    /// maint.json5(5) is written by hand: it must name every key the reader accepts. The keys are
    /// taken from the reader's own lists of allowed keys in the source.
    @Test func theScheduleManualNamesEveryKeyTheReaderAccepts() throws {
        let page = try String(contentsOf: Repository.root.appendingPathComponent("deploy/man/maint.json5.5"), encoding: .utf8)
        let sources = Repository.root.appendingPathComponent("Sources/MaintCore")
        var keys = Set<String>()
        let list = try NSRegularExpression(pattern: #"(?:allowed: |[kK]eys: Set<String> = |union\()\[([^\]]*)\]"#)
        let quoted = try NSRegularExpression(pattern: #""([A-Za-z]+)""#)
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in list.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let inner = String(text[range])
                for key in quoted.matches(in: inner, range: NSRange(inner.startIndex..., in: inner)) {
                    if let keyRange = Range(key.range(at: 1), in: inner) { keys.insert(String(inner[keyRange])) }
                }
            }
        }
        #expect(keys.count > 60, "the reader's keys were found: \(keys.sorted())")
        for key in ["targets", "windows", "recurrence", "onHealthFailure", "publicStatus", "exitCodes", "rearm"] {
            #expect(keys.contains(key), "\(key) is among the keys found")
        }
        for key in keys.sorted() {
            let word = try NSRegularExpression(pattern: "(?<![A-Za-z])\(key)(?![A-Za-z])")
            #expect(word.firstMatch(in: page, range: NSRange(page.startIndex..., in: page)) != nil, "maint.json5(5) does not describe \(key)")
        }
    }

    /// The packaged example, each `// ` of it removed, is a valid schedule: what it shows works.
    @Test func theExampleUncommentedIsAValidSchedule() throws {
        let example = try String(contentsOf: Repository.root.appendingPathComponent("deploy/etc-maint.json5"), encoding: .utf8)
        let uncommented = example.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("  // ") ? "  " + line.dropFirst(5) : (line == "  //" ? "" : String(line))
        }.joined(separator: "\n")
        let workspace = try Workspace()
        try workspace.write("maint.json5", uncommented)
        let result = try workspace.maint(["validate"])
        #expect(result.status == 0 && result.stdout.contains("2 target(s), 2 channel(s), 1 window(s)"), "\(result.stdout) \(result.stderr)")
    }

    /// Each built-in profile is in the README's platform table and in maint.json5(5), with
    /// every var it takes.
    @Test func everyBuiltInProfileIsDocumentedWithItsVars() throws {
        let page = try String(contentsOf: Repository.root.appendingPathComponent("deploy/man/maint.json5.5"), encoding: .utf8)
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(BuiltInProfiles.all.count >= 5)
        for name in BuiltInProfiles.all.keys.sorted() {
            let vars = BuiltInProfiles.vars(of: name)
            #expect(!vars.isEmpty, "\(name) takes vars")
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(name)` |") }.map(String.init)
            #expect(row != nil, "the README's platform table has no row for \(name)")
            let entry = page.components(separatedBy: ".B " + name.replacingOccurrences(of: "-", with: "\\-") + "\n").dropFirst().first?
                .components(separatedBy: ".TP").first
            #expect(entry != nil, "maint.json5(5) has no entry for \(name)")
            for variable in vars {
                #expect(row?.contains("`\(variable)`") == true, "the README's row for \(name) does not name \(variable)")
                #expect(entry?.contains("\\fB\(variable)\\fR") == true, "maint.json5(5) does not name \(name)'s var \(variable)")
            }
        }
    }

    /// The bash completion, run as bash runs it: commands, a command's options, an option's choices.
    @Test func bashCompletesCommandsOptionsAndChoices() throws {
        let workspace = try Workspace()
        let script = try workspace.maint(["completion", "bash"])
        #expect(script.status == 0)
        let path = workspace.directory.appendingPathComponent("maint.bash").path
        try script.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        func complete(_ words: [String]) throws -> String {
            let probe = "source '\(path)'; COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1); _maint; echo \"${COMPREPLY[*]}\""
            let child = try ChildProcess("/bin/bash", ["-c", probe], environment: [:], directory: workspace.directory)
            child.process.waitUntilExit()
            return child.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try complete(["maint", "ex"]) == "extend export")
        #expect(try complete(["maint", "add", "--no"]) == "--notice")
        #expect(try complete(["maint", "preview", "w", "--event", "s"]) == "scheduled start")
        #expect(try complete(["maint", "completion", ""]) .hasPrefix("bash zsh fish"))
        #expect(try complete(["maint", "add", "--at", ""]) == "", "a value is not completed with options")
    }
}

extension Workspace.Result: Equatable {
    static func == (left: Workspace.Result, right: Workspace.Result) -> Bool {
        left.status == right.status && left.stdout == right.stdout && left.stderr == right.stderr
    }
}
