import CSQLite
import Foundation

/// One connection to the SQLite file, used from one thread.
public final class Database {
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    public let path: String

    /// Opens (creating with mode 0600) the file, in WAL mode with full sync, foreign keys and a
    /// busy timeout, and brings its schema up to date.
    ///
    /// `checkpointsOnClose`: whether the last connection to close copies the write-ahead log
    /// into the file and removes it (SQLite's default). The daemon does, so that a stopped daemon
    /// leaves one file. A command does not: what it wrote is durable once committed, and the
    /// copy, a sync of the whole file, was 10 ms of every `maint now` and `maint end`; the next
    /// connection goes on from the log, and SQLite copies it in once it passes 1,000 pages.
    public init(path: String, checkpointsOnClose: Bool = true) throws(SQLiteError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        // Create the file ourselves so that it is 0600 whatever the umask.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(path): \(String(cString: strerror(errno)))", sql: nil)
        }
        close(fd)
        handle = try Self.connect(path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        // Switching a new file to WAL takes an exclusive lock and answers "busy" at once, without
        // the busy handler, while another process does the same: several commands opening a new
        // database together wait their turn here instead of failing.
        try whileBusy { () throws(SQLiteError) in try execute("PRAGMA journal_mode = WAL") }
        try execute("PRAGMA synchronous = FULL")
        try execute("PRAGMA foreign_keys = ON")
        // A savepoint inside a transaction (each stored definition, each recorded outcome) keeps
        // the pages it changes in a statement journal: in a temporary file, that was two write
        // calls per page (5 GB of writes to store 100,000 windows); in memory, none.
        try execute("PRAGMA temp_store = MEMORY")
        if !checkpointsOnClose { _ = maint_sqlite3_db_config_int(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nil) }
        try whileBusy { () throws(SQLiteError) in try Migrations.apply(to: self) }
    }

    /// Opens an existing file to read only: the daemon's control API reads on its own
    /// connections, beside the loop's (WAL lets readers and the writer go on at once).
    public init(readingOnly path: String) throws(SQLiteError) {
        self.path = path
        handle = try Self.connect(path, flags: SQLITE_OPEN_READONLY)
        // Each read opens a connection with an empty page cache: mapped, the file's pages are
        // read in place instead of copied in by a system call each (a status at 100,000 windows
        // spent a third of its time in pread).
        try execute("PRAGMA mmap_size = 268435456")
    }

    /// A connection for one thread, with a 10 s busy timeout and extended result codes.
    private static func connect(_ path: String, flags: Int32) throws(SQLiteError) -> OpaquePointer {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: "\(path): \(message)", sql: nil)
        }
        sqlite3_busy_timeout(handle, 10_000)
        sqlite3_extended_result_codes(handle, 1)
        return handle
    }

    /// Runs `body` again while SQLite answers busy, for up to 10 s.
    private func whileBusy(_ body: () throws(SQLiteError) -> Void) throws(SQLiteError) {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                try body()
                return
            } catch where error.isBusy && Date() < deadline {
                usleep(20_000)
            }
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// A cached prepared statement for `sql`.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try Statement(database: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Every use of a cached statement ends with a reset, a failed one too: a statement stopped
    /// before its end keeps its read open.
    public func run(_ sql: String, _ values: [any SQLConvertible] = []) throws(SQLiteError) {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement.handle) }
        try statement.bind(values)
        while try statement.step() {}
    }

    public func rows(_ sql: String, _ values: [any SQLConvertible] = []) throws(SQLiteError) -> [Row] {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement.handle) }
        try statement.bind(values)
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        fullScanSteps += Int(sqlite3_stmt_status(statement.handle, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1))
        return rows
    }

    /// Rows stepped over by whole-table scans in the queries read through `rows`: a query meant
    /// to find its rows through an index, and that reads the whole table instead, shows here.
    public private(set) var fullScanSteps = 0

    public func row(_ sql: String, _ values: [any SQLConvertible] = []) throws(SQLiteError) -> Row? {
        try rows(sql, values).first
    }

    /// The first row, in the query's order, that `accept` takes; the rows after it are not read.
    public func firstRow(_ sql: String, _ values: [any SQLConvertible] = [], where accept: (Row) -> Bool) throws(SQLiteError) -> Row? {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement.handle) }
        try statement.bind(values)
        while try statement.step() {
            let row = statement.row()
            if accept(row) { return row }
        }
        return nil
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The row id of the last row this connection inserted (asked of SQLite directly, not by a query).
    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    private var depth = 0

    /// Whether a transaction is open on this connection.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in an immediate transaction: all of it is written, or none of it. Inside
    /// another transaction it is a savepoint: its failure undoes its own writes only, and it is
    /// written when the outer one commits.
    ///
    /// A COMMIT can fail (a full disk, an I/O error); SQLite may or may not have rolled back by
    /// then, so whatever is still open is rolled back here. Either way the connection is left as
    /// it was before the call, ready for the next transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let outermost = depth == 0
        let savepoint = "maint_\(depth)"
        // Prepared once and kept, as every statement: a round records each outcome in a savepoint.
        try run(outermost ? "BEGIN IMMEDIATE" : "SAVEPOINT \(savepoint)")
        depth += 1
        defer {
            depth -= 1
            if depth == 0 { dataVersionInTransaction = nil }
        }
        let result: T
        do {
            result = try body()
        } catch {
            undo(outermost: outermost, savepoint: savepoint)
            throw error
        }
        do {
            try run(outermost ? "COMMIT" : "RELEASE \(savepoint)")
        } catch {
            undo(outermost: outermost, savepoint: savepoint)
            throw error
        }
        return result
    }

    /// Frees what SQLite's page cache holds for this connection (pages not being written): read
    /// again from the file when next needed. Storing a large schedule leaves it full (2 MB).
    public func releaseCache() {
        _ = sqlite3_db_release_memory(handle)
    }

    /// How many transactions and savepoints were rolled back on this connection: what was read
    /// before one may no longer be so.
    public private(set) var rollbacks = 0

    /// SQLite's `data_version`: it moves when another connection commits, not for this one's.
    /// Read once in a transaction: no other connection can commit while this one holds the write
    /// lock (`BEGIN IMMEDIATE`), and a round asks for it at each outcome it records.
    public func dataVersion() throws(SQLiteError) -> Int64 {
        if depth > 0, let known = dataVersionInTransaction { return known }
        let statement = try statement("PRAGMA data_version")
        defer { sqlite3_reset(statement.handle) }
        guard try statement.step() else { return 0 }
        let version = sqlite3_column_int64(statement.handle, 0)
        if depth > 0 { dataVersionInTransaction = version }
        return version
    }

    /// `data_version` as read in the transaction open, if it was.
    private var dataVersionInTransaction: Int64?

    private func undo(outermost: Bool, savepoint: String) {
        rollbacks += 1
        if outermost {
            if inTransaction { try? execute("ROLLBACK") }
        } else {
            try? execute("ROLLBACK TO \(savepoint)")
            try? execute("RELEASE \(savepoint)")
        }
    }
}
