import Foundation
import MaintCore

/// What the command table says, in each form people read it: `maint help COMMAND`, the manual
/// page maint(1) and the bash, zsh and fish completions. One table, so they never disagree.
enum CommandHelp {
    typealias Command = CommandLineTool.Command

    /// `maint help add`, `maint add --help`.
    static func text(_ command: Command) -> String {
        func rows(_ options: [CommandOption]) -> String {
            let width = min(24, (options.map(\.synopsis.count).max() ?? 0) + 2)
            return options.map { option in
                let name = option.synopsis
                let choices = option.choices.isEmpty ? "" : " (\(option.choices.joined(separator: ", ")))"
                return "  " + (name.count < width ? name.padding(toLength: width, withPad: " ", startingAt: 0) : name + "  ") + option.help + choices
            }.joined(separator: "\n")
        }
        var text = "usage: \(command.usage)\n\n\(command.summary)\n"
        if !command.options.isEmpty { text += "\noptions:\n" + rows(command.options) + "\n" }
        text += "\ncommon options:\n" + rows(CommandOption.common) + "\n"
        text += "\nexample:\n  \(command.example)"
        return text
    }

    /// The exit codes of SPEC "Command line", for the manual.
    static let exitCodes: [(ExitCode, String)] = [
        (.success, "success"),
        (.partialFailure, "done, but a target or a health check failed"),
        (.usage, "usage error: an unknown command or option, a missing or malformed value"),
        (.invalidInput, "invalid schedule files or input (every error is printed), an unknown window, or a window in a state that does not allow the command (ending one that has not started, canceling one that has)"),
        (.unavailable, "a needed service is unreachable (the database cannot be opened)"),
        (.temporaryFailure, "temporary failure: the database is busy, the daemon is stopping or still reading its files; try again"),
    ]

    /// maint(1), in roff: every command and option, the exit codes, the files and the environment.
    static func manual() -> String {
        var page = """
            .TH MAINT 1 "" "maint \(Version.number)" "User Commands"
            .SH NAME
            maint \\- scheduled maintenance for many sites, switched on and off at the exact instant
            .SH SYNOPSIS
            .B maint
            .I COMMAND
            [\\fIOPTIONS\\fR]
            .SH DESCRIPTION
            \(roff("maint plans maintenance windows for many sites (targets), switches each site's maintenance mode on and off at the start and the end through the site's own admin API (HTTP requests, a command, a flag file, HAProxy, Alertmanager), announces them by e-mail and webhooks ahead of time and afterwards, and checks that every site is healthy again. The schedule is a directory of JSON5 files, described in maint.json5(5); the state is one SQLite database."))
            .PP
            \(roff("maint daemon runs the scheduler. While it runs, every other command asks it through its control socket; with no daemon, commands work on the database themselves, and maint now and maint end switch the targets themselves."))
            .SH COMMANDS

            """
        for command in CommandLineTool.commands {
            let rest = command.usage.dropFirst("maint \(command.name)".count).trimmingCharacters(in: .whitespaces)
            page += ".TP\n.B \(roff("maint " + command.name))" + (rest.isEmpty ? "" : " \\fI\(roff(rest))\\fR") + "\n"
            page += roff(command.summary) + "\n"
            for option in command.options {
                page += ".RS\n.TP\n.B \(roff(option.name))" + (option.value.map { " \\fI\(roff($0))\\fR" } ?? "") + "\n"
                page += roff(option.help + (option.choices.isEmpty ? "" : " (\(option.choices.joined(separator: ", ")))")) + "\n.RE\n"
            }
            page += ".RS\n.PP\nExample:\n.RS\n.EX\n\(roff(command.example))\n.EE\n.RE\n.RE\n"
        }
        page += ".SH COMMON OPTIONS\n"
        for option in CommandOption.common {
            page += ".TP\n.B \(roff(option.name)) \\fI\(roff(option.value ?? ""))\\fR\n\(roff(option.help))\n"
        }
        page += ".SH EXIT STATUS\n"
        for (code, meaning) in exitCodes {
            page += ".TP\n.B \(code.rawValue)\n\(roff(meaning))\n"
        }
        page += """
            .SH ENVIRONMENT
            .TP
            .B MAINT_CONFIG\\fR, \\fBMAINT_DB\\fR, \\fBMAINT_SOCKET
            \(roff("The schedule directory, the database and the control socket, when not given as options."))
            .TP
            .B CREDENTIALS_DIRECTORY
            \(roff("Where {{secret:NAME}} is read from: the file NAME in this directory (systemd's LoadCredential=), else the environment variable NAME. A secret never reaches the database, a log line, an error or JSON output."))
            .TP
            .B STATE_DIRECTORY\\fR, \\fBRUNTIME_DIRECTORY
            \(roff("Set by systemd (StateDirectory=maint, RuntimeDirectory=maint): the database is $STATE_DIRECTORY/maint.db and the socket $RUNTIME_DIRECTORY/maint.sock."))
            .TP
            .B NOTIFY_SOCKET\\fR, \\fBWATCHDOG_USEC\\fR, \\fBJOURNAL_STREAM
            \(roff("Set by systemd: maint daemon reports READY=1, RELOADING=1, STOPPING=1 and its status, pings the watchdog, and logs with journald priorities."))
            .SH FILES
            .TP
            .I /etc/maint/*.json5
            \(roff("The schedule files: targets, channels, windows, freezes, the api section (maint.json5(5))."))
            .TP
            .I /etc/maint/credentials/
            \(roff("A place for secrets. For each {{secret:NAME}} add a line LoadCredential=NAME:/etc/maint/credentials/NAME to the unit (systemctl edit maint), the file readable by root only, then systemctl restart maint. Without systemd, export NAME in the daemon's environment."))
            .TP
            .I /var/lib/maint/maint.db
            \(roff("The database of the system service (mode 0600): windows, targets' states, the event log, the outbox. Removing the package keeps it."))
            .TP
            .I /run/maint/maint.sock
            \(roff("The daemon's control socket (mode 0660): the commands ask the daemon through it, as does the HTTP control API (docs/api.md)."))
            .TP
            .I /lib/systemd/system/maint.service
            \(roff("The unit: Type=notify, a watchdog, hardening; systemctl reload maint re-reads the files."))
            .SH SEE ALSO
            .BR maint.json5 (5),
            .BR systemd.exec (5),
            .BR systemctl (1)

            """
        return page
    }

    /// Text for roff: backslashes and hyphens escaped, and no line that starts like a request.
    static func roff(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        return escaped.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line)
        }.joined(separator: "\n")
    }

    enum Shell: String, CaseIterable {
        case bash, zsh, fish
    }

    /// Completes the command names, each command's options, the choices of an option (events,
    /// shells, commands) and files for --config, --db and --socket.
    static func completion(_ shell: Shell) -> String {
        let commands = CommandLineTool.commands
        let names = commands.map(\.name).joined(separator: " ")
        func operandChoices(_ command: Command) -> [String] {
            switch command.name {
            case "completion": return Shell.allCases.map(\.rawValue)
            case "help": return commands.map(\.name)
            default: return []
            }
        }
        switch shell {
        case .bash:
            var script = """
                # bash completion for maint (maint completion bash)
                _maint() {
                    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                    COMPREPLY=()
                    if [ "$COMP_CWORD" -eq 1 ]; then
                        COMPREPLY=($(compgen -W "\(names) --version --help" -- "$cur"))
                        return
                    fi
                    case "$prev" in
                        --config) COMPREPLY=($(compgen -d -- "$cur")); return ;;
                        --db|--socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;

                """
            let choiceOptions = Dictionary(commands.flatMap(\.options).filter { !$0.choices.isEmpty }.map { ($0.name, $0.choices) }, uniquingKeysWith: { first, _ in first })
            for (name, choices) in choiceOptions.sorted(by: { $0.key < $1.key }) {
                script += "        \(name)) COMPREPLY=($(compgen -W \"\(choices.joined(separator: " "))\" -- \"$cur\")); return ;;\n"
            }
            let valued = Set(commands.flatMap(\.options).filter { $0.value != nil && $0.choices.isEmpty }.map(\.name)).subtracting(CommandOption.common.map(\.name)).sorted()
            script += "        \(valued.joined(separator: "|"))) return ;;\n    esac\n    case \"${COMP_WORDS[1]}\" in\n"
            for command in commands {
                let words = (command.options + CommandOption.common).map(\.name) + ["--help"]
                let operands = operandChoices(command)
                let list = (operands + words).joined(separator: " ")
                script += "        \(command.name)) COMPREPLY=($(compgen -W \"\(list)\" -- \"$cur\")) ;;\n"
            }
            script += "    esac\n}\ncomplete -F _maint maint\n"
            return script
        case .zsh:
            func quoted(_ text: String) -> String {
                text.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]").replacingOccurrences(of: ":", with: "\\:")
            }
            func firstSentence(_ text: String) -> String {
                String(text.split(separator: ".", maxSplits: 1).first ?? Substring(text)).replacingOccurrences(of: ":", with: " -")
            }
            var script = "#compdef maint\n# zsh completion for maint (maint completion zsh)\n_maint() {\n    local -a commands\n    commands=(\n"
            for command in commands {
                script += "        '\(command.name):\(quoted(firstSentence(command.summary)))'\n"
            }
            script += "    )\n    if (( CURRENT == 2 )); then\n        _describe -t commands 'maint command' commands\n        return\n    fi\n"
            script += "    local command=$words[2]\n    shift words\n    (( CURRENT-- ))\n    case $command in\n"
            for command in commands {
                var specs: [String] = []
                for option in command.options + CommandOption.common {
                    let repeatable = option.name == "--channel" ? "*" : ""
                    var spec = "'\(repeatable)\(option.name)[\(quoted(option.help))]"
                    if let value = option.value {
                        let action: String
                        switch option.name {
                        case "--config": action = "_files -/"
                        case "--db", "--socket": action = "_files"
                        default: action = option.choices.isEmpty ? "" : "(\(option.choices.joined(separator: " ")))"
                        }
                        spec += ":\(quoted(value)):\(action)"
                    }
                    specs.append(spec + "'")
                }
                let operands = operandChoices(command)
                if !operands.isEmpty { specs.append("':\(command.operands.lowercased()):(\(operands.joined(separator: " ")))'") }
                else if !command.operands.isEmpty { specs.append("'*::\(quoted(command.operands.lowercased())):'") }
                script += "        \(command.name)) _arguments \\\n            " + specs.joined(separator: " \\\n            ") + " ;;\n"
            }
            script += "    esac\n}\n_maint \"$@\"\n"
            return script
        case .fish:
            func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
            var script = "# fish completion for maint (maint completion fish)\ncomplete -c maint -f\n"
            for command in commands {
                script += "complete -c maint -n __fish_use_subcommand -a \(command.name) -d \(quoted(String(command.summary.split(separator: ".").first ?? "")))\n"
            }
            for command in commands {
                let condition = "-n '__fish_seen_subcommand_from \(command.name)'"
                for option in command.options + CommandOption.common {
                    let name = option.name.hasPrefix("--") ? "-l \(option.name.dropFirst(2))" : "-s \(option.name.dropFirst())"
                    var line = "complete -c maint \(condition) \(name)"
                    if option.value != nil {
                        switch option.name {
                        case "--config": line += " -r -a '(__fish_complete_directories)'"
                        case "--db", "--socket": line += " -r -F"
                        default: line += option.choices.isEmpty ? " -x" : " -x -a \(quoted(option.choices.joined(separator: " ")))"
                        }
                    }
                    script += line + " -d \(quoted(option.help))\n"
                }
                let operands = operandChoices(command)
                if !operands.isEmpty { script += "complete -c maint \(condition) -a \(quoted(operands.joined(separator: " ")))\n" }
            }
            return script
        }
    }
}
