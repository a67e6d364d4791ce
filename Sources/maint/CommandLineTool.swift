import Foundation
import MaintCore

/// `maint COMMAND …`: finds the command, parses its options, maps failures to exit codes.
enum CommandLineTool {
    struct Command: Sendable {
        var usage: String
        var valued: Set<String>
        var flags: Set<String>
        var run: @Sendable (Session) throws -> ExitCode
    }

    static let common: Set<String> = ["--config", "--db", "--socket"]

    static let commands: [String: Command] = [
        "validate": Command(usage: "maint validate [DIR]", valued: common, flags: [], run: ValidateCommand.run),
        "daemon": Command(usage: "maint daemon", valued: common, flags: ["--verbose"], run: DaemonCommand.run),
        "status": Command(usage: "maint status [--json]", valued: common, flags: ["--json"], run: StatusCommand.run),
        "ls": Command(usage: "maint ls [--all] [--limit N] [--from T] [--to T] [--json]", valued: common.union(["--from", "--to", "--limit"]), flags: ["--all", "--json"], run: ListCommand.run),
        "show": Command(usage: "maint show WINDOW [--json]", valued: common, flags: ["--json"], run: ShowCommand.run),
        "add": Command(usage: "maint add TARGET… --at TIME (--for DUR | --until TIME) [--message M] [--headline H] [--notice 24h,1h] [--channel C] [--timezone ZONE] [--force]",
                       valued: common.union(["--at", "--for", "--until", "--message", "--headline", "--notice", "--channel", "--timezone"]),
                       flags: ["--force", "--json"], run: WindowCommands.add),
        "now": Command(usage: "maint now TARGET… [--for DUR | --until TIME] --message M [--headline H] [--channel C] [--timezone ZONE]",
                       valued: common.union(["--for", "--until", "--message", "--headline", "--channel", "--timezone"]), flags: ["--verbose"], run: WindowCommands.now),
        "end": Command(usage: "maint end WINDOW", valued: common, flags: ["--verbose"], run: WindowCommands.end),
        "extend": Command(usage: "maint extend WINDOW (--by DUR | --until TIME)", valued: common.union(["--by", "--until"]), flags: ["--verbose"], run: WindowCommands.extend),
        "update": Command(usage: "maint update WINDOW [--message M] [--headline H]", valued: common.union(["--message", "--headline"]), flags: ["--verbose"], run: WindowCommands.update),
        "plan": Command(usage: "maint plan TARGET… --duration DUR [--within 14d] [--count N] [--json]",
                        valued: common.union(["--duration", "--within", "--count"]), flags: ["--json"], run: PlanCommand.run),
        "retry": Command(usage: "maint retry DELIVERY", valued: common, flags: ["--verbose"], run: DeliveryCommands.retry),
        "preview": Command(usage: "maint preview WINDOW --event E --channel C", valued: common.union(["--event", "--channel"]), flags: [], run: DeliveryCommands.preview),
        "check": Command(usage: "maint check TARGET… [--json]", valued: common, flags: ["--json"], run: CheckCommand.run),
        "page": Command(usage: "maint page WINDOW", valued: common, flags: [], run: PageCommand.run),
        "export": Command(usage: "maint export --ics", valued: common, flags: ["--ics"], run: ExportCommand.run),
        "done": Command(usage: "maint done WINDOW", valued: common, flags: ["--verbose"], run: WindowCommands.done),
        "cancel": Command(usage: "maint cancel WINDOW", valued: common, flags: [], run: WindowCommands.cancel),
        "reload": Command(usage: "maint reload", valued: common, flags: ["--json"], run: ReloadCommand.run),
        "log": Command(usage: "maint log [-f] [WINDOW] [--json]", valued: common, flags: ["-f", "--follow", "--json"], run: LogCommand.run),
    ]

    static var usage: String {
        "usage: maint COMMAND [OPTIONS]   (maint --version: the version)\n\ncommands:\n" + commands.keys.sorted().map { "  " + (commands[$0]?.usage ?? $0) }.joined(separator: "\n")
            + "\n\ncommon options: --config DIR (schedule files), --db FILE (database), --socket PATH (the daemon's control socket)"
    }

    static func run(_ words: [String]) -> ExitCode {
        guard let name = words.first else {
            printError(usage)
            return .usage
        }
        if name == "--help" || name == "-h" || name == "help" {
            print(usage)
            return .success
        }
        if name == "--version" || name == "version" {
            print("maint \(Version.number)")
            return .success
        }
        guard let command = commands[name] else {
            printError("maint: unknown command \(Quoted(name))\n\n" + usage)
            return .usage
        }
        let rest = Array(words.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print("usage: " + command.usage)
            return .success
        }
        do {
            let arguments = try Arguments(rest, valued: command.valued, flags: command.flags)
            return try command.run(Session(arguments: arguments))
        } catch let error as Arguments.UsageError {
            printError("maint \(name): \(error.description)\nusage: \(command.usage)")
            return .usage
        } catch let failure as Failure {
            // A list of schedule errors is printed as it is, one `FILE:LINE:COL:` per line.
            printError(failure.message.contains("\n") ? failure.message : "maint \(name): \(failure.message)")
            return failure.code
        } catch {
            printError("maint \(name): \(error)")
            return .temporaryFailure
        }
    }
}
