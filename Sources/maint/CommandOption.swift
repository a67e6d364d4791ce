/// One option of a command, as `maint help`, the man page and the shell completions show it.
struct CommandOption: Sendable {
    /// `--at`, or `-f`.
    var name: String
    /// What the value is (`TIME`), or nil for a flag.
    var value: String?
    var help: String
    /// The words the value can be, for completion (events, shells).
    var choices: [String] = []

    /// An option that takes a value.
    init(_ name: String, _ value: String, _ help: String, choices: [String] = []) {
        self.name = name
        self.value = value
        self.help = help
        self.choices = choices
    }

    /// A flag.
    init(_ name: String, _ help: String) {
        self.name = name
        self.value = nil
        self.help = help
    }

    /// `--at TIME`
    var synopsis: String { value.map { "\(name) \($0)" } ?? name }

    /// The options every command takes: where the files, the database and the daemon are.
    static let common = [
        CommandOption("--config", "DIR", "the schedule files' directory (default: $MAINT_CONFIG, else /etc/maint if it exists, else ./schedules)"),
        CommandOption("--db", "FILE", "the database (default: $MAINT_DB, $STATE_DIRECTORY/maint.db, /var/lib/maint/maint.db if it exists, else $XDG_STATE_HOME/maint/maint.db)"),
        CommandOption("--socket", "PATH", "the daemon's control socket (default: $MAINT_SOCKET, $RUNTIME_DIRECTORY/maint.sock, /run/maint/maint.sock with the system database, else the database path + .sock)"),
        CommandOption("--zone", "ZONE", "show times in this IANA zone (default: the system's, or $TZ); every time shown is labelled"),
        CommandOption("--utc", "show times in UTC"),
    ]

    static let json = CommandOption("--json", "print JSON (stable for scripts) instead of a table")
    static let verbose = CommandOption("--verbose", "log each step to stderr")
}
