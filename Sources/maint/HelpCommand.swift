import MaintCore

/// `maint help [COMMAND] [--man]` and `maint completion SHELL`.
enum HelpCommand {
    static func run(_ session: Session) throws -> ExitCode {
        if session.arguments.has("--man") {
            print(CommandHelp.manual(), terminator: "")
            return .success
        }
        guard let name = session.arguments.positionals.first else {
            print(CommandLineTool.usage)
            return .success
        }
        guard session.arguments.positionals.count == 1, let command = CommandLineTool.byName[name] else {
            throw Failure(.usage, "no command \(Quoted(name)); the commands: \(CommandLineTool.commands.map(\.name).joined(separator: ", "))")
        }
        print(CommandHelp.text(command))
        return .success
    }

    static func completion(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let shell = session.arguments.positionals.first.flatMap(CommandHelp.Shell.init(rawValue:)) else {
            throw Failure(.usage, "say which shell: \(CommandHelp.Shell.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        print(CommandHelp.completion(shell), terminator: "")
        return .success
    }
}
