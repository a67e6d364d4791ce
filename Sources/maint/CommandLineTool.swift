import Foundation
import MaintCore

/// `maint COMMAND …`: finds the command, parses its options, maps failures to exit codes. The
/// table below is the one description of the commands: `maint help`, `COMMAND --help`, the man
/// page and the shell completions are all drawn from it.
enum CommandLineTool {
    struct Command: Sendable {
        var name: String
        /// The words after the name: `TARGET…`, `WINDOW`, `[DIR]`.
        var operands: String
        var summary: String
        var options: [CommandOption]
        var example: String
        /// The words after `maint NAME` where some options are required or exclusive
        /// (`--at TIME (--for DUR | --until TIME)`); else drawn from the options.
        var form: String? = nil
        var run: @Sendable (Session) throws -> ExitCode

        var usage: String {
            (["maint", name] + (form.map { [$0] } ?? ((operands.isEmpty ? [] : [operands]) + options.map { "[\($0.synopsis)]" }))).joined(separator: " ")
        }
        var valued: Set<String> { Set((options + CommandOption.common).filter { $0.value != nil }.map(\.name)) }
        var flags: Set<String> { Set((options + CommandOption.common).filter { $0.value == nil }.map(\.name)) }
    }

    static let message = CommandOption("--message", "M", "what users read (templates such as {{end.local}} allowed)")
    static let headline = CommandOption("--headline", "H", "the title of the maintenance page and the announcements")
    static let channel = CommandOption("--channel", "C", "announce on this channel (repeat for several; default: every channel)")
    static let timezone = CommandOption("--timezone", "ZONE", "the IANA zone of the times given and shown (default: the system's)")

    static let commands: [Command] = [
        Command(name: "daemon", operands: "", summary: "Run the scheduler: switch targets at the due instants, announce, check health (systemd Type=notify; SIGHUP reloads, SIGTERM stops).",
                options: [CommandOption.verbose], example: "maint daemon --config /etc/maint", run: DaemonCommand.run),
        Command(name: "validate", operands: "[DIR]", summary: "Check the schedule files and print every error as FILE:LINE:COLUMN: PATH: MESSAGE; nothing is changed.",
                options: [], example: "maint validate /etc/maint", run: ValidateCommand.run),
        Command(name: "status", operands: "", summary: "Each target: in maintenance or not (desired and, where the driver can read it, actual), the windows holding it, its next window; the daemon; dead deliveries.",
                options: [CommandOption.json], example: "maint status --json | jq '.targets[] | select(.inMaintenance)'", run: StatusCommand.run),
        Command(name: "ls", operands: "", summary: "Windows, earliest first, 50 at a time; with --to, every occurrence of the recurring windows up to then, those not stored yet marked *.",
                options: [CommandOption("--all", "every window, finished ones too, with no limit"),
                          CommandOption("--limit", "N", "show N windows (default 50)"),
                          CommandOption("--from", "TIME", "windows that end after TIME"),
                          CommandOption("--to", "TIME", "windows that start before TIME (a time, or +180d)"),
                          CommandOption("--wide", "every target of each window, however long the line (the default fits 100 columns)"),
                          CommandOption.json],
                example: "maint ls --from now --to +30d", run: ListCommand.run),
        Command(name: "show", operands: "WINDOW", summary: "A window's timeline, each target's results, its notices and health checks; a recurring window's name shows the series and its occurrences.",
                options: [CommandOption.json], example: "maint show db-upgrade", run: ShowCommand.run),
        Command(name: "add", operands: "TARGET…", summary: "Plan a window over the targets (names, or tag:NAME): refused over a freeze or another window unless --force.",
                options: [CommandOption("--at", "TIME", "the start: RFC 3339, \"YYYY-MM-DD HH:MM\" in --timezone, or +30m"),
                          CommandOption("--for", "DUR", "how long (90s, 45m, 2h30m, 7d)"),
                          CommandOption("--until", "TIME", "the end, instead of --for"),
                          message, headline,
                          CommandOption("--notice", "LIST", "advance notices before the start, e.g. 24h,1h"),
                          channel, timezone,
                          CommandOption("--force", "plan it even over a freeze or another window"),
                          CommandOption.json],
                example: "maint add tag:eu --at \"2026-12-06 02:00\" --for 2h --timezone Europe/Paris --message \"Database upgrade\" --notice 24h,1h",
                form: "TARGET… --at TIME (--for DUR | --until TIME) [--message M] [--headline H] [--notice LIST] [--channel C] [--timezone ZONE] [--force] [--json]", run: WindowCommands.add),
        Command(name: "now", operands: "TARGET…", summary: "Emergency: switch the targets into maintenance at once, print progress, exit when every target answered (1 if one failed).",
                options: [CommandOption("--for", "DUR", "end after this long (default: open-ended, until `maint end`)"),
                          CommandOption("--until", "TIME", "end at this time"),
                          message, headline, channel, timezone, CommandOption.verbose],
                example: "maint now tag:eu --for 1h --message \"We are fixing an outage\"", form: "TARGET… --message M [--for DUR | --until TIME] [--headline H] [--channel C] [--timezone ZONE] [--verbose]", run: WindowCommands.now),
        Command(name: "update", operands: "WINDOW", summary: "Change the message or headline of a planned or running window; targets showing it are told again.",
                options: [message, headline, CommandOption.verbose], example: "maint update now-20261206-0200 --message \"Back by 03:00\"", run: WindowCommands.update),
        Command(name: "extend", operands: "WINDOW", summary: "Move a window's end later (or earlier).",
                options: [CommandOption("--by", "DUR", "add this much to the end"), CommandOption("--until", "TIME", "the new end"), CommandOption.verbose],
                example: "maint extend db-upgrade --by 30m", form: "WINDOW (--by DUR | --until TIME) [--verbose]", run: WindowCommands.extend),
        Command(name: "end", operands: "WINDOW", summary: "End a running window now: switch its targets back, check their health, announce.",
                options: [CommandOption.verbose], example: "maint end db-upgrade", run: WindowCommands.end),
        Command(name: "done", operands: "WINDOW", summary: "The work is finished: end the window as soon as every target's health checks pass.",
                options: [CommandOption.verbose], example: "maint done db-upgrade", run: WindowCommands.done),
        Command(name: "cancel", operands: "WINDOW", summary: "Cancel a window that has not started; it is announced as canceled. A recurring window's name cancels its stored occurrences still to come.",
                options: [], example: "maint cancel db-upgrade", run: WindowCommands.cancel),
        Command(name: "skip", operands: "OCCURRENCE", summary: "Leave out one occurrence of a recurring window (announced as canceled); the series goes on.",
                options: [], example: "maint skip weekly-patch@20261206T0200Z", run: WindowCommands.skip),
        Command(name: "plan", operands: "TARGET…", summary: "The next slots inside every target's off-peak hours, clear of freezes and other windows.",
                options: [CommandOption("--duration", "DUR", "how long the slot must be"),
                          CommandOption("--within", "DUR", "how far ahead to look (default 14d)"),
                          CommandOption("--count", "N", "how many slots (default 3)"),
                          CommandOption.json],
                example: "maint plan tag:shop --duration 2h --within 30d", form: "TARGET… --duration DUR [--within DUR] [--count N] [--json]", run: PlanCommand.run),
        Command(name: "check", operands: "TARGET…", summary: "Run the targets' health checks now (exit 1 if one fails).",
                options: [CommandOption.json], example: "maint check shop-eu", run: CheckCommand.run),
        Command(name: "log", operands: "[WINDOW]", summary: "The event log, oldest first; -f follows it as events come.",
                options: [CommandOption("-f", "follow: print new events as they are written (with a daemon)"),
                          CommandOption("--follow", "the same as -f"), CommandOption.json],
                example: "maint log -f --json", run: LogCommand.run),
        Command(name: "preview", operands: "WINDOW", summary: "Exactly what a channel would be sent for an event of the window.",
                options: [CommandOption("--event", "E", "the event", choices: AnnouncementEvent.allCases.map(\.rawValue)),
                          CommandOption("--channel", "C", "the channel"),
                          CommandOption("--offset", "DUR", "for --event notice: which notice (24h, 1h; default: the next one to send)")],
                example: "maint preview db-upgrade --event notice --offset 24h --channel customers", form: "WINDOW --event E --channel C [--offset DUR]", run: DeliveryCommands.preview),
        Command(name: "retry", operands: "DELIVERY", summary: "Send a dead delivery again (its id is in `maint status`).",
                options: [CommandOption.verbose], example: "maint retry d-42", run: DeliveryCommands.retry),
        Command(name: "export", operands: "", summary: "The windows as an iCalendar feed, to stdout.",
                options: [CommandOption("--ics", "iCalendar (RFC 5545), the one format")], example: "maint export --ics > maintenance.ics", form: "--ics", run: ExportCommand.run),
        Command(name: "reload", operands: "", summary: "Ask the daemon to read its files again; prints what changed, or every error (the running schedule then stays).",
                options: [CommandOption.json], example: "maint reload", run: ReloadCommand.run),
        Command(name: "page", operands: "WINDOW", summary: "The window's rendered maintenance page (one self-contained HTML file), to stdout.",
                options: [], example: "maint page db-upgrade > /var/www/maintenance.html", run: PageCommand.run),
        Command(name: "help", operands: "[COMMAND]", summary: "Every option of a command, with an example; with no command, the list of commands.",
                options: [CommandOption("--man", "the manual page maint(1), in roff")], example: "maint help add", run: HelpCommand.run),
        Command(name: "completion", operands: "SHELL", summary: "The shell completion script for bash, zsh or fish, to stdout.",
                options: [], example: "maint completion bash > /etc/bash_completion.d/maint", run: HelpCommand.completion),
    ]

    static let byName: [String: Command] = Dictionary(commands.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    static var usage: String {
        let width = (commands.map(\.name.count).max() ?? 0) + 2
        return "usage: maint COMMAND [OPTIONS]   (maint help COMMAND: its options; maint --version)\n\ncommands:\n"
            + commands.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n")
            + "\n\ncommon options: " + CommandOption.common.map(\.synopsis).joined(separator: ", ")
    }

    static func run(_ words: [String]) -> ExitCode {
        guard let name = words.first else {
            printError(usage)
            return .usage
        }
        if name == "--help" || name == "-h" {
            print(usage)
            return .success
        }
        if name == "--version" || name == "version" {
            print("maint \(Version.number)")
            return .success
        }
        guard let command = byName[name] else {
            printError("maint: unknown command \(Quoted(name))\n\n" + usage)
            return .usage
        }
        let rest = Array(words.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(CommandHelp.text(command))
            return .success
        }
        do {
            let arguments = try Arguments(rest, valued: command.valued, flags: command.flags)
            return try command.run(Session(arguments: arguments))
        } catch let error as Arguments.UsageError {
            printError("maint \(name): \(error.description)\nusage: \(command.usage)\n(maint help \(name): every option, with an example)")
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
